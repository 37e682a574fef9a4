import { ToexError } from '../errors.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { SourceRef } from '../../workers/ingest/records.js';

export interface MessageFilter {
  threadId?: number;
  /** Words to find (all of them), folded like the index: case and accents do not matter. */
  search?: string;
  /** An identifier (E.164 number, address) or part of a name, matched against the sender. */
  participant?: string;
  direction?: 'incoming' | 'outgoing';
  /** ISO dates or times, inclusive; a bare date covers that whole UTC day. */
  from?: string;
  to?: string;
  limit?: number;
  /** For paging: messages after this id in the order given. */
  afterId?: number;
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
  sentAt: string | null;
  utcOffsetMinutes: number | null;
  body: string | null;
  deleted: boolean;
  flags: string[];
  attachments: number;
  source: SourceRef;
}

/**
 * FTS5 query syntax is a language of its own; a user's words are made into
 * quoted terms (a trailing * kept as a prefix search) so that none of its
 * operators or punctuation can turn a search into an error or another query.
 * Not yet: phrases, OR and NOT.
 */
export function ftsQuery(words: string): string {
  const terms = words
    .split(/\s+/)
    .map((w) => w.trim())
    .filter(Boolean)
    .map((w) => {
      const prefix = w.endsWith('*');
      // Quotes mean nothing in a plain search; dropped, they cannot end a term early.
      const bare = (prefix ? w.slice(0, -1) : w).replace(/"/g, '');
      return bare ? `"${bare}"${prefix ? '*' : ''}` : '';
    })
    .filter(Boolean);
  if (terms.length === 0) throw new ToexError('bad-input', 'give at least one word to search for');
  return terms.join(' ');
}

function boundary(value: string, end: boolean, what: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) {
    throw new ToexError(
      'bad-input',
      `${what} "${value}" is not a date (use 2024-03-09 or an ISO time)`,
    );
  }
  return dateOnly && end ? ms + 86_400_000 - 1 : ms;
}

/**
 * Messages matching every filter given, in time order (undated last), oldest
 * first. A word search comes in the order the messages were read instead
 * (each item's own order): the index hands its matches over in that order,
 * so the first page of a word found a million times costs no more than one
 * found ten times, where sorting every match by time would not.
 */
export function searchMessages(db: Db, filter: MessageFilter): MessageRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.threadId !== undefined) {
    where.push('m.thread_id = ?');
    args.push(filter.threadId);
  }
  const searching = filter.search !== undefined;
  if (searching) {
    where.push('messages_fts MATCH ?');
    args.push(ftsQuery(filter.search!));
  }
  if (filter.participant !== undefined) {
    where.push('(p.identifier = ? OR p.raw = ? OR p.name LIKE ?)');
    args.push(filter.participant, filter.participant, `%${filter.participant}%`);
  }
  if (filter.direction !== undefined) {
    where.push('m.direction = ?');
    args.push(filter.direction);
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
  const limit = Math.min(Math.max(1, filter.limit ?? 1000), 100_000);
  const rows = db
    .prepare(
      `SELECT m.id, m.evidence_id, m.thread_id, t.service, t.title, m.direction, p.identifier, p.name,
         m.sent_at, m.utc_offset_minutes, m.body, m.deleted, m.flags, m.source,
         (SELECT count(*) FROM attachments a WHERE a.message_id = m.id) AS attachments
       FROM ${searching ? 'messages_fts f JOIN messages m ON m.id = f.rowid' : 'messages m'}
         JOIN threads t ON t.id = m.thread_id LEFT JOIN participants p ON p.id = m.sender_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ${searching ? 'ORDER BY f.rowid' : 'ORDER BY m.sent_at_ms IS NULL, m.sent_at_ms, m.id'}
       LIMIT ${limit}`,
    )
    .all(...args) as {
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
  }[];
  return rows.map((r) => ({
    id: r.id,
    evidenceId: r.evidence_id,
    threadId: r.thread_id,
    service: r.service,
    threadTitle: r.title,
    direction: r.direction,
    sender: r.identifier,
    senderName: r.name,
    sentAt: r.sent_at,
    utcOffsetMinutes: r.utc_offset_minutes,
    body: r.body,
    deleted: r.deleted === 1,
    flags: JSON.parse(r.flags) as string[],
    attachments: r.attachments,
    source: JSON.parse(r.source) as SourceRef,
  }));
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
