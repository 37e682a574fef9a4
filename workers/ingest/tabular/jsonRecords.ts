import { readFile, stat } from 'node:fs/promises';

import { ToexError } from '../../../main/errors.js';
import type { JsonFile } from './exportMapping.js';

// Not yet: a JSON export is parsed whole rather than streamed, hence the cap.
/** A JSON export is parsed whole; past this size it is refused, to spare the worker's memory. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** Follows an RFC 6901 JSON Pointer; undefined where it leads nowhere. */
export function atPointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let at = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at) && /^(0|[1-9]\d*)$/.test(key)) at = at[Number(key)];
    else if (typeof at === 'object' && at !== null && !Array.isArray(at)) {
      at = Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined;
    } else return undefined;
  }
  return at;
}

/** A JSON export, parsed whole: refused past MAX_JSON_BYTES, or when it is not JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  const { size } = await stat(path);
  if (size > MAX_JSON_BYTES) {
    throw new ToexError(
      'bad-input',
      `the JSON export is ${size} bytes; JSON exports over ${MAX_JSON_BYTES} bytes (256 MiB) ` +
        'are not read',
    );
  }
  try {
    return JSON.parse((await readFile(path, 'utf8')).replace(/^\ufeff/, ''));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToexError('bad-input', `the export is not JSON: ${reason.split('\n')[0]}`);
  }
}

/** The array of records a JSON export holds where the mapping says. */
export async function readJsonRecords(path: string, file: JsonFile): Promise<unknown[]> {
  const records = atPointer(await readJsonFile(path), file.records);
  if (!Array.isArray(records)) {
    throw new ToexError(
      'bad-input',
      `the JSON export holds no array at "${file.records}" (the mapping's file.records)`,
    );
  }
  return records;
}
