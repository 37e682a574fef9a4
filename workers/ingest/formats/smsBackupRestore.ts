import { createReadStream } from 'node:fs';

import { normaliseAddress } from '../addresses.js';
import type { FileFormat, ParseContext } from '../formats.js';
import type { AttachmentRecord, Direction, IngestRecord, SourceRef } from '../records.js';
import { fromUnixAnyUnit, fromUnixMs } from '../sourceTime.js';
import { androidCall } from './androidCallLog.js';
import { MMS_FROM, smsDirection } from './androidSms.js';
import { isSmsBackup, readSmsBackup, type Attrs, type BackupUnit } from './smsBackupReader.js';

/**
 * The app writes a missing value as the word "null", and a number it found
 * in no contact under the name "(Unknown)"; neither is a value.
 */
function value(attrs: Attrs, name: string): string | null {
  const v = attrs[name]?.trim();
  return v && v !== 'null' ? v : null;
}

function numeric(attrs: Attrs, name: string): number | null {
  const v = value(attrs, name);
  return v !== null && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null;
}

/** `time-unreadable` when the attribute is there but no number, as a flag list to spread. */
function unreadableTime(attrs: Attrs, name: string): string[] {
  return value(attrs, name) !== null && numeric(attrs, name) === null ? ['time-unreadable'] : [];
}

function contactName(attrs: Attrs): string | null {
  const name = value(attrs, 'contact_name');
  return name === '(Unknown)' ? null : name;
}

/**
 * SyncTech's SMS Backup & Restore XML: SMS and MMS in `<smses>`, the call log
 * in `<calls>`, one element each with the phone's own columns as attributes,
 * `date` in Unix ms. Messages are threaded by the other people in them.
 */
export const smsBackupRestore: FileFormat = {
  kind: 'file',
  id: 'android.smsbackuprestore',
  label: 'SMS Backup & Restore XML (SyncTech)',

  matches(file) {
    return isSmsBackup(file.head);
  },

  async *parse(ctx) {
    const stream = createReadStream(ctx.file.path, { highWaterMark: 256 * 1024 });
    const reader = new BackupRecords(ctx);
    try {
      const total = ctx.file.size;
      const units = readSmsBackup(
        stream as AsyncIterable<Buffer>,
        (n) => ctx.progress(n, total),
        ctx.signal,
      );
      for await (const unit of units) yield* reader.read(unit);
      ctx.progress(total, total);
    } finally {
      stream.destroy();
    }
  },
};

/** Turns backup units into records, each person and thread handed on once, before its use. */
class BackupRecords {
  private readonly people = new Set<string>();
  private readonly threads = new Set<string>();

  constructor(private readonly ctx: ParseContext) {}

  *read(unit: BackupUnit): Generator<IngestRecord> {
    const source: SourceRef = { file: this.ctx.file.name, xmlPath: unit.path };
    if (unit.kind === 'problem') {
      yield { type: 'problem', key: unit.key, message: unit.message, source };
      return;
    }
    if (unit.kind === 'mms') yield* this.mms(unit, source);
    else if (unit.kind === 'call') yield* this.call(unit.attrs, unit.index, unit.flags, source);
    else yield* this.sms(unit.attrs, unit.index, unit.flags, source);
  }

  private *person(
    raw: string | null,
    name: string | null,
    source: SourceRef,
  ): Generator<IngestRecord, string | null> {
    if (raw === null) return null;
    const address = normaliseAddress(raw, this.ctx.region);
    const key = `p:${address.identifier}`;
    if (!this.people.has(key)) {
      this.people.add(key);
      yield { type: 'participant', key, raw, name, source, ...address };
    }
    return key;
  }

  private *thread(keys: string[], source: SourceRef): Generator<IngestRecord, string> {
    const key = `t:${[...keys].sort().join(',') || 'none'}`;
    if (!this.threads.has(key)) {
      this.threads.add(key);
      yield {
        type: 'thread',
        key,
        service: 'sms',
        title: null,
        isGroup: keys.length > 1,
        participantKeys: keys,
        source,
      };
    }
    return key;
  }

  private *sms(attrs: Attrs, index: number, flags: string[], source: SourceRef) {
    const type = numeric(attrs, 'type');
    const direction = smsDirection(type);
    const other = yield* this.person(value(attrs, 'address'), contactName(attrs), source);
    const threadKey = yield* this.thread(other ? [other] : [], source);
    // Not yet: readable_date, the phone's local clock, is not read, so the offset stays unknown.
    const date = numeric(attrs, 'date');
    const sentAt = date === null ? null : fromUnixMs(date);
    yield {
      type: 'message',
      key: `sms:${index}`,
      threadKey,
      senderKey: direction === 'incoming' ? other : null,
      direction,
      sentAt,
      // A body is kept as written, even the word "null": it cannot be told from a missing one.
      body: attrs.body ?? null,
      deleted: false,
      attachments: [],
      flags: [
        ...flags,
        ...(type === 3 ? ['draft'] : []),
        ...(date !== null && sentAt === null ? ['time-out-of-range'] : []),
        ...unreadableTime(attrs, 'date'),
      ],
      source,
    } satisfies IngestRecord;
  }

  private *mms(unit: Extract<BackupUnit, { kind: 'mms' }>, source: SourceRef) {
    const box = numeric(unit.attrs, 'msg_box');
    const direction: Direction =
      box === 1 ? 'incoming' : box === 2 || box === 3 || box === 4 ? 'outgoing' : 'unknown';
    const name = contactName(unit.attrs);
    // The thread's other people, as the app lists them: addresses joined by "~".
    const others = (value(unit.attrs, 'address') ?? '').split('~').map((a) => a.trim());
    const keys: string[] = [];
    for (const raw of others.filter(Boolean)) {
      const key = yield* this.person(raw, others.length === 1 ? name : null, source);
      if (key && !keys.includes(key)) keys.push(key);
    }
    const threadKey = yield* this.thread(keys, source);
    const from = unit.addrs.find((a) => numeric(a, 'type') === MMS_FROM);
    const senderKey =
      direction === 'incoming' && from
        ? yield* this.person(value(from, 'address'), null, source)
        : null;

    const texts: string[] = [];
    const subject = value(unit.attrs, 'sub');
    if (subject) texts.push(subject);
    const attachments: AttachmentRecord[] = [];
    for (const { attrs: p, bytes } of unit.parts) {
      const ct = value(p, 'ct');
      if (ct === 'application/smil') continue;
      if (ct === 'text/plain') {
        const text = value(p, 'text');
        if (text) texts.push(text);
        continue;
      }
      attachments.push({
        name: value(p, 'cl') ?? value(p, 'name') ?? value(p, 'fn'),
        mime: ct,
        size: bytes,
        path: null,
      });
    }
    // Not yet: attachments' bytes (base64 in the backup) are measured but not stored or shown.
    // The app writes milliseconds, but pdu.date beneath it is in seconds: told apart by size.
    const date = numeric(unit.attrs, 'date');
    const sentAt = date === null ? null : fromUnixAnyUnit(date);
    yield {
      type: 'message',
      key: `mms:${unit.index}`,
      threadKey,
      senderKey,
      direction,
      sentAt,
      body: texts.length ? texts.join('\n') : null,
      deleted: false,
      attachments,
      flags: [
        ...unit.flags,
        ...(box === 3 ? ['draft'] : []),
        ...(date !== null && sentAt === null ? ['time-out-of-range'] : []),
        ...unreadableTime(unit.attrs, 'date'),
      ],
      source,
    } satisfies IngestRecord;
  }

  private *call(attrs: Attrs, index: number, flags: string[], source: SourceRef) {
    const call = androidCall(
      numeric(attrs, 'type'),
      numeric(attrs, 'presentation'),
      attrs.number ?? null,
    );
    const participantKey = yield* this.person(call.number, contactName(attrs), source);
    const date = numeric(attrs, 'date');
    const startedAt = date === null || date === 0 ? null : fromUnixMs(date);
    const duration = numeric(attrs, 'duration');
    yield {
      type: 'call',
      key: `call:${index}`,
      participantKey,
      direction: call.direction,
      startedAt,
      durationSeconds: duration !== null && duration >= 0 ? Math.round(duration) : null,
      deleted: false,
      flags: [
        ...flags,
        ...call.flags,
        ...(date !== null && date !== 0 && startedAt === null ? ['time-out-of-range'] : []),
        ...unreadableTime(attrs, 'date'),
      ],
      source,
    } satisfies IngestRecord;
  }
}
