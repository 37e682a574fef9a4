import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

import { Unzlib } from 'fflate';

import { ToexError } from '../../../main/errors.js';
import { normaliseAddress } from '../addresses.js';
import type { FileFormat } from '../formats.js';
import type { Direction, IngestRecord, SourceRef } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import { smsDirection } from './androidSms.js';

/** Android writes these files in chunks of a thousand messages; far past that is not one. */
const MAX_PACKED_BYTES = 64 << 20;
const MAX_JSON_BYTES = 512 << 20;
/** MMS addr.type 137 is the sender (PduHeaders.FROM). */
const MMS_FROM = 137;

interface BackupItem {
  address?: string;
  body?: string;
  date?: string | number;
  type?: string | number;
  recipients?: string[];
  msg_box?: string | number;
  mms_addresses?: { type?: number; address?: string }[];
  mms_body?: string;
}

/** The first bytes a zlib stream's start inflates to, or null when it is not one. */
function inflatedStart(head: Buffer): string | null {
  if (head.length < 2 || head[0] !== 0x78 || ((head[0] << 8) | head[1]!) % 31 !== 0) return null;
  const out: Uint8Array[] = [];
  try {
    new Unzlib((chunk) => {
      out.push(chunk);
    }).push(head.subarray(0, 2048), false);
  } catch {
    return null;
  }
  return Buffer.concat(out).subarray(0, 4096).toString('utf8');
}

const number = (v: string | number | undefined) =>
  v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v);

/**
 * The files Android's telephony provider puts in an adb backup
 * (apps/com.android.providers.telephony/d_f/000000_sms_backup,
 * 000001_mms_backup…): each a zlib-deflated JSON list of messages, told from
 * other files by that content. A message's source points at its place in the
 * list (rowId, from 0); its thread is the set of recipients it lists.
 */
export const androidTelephonyBackup: FileFormat = {
  kind: 'file',
  id: 'android.telephony-backup',
  label: 'Android telephony backup (adb backup *_sms_backup, *_mms_backup)',

  matches(file) {
    const text = inflatedStart(file.head);
    return (
      text !== null &&
      /^\s*\[\s*\{/.test(text) &&
      /"(address|msg_box|mms_addresses)"\s*:/.test(text)
    );
  },

  *parse(ctx) {
    if (ctx.file.size > MAX_PACKED_BYTES) {
      throw new ToexError('bad-input', `the telephony backup is ${ctx.file.size} bytes, too large`);
    }
    let items: unknown;
    try {
      const json = inflateSync(readFileSync(ctx.file.path), { maxOutputLength: MAX_JSON_BYTES });
      items = JSON.parse(json.toString('utf8'));
    } catch (err) {
      throw new ToexError(
        'bad-input',
        `the telephony backup cannot be read: ${(err as Error).message}`,
      );
    }
    if (!Array.isArray(items)) throw new ToexError('bad-input', 'the telephony backup is no list');

    const file = ctx.file.name;
    const seen = new Set<string>();
    const participant = function* (raw: string | undefined, source: SourceRef) {
      if (typeof raw !== 'string' || !raw.trim()) return null;
      const address = normaliseAddress(raw, ctx.region);
      const key = `p:${address.identifier}`;
      if (!seen.has(key)) {
        seen.add(key);
        yield { type: 'participant' as const, key, raw, name: null, source, ...address };
      }
      return key;
    };

    for (const [i, item] of (items as BackupItem[]).entries()) {
      ctx.progress(i, items.length);
      const source = { file, rowId: i };
      if (typeof item !== 'object' || item === null) {
        yield { type: 'problem', key: `item:${i}`, message: 'an entry is not a message', source };
        continue;
      }
      const mms = item.msg_box !== undefined || item.mms_addresses !== undefined;
      const recipients = (item.recipients ?? []).filter((r) => typeof r === 'string');
      const keys: string[] = [];
      for (const r of recipients) {
        const key = yield* participant(r, source);
        if (key && !keys.includes(key)) keys.push(key);
      }
      const threadKey = `thread:${[...keys].sort().join(',')}`;
      if (!seen.has(threadKey)) {
        seen.add(threadKey);
        yield {
          type: 'thread',
          key: threadKey,
          service: mms ? 'mms' : 'sms',
          title: null,
          isGroup: keys.length > 1,
          participantKeys: keys,
          source,
        } satisfies IngestRecord;
      }

      const box = number(item.msg_box);
      const direction: Direction = mms
        ? box === 1
          ? 'incoming'
          : box === 2 || box === 4
            ? 'outgoing'
            : 'unknown'
        : smsDirection(number(item.type));
      const from = mms
        ? item.mms_addresses?.find((a) => a.type === MMS_FROM)?.address
        : item.address;
      const sender = direction === 'incoming' ? yield* participant(from, source) : null;
      // SMS dates are in milliseconds, MMS dates in seconds, as in mmssms.db.
      const date = number(item.date);
      const sentAt = date === null ? null : fromUnixMs(mms ? date * 1000 : date);
      const body = mms ? item.mms_body : item.body;
      yield {
        type: 'message',
        key: `${mms ? 'mms' : 'sms'}:${i}`,
        threadKey,
        senderKey: sender,
        direction,
        sentAt,
        body: typeof body === 'string' ? body : null,
        deleted: false,
        attachments: [],
        flags: [
          ...(!mms && number(item.type) === 3 ? ['draft'] : []),
          ...(date !== null && sentAt === null ? ['time-out-of-range'] : []),
        ],
        source,
      } satisfies IngestRecord;
    }
  },
};
