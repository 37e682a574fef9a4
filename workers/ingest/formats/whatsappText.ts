import { createReadStream } from 'node:fs';
import { basename, dirname, extname } from 'node:path/posix';

import { ToexError } from '../../../main/errors.js';
import { normaliseAddress } from '../addresses.js';
import type { FileFormat, ParseContext } from '../formats.js';
import { MAX_BODY } from '../ingestLimits.js';
import { fromWallClock } from '../localTime.js';
import type {
  AttachmentRecord,
  IngestRecord,
  MessageRecord,
  SourceRef,
  SourceTime,
} from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import {
  appNote,
  attachedFile,
  DateOrderVote,
  headerMs,
  readHeader,
  splitSender,
  type DateOrder,
  type LineHeader,
} from './whatsappLines.js';
import {
  bombReason,
  entryBytes,
  isZip,
  listZip,
  MAX_LINE_BYTES,
  textsInHead,
  type SafeEntry,
} from './whatsappZip.js';

/** A line of text as read, with what went wrong reading it. */
interface TextLine {
  text: string;
  /** 1-based. */
  number: number;
  /** Bytes up to and including this line, for progress. */
  offset: number;
  invalidUtf8: boolean;
  truncated: boolean;
}

/** One chat text to read: the .txt item itself, or an entry of the .zip. */
interface ChatSource {
  /** The file name in source pointers. */
  file: string;
  /** Prefix that keeps keys apart when one archive holds several chats. */
  keyPrefix: string;
  size: number;
  bytes(): AsyncIterable<Buffer>;
  /** Files beside the chat in the archive, by path and by base name. */
  files: Map<string, SafeEntry>;
  byName: Map<string, SafeEntry>;
  folder: string;
}

const STRICT = new TextDecoder('utf-8', { fatal: true });
const LOOSE = new TextDecoder('utf-8');

function decode(bytes: Buffer): { text: string; invalid: boolean } {
  try {
    return { text: STRICT.decode(bytes), invalid: false };
  } catch {
    return { text: LOOSE.decode(bytes), invalid: true };
  }
}

/** Splits bytes into lines (LF or CRLF), cutting any line longer than MAX_LINE_BYTES. */
async function* linesOf(bytes: AsyncIterable<Buffer>): AsyncGenerator<TextLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let truncated = false;
  let number = 0;
  let offset = 0;
  const finish = (): TextLine => {
    let line = Buffer.concat(pending);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (number === 0 && line.subarray(0, 3).equals(BOM)) line = line.subarray(3);
    const { text, invalid } = decode(line);
    const out = { text, number: (number += 1), offset, invalidUtf8: invalid, truncated };
    pending = [];
    pendingBytes = 0;
    truncated = false;
    return out;
  };
  for await (const chunk of bytes) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      keep(chunk.subarray(start, nl));
      offset += nl - start + 1;
      start = nl + 1;
      yield finish();
    }
    keep(chunk.subarray(start));
    offset += chunk.length - start;
  }
  if (pendingBytes > 0) yield finish();

  function keep(part: Buffer) {
    const room = MAX_LINE_BYTES - pendingBytes;
    if (part.length > room) truncated = true;
    const kept = part.length > room ? part.subarray(0, Math.max(0, room)) : part;
    if (kept.length) pending.push(kept);
    pendingBytes += kept.length;
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * True when the text starts the way an export does: a dated line among the
 * first few (a carved or cut file may begin mid-message).
 */
export function looksLikeChat(text: string): boolean {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(0, 5)
    .some((l) => readHeader(l) !== null);
}

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.opus': 'audio/ogg',
  '.ogg': 'audio/ogg',
  '.m4a': 'audio/mp4',
  '.mp3': 'audio/mpeg',
  '.aac': 'audio/aac',
  '.pdf': 'application/pdf',
  '.vcf': 'text/vcard',
  '.txt': 'text/plain',
};

/**
 * WhatsApp's "Export chat": the chat as text, alone or in the .zip the app
 * shares with the media beside it. One thread per chat text; the file names
 * its senders, never the phone's owner, so every message's direction is
 * unknown. The file gives wall-clock times with no zone.
 */
export const whatsappText: FileFormat = {
  kind: 'file',
  id: 'whatsapp.export-text',
  label: 'WhatsApp "Export chat" text (.txt or .zip)',

  matches(file) {
    // Not yet: a .zip whose chat text does not begin within its first 64 KiB (behind large media
    // entries) is not recognised, since only those bytes are looked at here.
    if (isZip(file.head)) return textsInHead(file.head).some(looksLikeChat);
    return looksLikeChat(file.head.subarray(0, 4096).toString('utf8'));
  },

  async *parse(ctx) {
    if (!isZip(ctx.file.head)) {
      const path = ctx.file.path;
      yield* readChat(ctx, new Set(), {
        file: ctx.file.name,
        keyPrefix: '',
        size: ctx.file.size,
        bytes: () => createReadStream(path) as AsyncIterable<Buffer>,
        files: new Map(),
        byName: new Map(),
        folder: '',
      });
      return;
    }
    yield* readArchive(ctx);
  },
};

async function* readArchive(ctx: ParseContext): AsyncGenerator<IngestRecord> {
  const listing = await listZip(ctx.file.path).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToexError('bad-input', `the .zip cannot be read: ${reason}`);
  });
  const { zip, entries, refused } = listing;
  try {
    for (const [i, r] of refused.entries()) {
      yield problem(`zip:${i}`, `entry skipped: ${r.reason}`, { file: r.path });
    }
    const files = new Map(entries.map((e) => [e.path, e]));
    const byName = new Map(entries.map((e) => [basename(e.path), e]));
    const chats: SafeEntry[] = [];
    let taken = 0;
    for (const e of entries) {
      if (!e.path.toLowerCase().endsWith('.txt')) continue;
      const bomb = bombReason(e, taken);
      if (bomb) {
        yield problem(`zip:${e.path}`, `chat text not read: ${bomb}`, { file: e.path });
        continue;
      }
      const head: Buffer[] = [];
      try {
        for await (const chunk of entryBytes(zip, e, 4096)) head.push(chunk);
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        yield problem(`zip:${e.path}`, `entry cannot be read: ${reason}`, { file: e.path });
        continue;
      }
      if (looksLikeChat(Buffer.concat(head).subarray(0, 4096).toString('utf8'))) {
        chats.push(e);
        taken += e.size;
      }
    }
    if (!chats.length) {
      yield problem('zip:no-chat', 'the archive holds no readable chat text', {
        file: ctx.file.name,
      });
    }
    const seen = new Set<string>();
    for (const e of chats) {
      yield* readChat(ctx, seen, {
        file: e.path,
        keyPrefix: chats.length > 1 ? `${e.path}:` : '',
        size: e.size,
        bytes: () => entryBytes(zip, e),
        files,
        byName,
        folder: dirname(e.path) === '.' ? '' : `${dirname(e.path)}/`,
      });
    }
  } finally {
    zip.close();
  }
}

/**
 * The name the app gave the chat's file; iOS calls every chat text "_chat.txt" and names the
 * chat in the archive's name instead ("WhatsApp Chat - Name.zip").
 */
function chatTitle(file: string, itemName: string): string | null {
  const own = basename(file, extname(file));
  if (own !== '_chat') return own || null;
  return basename(itemName, extname(itemName)) || null;
}

function problem(key: string, message: string, source: SourceRef): IngestRecord {
  return { type: 'problem', key: `problem:${key}`, message, source };
}

/** What the first pass learns: the date order and the senders, in order of first line. */
interface Survey {
  order: DateOrder;
  guessed: boolean;
  senders: Map<string, { raw: string; line: number }>;
}

/** More names than any real chat has: past it, senders are left unlinked and flagged. */
const MAX_SENDERS = 10_000;

async function survey(ctx: ParseContext, src: ChatSource): Promise<Survey> {
  const vote = new DateOrderVote();
  const senders: Survey['senders'] = new Map();
  try {
    for await (const line of linesOf(src.bytes())) {
      ctx.signal.throwIfAborted();
      const h = readHeader(line.text);
      if (!h) continue;
      vote.add(h);
      const s = splitSender(line.text, h.restAt);
      if (s && !senders.has(s.name) && senders.size < MAX_SENDERS) {
        senders.set(s.name, { raw: s.raw, line: line.number });
      }
    }
  } catch (error) {
    // The second pass meets the same damage at the same place and reports it there.
    if (ctx.signal.aborted) throw error;
  }
  return { ...vote.decide(ctx.region), senders };
}

async function* readChat(
  ctx: ParseContext,
  seen: Set<string>,
  src: ChatSource,
): AsyncGenerator<IngestRecord> {
  const { order, guessed, senders } = await survey(ctx, src);

  const ownerName = ctx.ownerName?.normalize('NFC');
  const owner =
    ownerName === undefined
      ? null
      : ([...senders.keys()].find((name) => name.normalize('NFC') === ownerName) ?? null);
  if (ownerName !== undefined && owner === null) {
    yield problem(
      `${src.keyPrefix}owner`,
      "the owner's name given at ingest is not one of this chat's senders: every message's direction is unknown",
      { file: src.file },
    );
  }
  const keys = new Map<string, string>();
  for (const [name, { raw, line }] of senders) {
    // The owner's messages are the device's own: outgoing, with no sender of their own.
    if (name === owner) continue;
    const address = normaliseAddress(name, ctx.region);
    const key = `p:${address.identifier}`;
    keys.set(name, key);
    if (seen.has(key)) continue;
    seen.add(key);
    const kind = address.kind === 'phone' ? 'phone' : 'handle';
    yield {
      type: 'participant',
      key,
      identifier: kind === 'phone' ? address.identifier : name,
      raw,
      name: kind === 'phone' ? null : name,
      kind,
      source: { file: src.file, line },
    };
  }

  const threadKey = `thread:${src.keyPrefix}chat`;
  yield {
    type: 'thread',
    key: threadKey,
    service: 'whatsapp',
    title: chatTitle(src.file, ctx.file.name),
    isGroup: new Set(keys.values()).size + (owner === null ? 0 : 1) > 2,
    participantKeys: [...new Set(keys.values())],
    source: { file: src.file },
  };

  let open: Pending | null = null;
  let orphan: { line: number; count: number } | null = null;
  const close = (): MessageRecord | null => {
    const done =
      open &&
      message(open, src, threadKey, keys, order, guessed, {
        owner,
        timeZone: ctx.timeZone ?? null,
      });
    open = null;
    return done;
  };
  try {
    for await (const line of linesOf(src.bytes())) {
      ctx.signal.throwIfAborted();
      const h = readHeader(line.text);
      if (h) {
        const done = close();
        if (done) yield done;
        open = { header: h, line, body: '', flags: new Set() };
        const s = splitSender(line.text, h.restAt);
        open.sender = s?.name;
        open.body = line.text.slice(s ? s.bodyAt : h.restAt);
      } else if (open) {
        if (open.body.length <= MAX_BODY) open.body += `\n${line.text}`;
      } else {
        if (line.text.trim()) {
          orphan ??= { line: line.number, count: 0 };
          orphan.count += 1;
        }
        continue;
      }
      if (line.invalidUtf8) open.flags.add('invalid-utf8');
      if (line.truncated) open.flags.add('line-truncated');
      ctx.progress(line.offset, src.size);
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const done = close();
    if (done) yield done;
    const reason = error instanceof Error ? error.message : String(error);
    yield problem(`${src.keyPrefix}read`, `chat text ends early: ${reason}`, { file: src.file });
  }
  const done = close();
  if (done) yield done;
  if (orphan) {
    yield problem(
      `${src.keyPrefix}L${orphan.line}`,
      `${orphan.count} line(s) before the first dated line were not read as messages`,
      { file: src.file, line: orphan.line },
    );
  }
}

interface Pending {
  header: LineHeader;
  line: TextLine;
  sender?: string;
  body: string;
  flags: Set<string>;
}

function message(
  p: Pending,
  src: ChatSource,
  threadKey: string,
  keys: Map<string, string>,
  order: DateOrder,
  guessed: boolean,
  device: { owner: string | null; timeZone: string | null },
): MessageRecord {
  const flags = new Set(p.flags);
  const ms = headerMs(p.header, order);
  let sentAt: SourceTime | null = null;
  if (ms !== null && device.timeZone !== null) {
    const local = fromWallClock(ms, device.timeZone);
    sentAt = local.time;
    if (local.flag) flags.add(local.flag);
  } else if (ms !== null) {
    sentAt = fromUnixMs(ms);
  }
  if (ms === null) flags.add('time-unreadable');
  else if (sentAt === null) flags.add('time-out-of-range');
  // The export has no zone: without one from the examiner, the wall clock is stored as if UTC.
  else if (device.timeZone === null) flags.add('local-time-unknown-zone');
  else flags.add('time-zone-from-examiner');
  if (guessed) flags.add('date-order-guessed');
  if (p.header.buddhist || p.header.parts.some((n) => n > 2400)) flags.add('buddhist-calendar');
  if (p.sender === undefined) flags.add('system');
  else if (p.sender !== device.owner && !keys.has(p.sender)) flags.add('sender-unlisted');

  const attachments: AttachmentRecord[] = [];
  const attached = attachedFile(p.body);
  if (attached) {
    const entry = src.files.get(src.folder + attached) ?? src.byName.get(attached);
    if (!entry && src.files.size) flags.add('attachment-missing');
    attachments.push({
      name: attached,
      mime: MIME[extname(attached).toLowerCase()] ?? null,
      size: entry?.size ?? null,
      path: entry?.path ?? null,
    });
  } else {
    const note = appNote(p.body, p.header.style);
    if (note) flags.add(note);
  }

  return {
    type: 'message',
    key: `wa:${src.keyPrefix}L${p.line.number}`,
    threadKey,
    senderKey: p.sender === undefined ? null : (keys.get(p.sender) ?? null),
    direction:
      device.owner === null || p.sender === undefined
        ? 'unknown'
        : p.sender === device.owner
          ? 'outgoing'
          : 'incoming',
    sentAt,
    body: p.body,
    deleted: false,
    attachments,
    flags: [...flags],
    source: { file: src.file, line: p.line.number },
  };
}
