import type { FileFormat, ParseContext } from '../formats.js';
import { fromWallClock } from '../localTime.js';
import type {
  AttachmentRecord,
  IngestRecord,
  MessageRecord,
  SourceRef,
  SourceTime,
} from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import { readJsonFile } from '../tabular/jsonRecords.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Telegram Desktop export's opening: a chat ({"name", "type", "id",
 * "messages"}) or a whole account ({"about", "chats": {"list": …}}), told by
 * its keys, not its name (result.json).
 */
function looksLikeTelegram(head: Buffer): boolean {
  const text = head
    .subarray(0, 64 * 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (!/^\s*\{/.test(text)) return false;
  const single =
    /"messages"\s*:\s*\[/.test(text) &&
    (/"date_unixtime"\s*:/.test(text) || /"from_id"\s*:\s*"(user|channel|chat)\d+"/.test(text));
  const account = /"chats"\s*:\s*\{\s*"about"|"chats"\s*:\s*\{\s*"list"/.test(text);
  return single || account;
}

/** Telegram's text: a string, or an array of strings and {type, text} entities, joined. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (!Array.isArray(value)) return null;
  const joined = value
    .map((part) =>
      typeof part === 'string' ? part : isObject(part) ? String(part.text ?? '') : '',
    )
    .join('');
  return joined || null;
}

/** The message's time: date_unixtime is UTC; `date` alone is the exporting computer's wall clock. */
function timeOf(m: Json, ctx: ParseContext, flags: string[]): SourceTime | null {
  const unix = typeof m.date_unixtime === 'string' ? Number(m.date_unixtime) : NaN;
  if (Number.isFinite(unix)) {
    const t = fromUnixMs(unix * 1000);
    if (!t) flags.push('time-out-of-range');
    return t;
  }
  const wall = typeof m.date === 'string' ? Date.parse(`${m.date}Z`) : NaN;
  if (!Number.isFinite(wall)) {
    flags.push('time-unreadable');
    return null;
  }
  if (ctx.timeZone) {
    const local = fromWallClock(wall, ctx.timeZone);
    if (local.flag) flags.push(local.flag);
    flags.push('time-zone-from-examiner');
    return local.time;
  }
  flags.push('local-time-unknown-zone');
  return fromUnixMs(wall);
}

function attachmentsOf(m: Json): AttachmentRecord[] {
  const out: AttachmentRecord[] = [];
  for (const field of ['photo', 'file', 'thumbnail'] as const) {
    const path = m[field];
    if (field === 'thumbnail' && out.length > 0) continue;
    if (typeof path !== 'string' || !path) continue;
    // An export made without media writes a note where the path would be.
    const missing = /^\(File not included/i.test(path);
    out.push({
      name: missing
        ? typeof m.file_name === 'string'
          ? m.file_name
          : null
        : path.slice(path.lastIndexOf('/') + 1),
      mime: typeof m.mime_type === 'string' ? m.mime_type : field === 'photo' ? 'image/jpeg' : null,
      size: typeof m.file_size === 'number' ? m.file_size : null,
      path: missing ? null : path,
    });
  }
  return out;
}

/**
 * A Telegram Desktop JSON export (result.json): one chat, or every chat of
 * an account. Each chat is a thread and each sender a person keyed by their
 * Telegram id (`user123`, not a phone number); a service message (joined,
 * pinned, called) is kept flagged `system` with its action; a reply keeps
 * the message it answers; media keep their path in the export folder.
 * Every record points back to its place in the JSON (`/chats/list/2/messages/15`).
 */
export const telegramJson: FileFormat = {
  kind: 'file',
  id: 'telegram.desktop-json',
  label: 'Telegram Desktop export (result.json)',

  matches(file) {
    return looksLikeTelegram(file.head);
  },

  async *parse(ctx) {
    const file = ctx.file.name;
    const root = await readJsonFile(ctx.file.path);
    if (!isObject(root)) return;
    const chats: { chat: Json; at: string }[] = [];
    const list = isObject(root.chats) ? root.chats.list : undefined;
    if (Array.isArray(list)) {
      list.forEach((c, i) => {
        if (isObject(c)) chats.push({ chat: c, at: `/chats/list/${i}` });
      });
    } else chats.push({ chat: root, at: '' });

    const people = new Set<string>();
    const total = chats.reduce(
      (n, c) => n + (Array.isArray(c.chat.messages) ? c.chat.messages.length : 0),
      0,
    );
    let done = 0;
    const owner = ctx.ownerName?.normalize('NFC');
    for (const { chat, at } of chats) {
      const chatId = String(chat.id ?? at);
      const threadKey = `tg:${chatId}`;
      const messages = Array.isArray(chat.messages) ? chat.messages : [];
      const source: SourceRef = { file, jsonPath: at };
      const person = function* (
        id: unknown,
        name: unknown,
      ): Generator<IngestRecord, string | null> {
        const handle =
          typeof id === 'string' && id ? id : typeof name === 'string' && name ? name : null;
        if (handle === null) return null;
        const key = `p:telegram:${handle}`;
        if (!people.has(key)) {
          people.add(key);
          yield {
            type: 'participant',
            key,
            identifier: `telegram:${handle}`,
            raw: handle,
            name: typeof name === 'string' && name ? name : null,
            kind: 'handle',
            source,
          };
        }
        return key;
      };
      const members: string[] = [];
      for (const m of messages) {
        if (!isObject(m) || (owner !== undefined && m.from === owner)) continue;
        const key = yield* person(m.from_id ?? m.actor_id, m.from ?? m.actor);
        if (key && !members.includes(key)) members.push(key);
      }
      yield {
        type: 'thread',
        key: threadKey,
        service: 'telegram',
        title: typeof chat.name === 'string' ? chat.name : null,
        isGroup:
          typeof chat.type === 'string' ? !/personal|saved/.test(chat.type) : members.length > 1,
        participantKeys: members,
        source,
      };
      for (const [i, m] of messages.entries()) {
        ctx.signal.throwIfAborted();
        if (!isObject(m)) continue;
        const flags: string[] = [];
        const service = m.type === 'service';
        if (service) {
          flags.push('system');
          if (typeof m.action === 'string') flags.push(`system-action-${m.action}`);
        }
        const from = m.from ?? m.actor;
        const mine = owner !== undefined && from === owner;
        const sender = mine ? null : yield* person(m.from_id ?? m.actor_id, from);
        if (typeof m.edited === 'string' || typeof m.edited_unixtime === 'string') {
          flags.push('edited');
        }
        if (typeof m.forwarded_from === 'string') flags.push('forwarded');
        const reply = typeof m.reply_to_message_id === 'number' ? m.reply_to_message_id : null;
        const sentAt = timeOf(m, ctx, flags);
        if (service && m.action === 'phone_call') {
          // A call is a service message in the chat; it is a call as well.
          yield {
            type: 'call',
            key: `${threadKey}:${String(m.id ?? `#${i}`)}:call`,
            participantKey: sender ?? members[0] ?? null,
            direction:
              m.discard_reason === 'missed'
                ? 'missed'
                : m.discard_reason === 'busy'
                  ? 'rejected'
                  : owner === undefined
                    ? 'unknown'
                    : mine
                      ? 'outgoing'
                      : 'incoming',
            startedAt: sentAt,
            durationSeconds: typeof m.duration_seconds === 'number' ? m.duration_seconds : null,
            deleted: false,
            source: { file, jsonPath: `${at}/messages/${i}` },
          };
        }
        yield {
          type: 'message',
          key: `${threadKey}:${String(m.id ?? `#${i}`)}`,
          threadKey,
          senderKey: sender,
          direction: service || owner === undefined ? 'unknown' : mine ? 'outgoing' : 'incoming',
          sentAt,
          body: textOf(m.text),
          deleted: false,
          attachments: attachmentsOf(m),
          flags,
          ...(reply === null ? {} : { quote: { key: `${threadKey}:${reply}`, text: null } }),
          source: { file, jsonPath: `${at}/messages/${i}` },
        } satisfies MessageRecord;
        ctx.progress((done += 1), total);
      }
    }
  },
};
