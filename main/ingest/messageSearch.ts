import { ToexError } from '../errors.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { EditRecord, SourceRef } from '../../workers/ingest/records.js';
import {
  segmentTranslations,
  translationsOf,
  type MessageTranslation,
  type SegmentTranslation,
} from '../translation/TranslationStore.js';
import { voiceNotesOf, type VoiceNoteTranscript } from './voiceNotes.js';

export interface MessageFilter {
  threadId?: number;
  /**
   * Words to find (all of them), folded like the index so case and accents do not matter;
   * `"a phrase"`, `word*`, `OR` and `-word` / `NOT word` as `ftsQuery` reads them.
   */
  search?: string;
  /** An identifier (E.164 number, address) or part of a name, matched against the sender. */
  participant?: string;
  direction?: 'incoming' | 'outgoing';
  /**
   * Languages as `toex detect` told them: `ro`, `sq`, `und`; `ar` takes in
   * `ar-Latn` (Arabizi) too, as a code without a subtag covers its variants.
   */
  languages?: string[];
  /** ISO dates or times, inclusive; a bare date covers that whole UTC day. */
  from?: string;
  to?: string;
  limit?: number;
  /** For paging: messages after this id in the order given. */
  afterId?: number;
  /** For paging by place: how many of the matching messages, in their order, to pass over. */
  offset?: number;
}

export interface MessageRow {
  id: number;
  evidenceId: number;
  threadId: number;
  service: string;
  threadTitle: string | null;
  direction: string;
  sender: string | null;
  senderName: string | null;
  /** The name an address book in the case (contacts2.db, wa.db, iOS, UFDR) saves the sender's number under. */
  savedName: string | null;
  sentAt: string | null;
  utcOffsetMinutes: number | null;
  body: string | null;
  deleted: boolean;
  flags: string[];
  attachments: number;
  /** Its audio attachments copied into the case, with their transcripts and their translations. */
  voiceNotes: (VoiceNoteTranscript & { translations: SegmentTranslation[] })[];
  /** What it quotes, as a reply: the message replied to when it is in the case, and the quoted text. */
  quote: { messageId: number | null; text: string | null } | null;
  /** Every version of its text the source keeps, oldest first, when it was edited. */
  history: EditRecord[];
  /** Its machine translations, each at its newest (reviewed) version. */
  translations: MessageTranslation[];
  /** Its language as `toex detect` told it, null before detection. */
  language: { code: string; confidence: number; reliable: boolean } | null;
  source: SourceRef;
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/** Past this many words and phrases a search is no examiner's query, and would take minutes. */
export const MAX_SEARCH_TERMS = 64;

/** The order of every message list: dated first, by time, then by id (the list-order index's). */
const LIST_ORDER = 'm.sent_at_ms IS NULL, m.sent_at_ms, m.id';

/**
 * Makes a user's search into an FTS5 query. FTS5's syntax is a language of
 * its own, so the user gets a small one that cannot go wrong: words (all of
 * them must be there; `AND` between them says the same), `word*` for a
 * word's start, `"a phrase"`, `OR` between alternatives, and `-word` or
 * `NOT word` for words no message found may hold, whichever alternative it
 * matched. Every word and phrase is passed to FTS5 as a quoted string, so no
 * punctuation, keyword or quote in a search can turn it into an error or
 * into another query. Brackets are refused rather than dropped: dropped,
 * they would change what was asked without a word.
 */
export function ftsQuery(words: string): string {
  const groups: string[][] = [[]];
  const unwanted: string[] = [];
  let negateNext = false;
  let terms = 0;
  for (const m of words.matchAll(/(-?)"([^"]*)"?(\*?)|(\S+)/g)) {
    const token = m[0];
    if (token === 'OR') {
      groups.push([]);
      negateNext = false;
      continue;
    }
    if (token === 'AND') continue;
    if (token === 'NOT' || token === '-') {
      negateNext = true;
      continue;
    }
    let text: string;
    let prefix: boolean;
    let negative = negateNext;
    negateNext = false;
    if (m[4] === undefined) {
      negative ||= m[1] === '-';
      text = m[2]!;
      prefix = m[3] === '*';
    } else {
      if (/^-?\(|\)$/.test(token)) {
        throw new ToexError(
          'bad-input',
          'brackets are not read in a search: write the alternatives with OR, and -word for words to leave out',
        );
      }
      const minus = token.length > 1 && token.startsWith('-');
      negative ||= minus;
      const bare = minus ? token.slice(1) : token;
      prefix = bare.endsWith('*');
      // A quote inside a word means nothing; dropped, it cannot end the string early.
      text = (prefix ? bare.slice(0, -1) : bare).replace(/"/g, '');
    }
    if (!HAS_WORD.test(text)) continue;
    if ((terms += 1) > MAX_SEARCH_TERMS) {
      throw new ToexError(
        'bad-input',
        `a search takes at most ${MAX_SEARCH_TERMS} words and phrases`,
      );
    }
    const fts = `"${text.trim()}"${prefix ? '*' : ''}`;
    if (negative) unwanted.push(fts);
    else groups.at(-1)!.push(fts);
  }
  if (negateNext) {
    throw new ToexError(
      'bad-input',
      'the search ends in NOT or -: say which word to leave out after it',
    );
  }
  const used = groups.filter((g) => g.length > 0);
  if (used.length === 0) {
    throw new ToexError(
      'bad-input',
      unwanted.length
        ? 'a search needs a word to find as well as words to leave out (-word, NOT word)'
        : 'give at least one word to search for',
    );
  }
  const wanted = used.map((g) => `(${g.join(' AND ')})`).join(' OR ');
  return unwanted.length ? `(${wanted})${unwanted.map((u) => ` NOT ${u}`).join('')}` : wanted;
}

function boundary(value: string, end: boolean, what: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  // Date.parse rolls 2020-02-30 over into March; a day that does not exist is refused instead.
  const realDay =
    Number.isFinite(ms) && (!dateOnly || new Date(ms).toISOString().slice(0, 10) === value);
  if (!realDay) {
    throw new ToexError(
      'bad-input',
      `${what} "${value}" is not a date (use 2024-03-09 or an ISO time)`,
    );
  }
  return dateOnly && end ? ms + 86_400_000 - 1 : ms;
}

/** For each identifier given, the first (alphabetically) name an address book saves it under. */
function savedNames(db: Db, identifiers: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (identifiers.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT j.value AS identifier, min(c.name) AS name
       FROM contacts c, json_each(c.identifiers) j
       WHERE c.name IS NOT NULL AND j.value IN (SELECT value FROM json_each(?))
       GROUP BY j.value`,
    )
    .all(JSON.stringify([...new Set(identifiers)])) as { identifier: string; name: string }[];
  for (const r of rows) out.set(r.identifier, r.name);
  return out;
}

interface Row {
  id: number;
  evidence_id: number;
  thread_id: number;
  service: string;
  title: string | null;
  direction: string;
  identifier: string | null;
  name: string | null;
  sent_at: string | null;
  utc_offset_minutes: number | null;
  body: string | null;
  deleted: number;
  flags: string;
  source: string;
  attachments: number;
  quote: string | null;
  quote_id: number | null;
  history: string | null;
  language: string | null;
  confidence: number | null;
  reliable: number | null;
}

/**
 * Messages matching every filter given, in time order (undated last), oldest
 * first. A word search comes in the order the messages were read instead
 * (each item's own order): the index hands its matches over in that order,
 * so the first page of a word found a million times costs no more than one
 * found ten times, where sorting every match by time would not. A word search
 * also finds the messages whose voice notes' transcripts, or whose
 * translations (at their newest version), hold the words.
 */
/** The filters other than the word search, as SQL over `messages m` joined to the sender `p`. */
function filterConditions(filter: MessageFilter): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.threadId !== undefined) {
    where.push('m.thread_id = ?');
    args.push(filter.threadId);
  }
  if (filter.participant !== undefined) {
    // A name an address book in the case saves the sender's number under counts as theirs.
    where.push(
      `(p.identifier = ? OR p.raw = ? OR p.name LIKE ? OR p.identifier IN (
         SELECT j.value FROM contacts c, json_each(c.identifiers) j WHERE c.name LIKE ?))`,
    );
    args.push(
      filter.participant,
      filter.participant,
      `%${filter.participant}%`,
      `%${filter.participant}%`,
    );
  }
  if (filter.direction !== undefined) {
    where.push('m.direction = ?');
    args.push(filter.direction);
  }
  if (filter.languages !== undefined && filter.languages.length > 0) {
    where.push(
      `m.id IN (SELECT message_id FROM message_languages
        WHERE ${filter.languages.map(() => '(language = ? OR language LIKE ?)').join(' OR ')})`,
    );
    for (const code of filter.languages) args.push(code, `${code}-%`);
  }
  if (filter.from !== undefined) {
    where.push('m.sent_at_ms >= ?');
    args.push(boundary(filter.from, false, '--from'));
  }
  if (filter.to !== undefined) {
    where.push('m.sent_at_ms <= ?');
    args.push(boundary(filter.to, true, '--to'));
  }
  if (filter.afterId !== undefined) {
    where.push('m.id > ?');
    args.push(filter.afterId);
  }
  return { where, args };
}

export function searchMessages(db: Db, filter: MessageFilter): MessageRow[] {
  const { where, args } = filterConditions(filter);
  const limit = Math.min(Math.max(1, filter.limit ?? 1000), 100_000);
  const offset = Math.max(0, filter.offset ?? 0);
  // `first` holds the values of the placeholders in `from` and `match`, which come before the filters'.
  const select = (
    from: string,
    match: string | null,
    first: unknown[],
    order: string,
    take = limit,
    skip = offset,
  ) =>
    db
      .prepare(
        `SELECT m.id, m.evidence_id, m.thread_id, t.service, t.title, m.direction, p.identifier, p.name,
           m.sent_at, m.utc_offset_minutes, m.body, m.deleted, m.flags, m.source, m.quote, m.history,
           CASE WHEN m.quote IS NULL THEN NULL ELSE (SELECT q.id FROM messages q
             WHERE q.evidence_id = m.evidence_id AND q.key = json_extract(m.quote, '$.key'))
           END AS quote_id,
           (SELECT count(*) FROM attachments a WHERE a.message_id = m.id) AS attachments,
           ml.language, ml.confidence, ml.reliable
         FROM ${from}
           JOIN threads t ON t.id = m.thread_id LEFT JOIN participants p ON p.id = m.sender_id
           LEFT JOIN message_languages ml ON ml.message_id = m.id
         ${match || where.length ? `WHERE ${[...(match ? [match] : []), ...where].join(' AND ')}` : ''}
         ORDER BY ${order} LIMIT ${take} OFFSET ${skip}`,
      )
      .all(...first, ...args) as Row[];

  let rows: Row[];
  if (filter.search === undefined) {
    // The page's ids first, walking the list-order index alone; only they are then read whole,
    // so a page at the end of a million costs a walk of the index, not a million rows read.
    const ids = db
      .prepare(
        `SELECT m.id FROM messages m LEFT JOIN participants p ON p.id = m.sender_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${LIST_ORDER} LIMIT ${limit} OFFSET ${offset}`,
      )
      .pluck()
      .all(...args) as number[];
    rows = select(
      'messages m',
      'm.id IN (SELECT value FROM json_each(?))',
      [JSON.stringify(ids)],
      LIST_ORDER,
      limit,
      0,
    );
  } else {
    const query = ftsQuery(filter.search);
    // Each source is read from its start, as the page's place is in their union.
    const upTo = (from: string, match: string | null, first: unknown[], order: string) =>
      select(from, match, first, order, limit + offset, 0);
    const inText = upTo(
      'messages_fts f JOIN messages m ON m.id = f.rowid',
      'messages_fts MATCH ?',
      [query],
      'f.rowid',
    );
    const inVoiceNotes = upTo(
      `(SELECT DISTINCT v.message_id FROM transcript_fts tf
          JOIN transcripts tr ON tr.id = tf.rowid
          JOIN voice_notes v ON v.evidence_id = tr.evidence_id
        WHERE transcript_fts MATCH ?) vm JOIN messages m ON m.id = vm.message_id`,
      null,
      [query],
      'm.id',
    );
    const inTranslations = upTo(
      `(SELECT DISTINCT t.message_id FROM translations_fts tf JOIN translations t ON t.id = tf.rowid
        WHERE translations_fts MATCH ?) tm JOIN messages m ON m.id = tm.message_id`,
      null,
      [query],
      'm.id',
    );
    const seen = new Set(inText.map((r) => r.id));
    const more = [...inVoiceNotes, ...inTranslations].filter((r) => {
      if (seen.has(r.id)) return false;
      seen.add(r.id);
      return true;
    });
    rows = [...inText, ...more].sort((a, b) => a.id - b.id).slice(offset, offset + limit);
  }
  const saved = savedNames(
    db,
    rows.map((r) => r.identifier).filter((i): i is string => i !== null),
  );
  const notes = voiceNotesOf(
    db,
    rows.filter((r) => r.attachments > 0).map((r) => r.id),
  );
  const translated = translationsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    evidenceId: r.evidence_id,
    threadId: r.thread_id,
    service: r.service,
    threadTitle: r.title,
    direction: r.direction,
    sender: r.identifier,
    senderName: r.name,
    savedName: r.identifier === null ? null : (saved.get(r.identifier) ?? null),
    sentAt: r.sent_at,
    utcOffsetMinutes: r.utc_offset_minutes,
    body: r.body,
    deleted: r.deleted === 1,
    flags: JSON.parse(r.flags) as string[],
    attachments: r.attachments,
    voiceNotes: (notes.get(r.id) ?? []).map((note) => ({
      ...note,
      translations:
        note.transcriptId === null || note.version === null || note.state !== 'done'
          ? []
          : [...segmentTranslations(db, note.transcriptId, note.version).values()].flat(),
    })),
    translations: translated.get(r.id) ?? [],
    history: r.history === null ? [] : (JSON.parse(r.history) as EditRecord[]),
    language:
      r.language === null
        ? null
        : { code: r.language, confidence: r.confidence ?? 0, reliable: r.reliable === 1 },
    quote:
      r.quote === null
        ? null
        : { messageId: r.quote_id, text: (JSON.parse(r.quote) as { text: string | null }).text },
    source: JSON.parse(r.source) as SourceRef,
  }));
}

/** How many messages `searchMessages` would find with this filter, without paging. */
export function countMessages(db: Db, filter: MessageFilter): number {
  const { where, args } = filterConditions(filter);
  const first: unknown[] = [];
  if (filter.search !== undefined) {
    const query = ftsQuery(filter.search);
    where.unshift(
      `m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?
        UNION SELECT v.message_id FROM transcript_fts tf JOIN transcripts tr ON tr.id = tf.rowid
          JOIN voice_notes v ON v.evidence_id = tr.evidence_id WHERE transcript_fts MATCH ?
        UNION SELECT t.message_id FROM translations_fts tf JOIN translations t ON t.id = tf.rowid
          WHERE translations_fts MATCH ?)`,
    );
    first.push(query, query, query);
  }
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM messages m LEFT JOIN participants p ON p.id = m.sender_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    )
    .get(...first, ...args) as { n: number };
  return row.n;
}

export interface ContactSummary {
  identifier: string;
  /** The names given to them where they appear, and those they are saved under in address books. */
  names: string[];
  kind: string;
  /** The evidence items (devices) this identifier appears in, address books included. */
  evidenceIds: number[];
  messagesFrom: number;
  messagesTo: number;
  calls: number;
  first: string | null;
  last: string | null;
}

/**
 * Who the devices talk to: per identifier across every item in the case,
 * messages from them, messages to threads they are in, calls, and the first
 * and last time. The data behind the network view. Only those who appear in
 * messages or calls are listed; an address book adds names, not people.
 */
export function contactSummary(db: Db): ContactSummary[] {
  const rows = db
    .prepare(
      `WITH kinds AS (
         SELECT identifier, min(kind) AS kind FROM participants GROUP BY identifier
       ),
       -- The names they go by where they appear, and those their numbers and addresses
       -- are saved under in any address book in the case (contacts2.db, wa.db, iOS, UFDR).
       named AS (
         SELECT identifier, name, evidence_id FROM participants
         UNION
         SELECT j.value, c.name, c.evidence_id FROM contacts c, json_each(c.identifiers) j
         WHERE j.value IN (SELECT identifier FROM kinds)
       ),
       people AS (
         SELECT identifier, kind,
           json_group_array(DISTINCT name ORDER BY name) FILTER (WHERE name IS NOT NULL) AS names,
           json_group_array(DISTINCT evidence_id ORDER BY evidence_id) AS items
         FROM kinds JOIN named USING (identifier) GROUP BY identifier
       ),
       sent AS (
         SELECT p.identifier, count(*) AS n, min(m.sent_at) AS first, max(m.sent_at) AS last
         FROM messages m JOIN participants p ON p.id = m.sender_id GROUP BY p.identifier
       ),
       received AS (
         SELECT p.identifier, count(*) AS n, min(m.sent_at) AS first, max(m.sent_at) AS last
         FROM messages m JOIN thread_participants tp ON tp.thread_id = m.thread_id
           JOIN participants p ON p.id = tp.participant_id
         -- A draft was never sent to anyone.
         WHERE m.direction = 'outgoing' AND m.flags NOT LIKE '%"draft"%' GROUP BY p.identifier
       ),
       called AS (
         SELECT p.identifier, count(*) AS n, min(c.started_at) AS first, max(c.started_at) AS last
         FROM calls c JOIN participants p ON p.id = c.participant_id GROUP BY p.identifier
       )
       SELECT people.identifier, people.kind, people.names, people.items,
         coalesce(sent.n, 0) AS messages_from, coalesce(received.n, 0) AS messages_to,
         coalesce(called.n, 0) AS calls,
         min(coalesce(sent.first, '~'), coalesce(received.first, '~'), coalesce(called.first, '~')) AS first,
         max(coalesce(sent.last, ''), coalesce(received.last, ''), coalesce(called.last, '')) AS last
       FROM people LEFT JOIN sent USING (identifier) LEFT JOIN received USING (identifier)
         LEFT JOIN called USING (identifier)
       ORDER BY messages_from + messages_to + calls DESC, people.identifier`,
    )
    .all() as {
    identifier: string;
    kind: string;
    names: string | null;
    items: string;
    messages_from: number;
    messages_to: number;
    calls: number;
    first: string;
    last: string;
  }[];
  return rows.map((r) => ({
    identifier: r.identifier,
    names: JSON.parse(r.names ?? '[]') as string[],
    kind: r.kind,
    evidenceIds: JSON.parse(r.items) as number[],
    messagesFrom: r.messages_from,
    messagesTo: r.messages_to,
    calls: r.calls,
    first: r.first === '~' ? null : r.first,
    last: r.last === '' ? null : r.last,
  }));
}
