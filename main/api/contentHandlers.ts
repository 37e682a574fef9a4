import { ToexError } from '../errors.js';
import { contactSummary, countMessages, searchMessages } from '../ingest/messageSearch.js';
import type { CaseStore } from '../cases/CaseStore.js';
import type { ApiService, Handlers } from './ApiService.js';
import type { MessageFilter, NetworkView, ThreadView, TranscriptView } from './contract.js';
import { audioMime, messageView, segmentView, transcriptSummary } from './views.js';

function transcriptView(store: CaseStore, transcriptId: number): TranscriptView {
  const t = store.transcripts.get(transcriptId);
  const summary = transcriptSummary(store, t);
  const segments = summary.state === 'done' ? store.transcripts.segmentsAt(t.id) : [];
  return {
    transcript: summary,
    segments: segments.map(segmentView),
    audio: {
      path: `/media/${store.info.id}/${t.evidenceId}`,
      mime: audioMime(summary.name),
    },
  };
}

function searchFilter(filter: MessageFilter) {
  return {
    ...filter,
    ...(filter.search?.trim() ? { search: filter.search } : { search: undefined }),
  };
}

/**
 * Every thread, the one written in last first. Counts and times come from
 * the thread index alone (one pass over it), so a phone of tens of thousands
 * of threads and a million messages is listed without reading the messages.
 */
function threads(store: CaseStore): ThreadView[] {
  const rows = store.db
    .prepare(
      `SELECT t.id, t.evidence_id AS evidenceId, t.service, t.title,
         (SELECT group_concat(coalesce(p.name, p.identifier), ', ') FROM thread_participants tp
           JOIN participants p ON p.id = tp.participant_id WHERE tp.thread_id = t.id) AS people,
         coalesce(s.n, 0) AS messages, s.last_ms AS lastMs
       FROM threads t LEFT JOIN (
         SELECT thread_id, count(*) AS n, max(sent_at_ms) AS last_ms FROM messages GROUP BY thread_id
       ) s ON s.thread_id = t.id
       ORDER BY s.last_ms IS NULL, s.last_ms DESC, t.id`,
    )
    .all() as (Omit<ThreadView, 'last'> & { lastMs: number | null })[];
  return rows.map(({ lastMs, ...t }) => ({
    ...t,
    last: lastMs === null ? null : new Date(lastMs).toISOString(),
  }));
}

/** Past this many people the drawing is a hairball; the busiest are shown. */
const MAX_PEOPLE = 150;

/**
 * Who talks to whom: each extraction is a device, each identifier seen in one
 * a person, and an edge joins a device to a person with the messages they
 * sent to each other and their calls. A person seen on two devices joins them.
 */
// Not yet: two people in one group chat are not joined to each other, only to the device.
function network(store: CaseStore): NetworkView {
  const db = store.db;
  const messageEdges = db
    .prepare(
      `SELECT m.evidence_id AS device, p.identifier, count(*) AS n
       FROM messages m JOIN thread_participants tp ON tp.thread_id = m.thread_id
         JOIN participants p ON p.id = tp.participant_id
       WHERE m.sender_id = p.id OR (m.direction = 'outgoing' AND m.flags NOT LIKE '%"draft"%')
       GROUP BY m.evidence_id, p.identifier`,
    )
    .all() as { device: number; identifier: string; n: number }[];
  const callEdges = db
    .prepare(
      `SELECT c.evidence_id AS device, p.identifier, count(*) AS n
       FROM calls c JOIN participants p ON p.id = c.participant_id GROUP BY c.evidence_id, p.identifier`,
    )
    .all() as { device: number; identifier: string; n: number }[];

  const edges = new Map<string, NetworkView['edges'][number]>();
  const edge = (device: number, identifier: string) => {
    const key = `${device}\u0000${identifier}`;
    let e = edges.get(key);
    if (!e) {
      e = { source: `device:${device}`, target: `person:${identifier}`, messages: 0, calls: 0 };
      edges.set(key, e);
    }
    return e;
  };
  for (const r of messageEdges) edge(r.device, r.identifier).messages += r.n;
  for (const r of callEdges) edge(r.device, r.identifier).calls += r.n;

  const people = contactSummary(db)
    .slice(0, MAX_PEOPLE)
    .map((c) => ({
      id: `person:${c.identifier}`,
      // A chat export names people by the name they go by: the name is then the identifier.
      label:
        c.names[0] && c.names[0] !== c.identifier
          ? `${c.names[0]} (${c.identifier})`
          : c.identifier,
      kind: 'person' as const,
      messages: c.messagesFrom + c.messagesTo,
      calls: c.calls,
    }));
  const shown = new Set(people.map((p) => p.id));
  const kept = [...edges.values()].filter((e) => shown.has(e.target));
  const devices = [...new Set(kept.map((e) => Number(e.source.slice(7))))].map((id) => {
    const item = store.evidence.get(id);
    const mine = kept.filter((e) => e.source === `device:${id}`);
    return {
      id: `device:${id}`,
      label: `Item ${id}${item.exhibitRef ? ` (${item.exhibitRef})` : ''}: ${item.originalName}`,
      kind: 'device' as const,
      messages: mine.reduce((n, e) => n + e.messages, 0),
      calls: mine.reduce((n, e) => n + e.calls, 0),
    };
  });
  return { nodes: [...devices, ...people], edges: kept };
}

/** Transcripts, messages and the network. */
export function contentHandlers(
  api: ApiService,
): Pick<
  Handlers,
  | 'transcripts:get'
  | 'transcripts:edit'
  | 'transcripts:history'
  | 'messages:threads'
  | 'messages:count'
  | 'messages:page'
  | 'contacts:network'
> {
  return {
    'transcripts:get': ({ caseId, transcriptId }) =>
      transcriptView(api.caseSession(caseId).store, transcriptId),

    'transcripts:edit': ({ caseId, transcriptId, segmentId, text, reason, baseVersion }) => {
      const { store } = api.freshCase(caseId);
      store.assertOpen('correcting a transcript');
      store.transcripts.edit(transcriptId, {
        changes: [{ segmentId, text }],
        reason,
        baseVersion,
      });
      return transcriptView(store, transcriptId);
    },

    'transcripts:history': ({ caseId, transcriptId, segmentId }) =>
      api
        .caseSession(caseId)
        .store.transcripts.segmentHistory(transcriptId, segmentId)
        .map((v) => ({
          version: v.version,
          text: v.text,
          speaker: v.speaker,
          author: v.author,
          createdAt: v.createdAt,
          reason: v.reason,
        })),

    'messages:threads': ({ caseId }) => threads(api.caseSession(caseId).store),

    'messages:count': ({ caseId, filter }) =>
      countMessages(api.caseSession(caseId).store.db, searchFilter(filter)),

    'messages:page': ({ caseId, filter, offset, limit }) => {
      const { store } = api.caseSession(caseId);
      if (filter.threadId !== undefined) {
        const found = store.db.prepare('SELECT 1 FROM threads WHERE id = ?').get(filter.threadId);
        if (!found) throw new ToexError('not-found', `no thread ${filter.threadId} in this case`);
      }
      return searchMessages(store.db, { ...searchFilter(filter), offset, limit }).map(messageView);
    },

    'contacts:network': ({ caseId }) => network(api.caseSession(caseId).store),
  };
}
