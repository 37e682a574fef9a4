import { isBinaryPlist, isDictionary, PlistError, readBinaryPlist } from '../bplist.js';
import type { EditRecord } from '../records.js';
import { fromAppleTime } from '../sourceTime.js';
import { attributedBodyText, TypedStreamError } from './typedstream.js';

export interface SummaryInfo {
  /** Every version of the text iOS kept, oldest first; empty when the message was never edited. */
  history: EditRecord[];
  flags: string[];
}

/**
 * What message.message_summary_info (iOS 16 on, a binary property list) says
 * of a message's past: under `ec`, for each edited part of the message, each
 * version of its text (an archived attributed string, `t`) with when it was
 * written (`d`, Apple seconds); under `rp`, the parts the sender unsent.
 */
export function summaryInfo(blob: unknown): SummaryInfo {
  if (!Buffer.isBuffer(blob) || blob.length === 0) return { history: [], flags: [] };
  if (!isBinaryPlist(blob)) return { history: [], flags: ['summary-info-unreadable'] };
  let top;
  try {
    top = readBinaryPlist(blob);
  } catch (err) {
    if (err instanceof PlistError) return { history: [], flags: ['summary-info-unreadable'] };
    throw err;
  }
  if (!isDictionary(top)) return { history: [], flags: ['summary-info-unreadable'] };
  const flags: string[] = [];
  const history: EditRecord[] = [];
  const edits = top.ec;
  if (isDictionary(edits)) {
    for (const [part, versions] of Object.entries(edits)) {
      if (!Array.isArray(versions)) continue;
      for (const v of versions) {
        if (!isDictionary(v)) continue;
        let text: string | null = null;
        if (Buffer.isBuffer(v.t)) {
          try {
            text = attributedBodyText(v.t);
          } catch (err) {
            if (!(err instanceof TypedStreamError)) throw err;
            if (!flags.includes('edit-unreadable')) flags.push('edit-unreadable');
          }
        }
        const at = typeof v.d === 'number' ? fromAppleTime(v.d) : null;
        history.push({ part: Number(part), at, text });
      }
    }
    history.sort((a, b) => (a.at?.utc ?? '').localeCompare(b.at?.utc ?? '') || a.part - b.part);
    if (history.length > 1) flags.push('edited');
  }
  if (Array.isArray(top.rp) && top.rp.length > 0) flags.push('unsent-part');
  return { history: history.length > 1 ? history : [], flags };
}
