import { execFileSync } from 'node:child_process';

/** A value for a property list: bytes as `{ $bytes: hex }`, dates as `{ $date: iso }`. */
export type PlistInput =
  | boolean
  | number
  | string
  | PlistInput[]
  | { $bytes: string }
  | { $date: string }
  | { [key: string]: PlistInput };

const WRITE = `
import json, plistlib, sys, datetime
def conv(v):
    if isinstance(v, dict):
        if set(v) == {'$bytes'}: return bytes.fromhex(v['$bytes'])
        if set(v) == {'$date'}: return datetime.datetime.fromisoformat(v['$date'].replace('Z', '+00:00')).replace(tzinfo=None)
        return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list): return [conv(x) for x in v]
    return v
sys.stdout.buffer.write(plistlib.dumps(conv(json.load(sys.stdin)), fmt=plistlib.FMT_BINARY))
`;

/** A binary property list written by Python's plistlib, an implementation that is not ours. */
export function binaryPlist(value: PlistInput): Buffer {
  return execFileSync('python3', ['-c', WRITE], { input: JSON.stringify(value) });
}
