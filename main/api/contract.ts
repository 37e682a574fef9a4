/**
 * The one API contract between the window and the services: every operation
 * the UI can ask for, with the schema of what it takes and what it returns.
 * Both sides validate against it: main before it acts (a renderer is never
 * trusted), the renderer before it shows (a reply that does not fit is a bug,
 * caught at the boundary). The desktop app binds it to IPC, web mode to a
 * loopback HTTP server; the renderer cannot tell them apart.
 *
 * Shared code: it imports zod and the error kinds, nothing of Node or the DOM.
 */
import { z } from 'zod';

import { ERROR_KINDS } from '../errorKinds.js';

const id = z.number().int().positive();
const caseId = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max);

export const apiError = z.object({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiError>;

export const caseSummary = z.object({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  owner: z.string(),
  classification: z.string(),
  status: z.enum(['open', 'closed']),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type CaseSummary = z.infer<typeof caseSummary>;

export const evidenceView = z.object({
  id,
  exhibitRef: z.string().nullable(),
  originalName: z.string(),
  size: z.number(),
  sha256: z.string(),
  md5: z.string(),
  importedBy: z.string(),
  importedAt: z.string(),
  /** What the item is to the workstation: a recording, an extraction read into messages, or a file. */
  role: z.enum(['recording', 'extraction', 'file']),
  /** The newest outcome of a verification of its stored copy, or null before the first. */
  verified: z.enum(['ok', 'mismatch', 'missing']).nullable(),
});
export type EvidenceView = z.infer<typeof evidenceView>;

export const jobStates = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;

export const jobView = z.object({
  id: z.string(),
  kind: z.string(),
  /** What the job works on, in words: "item 3", "transcript 2", "the case's messages". */
  subject: z.string(),
  state: z.enum(jobStates),
  progress: z.number().min(0).max(1),
  stage: z.string().nullable(),
  error: z.string().nullable(),
  /** What a finished job did, in a line ("250 messages, 3 threads..."). */
  outcome: z.string().nullable(),
  cancelRequested: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type JobView = z.infer<typeof jobView>;

export const transcriptSummary = z.object({
  id,
  evidenceId: id,
  name: z.string(),
  jobId: z.string(),
  state: z.enum(jobStates),
  modelId: z.string(),
  language: z.string().nullable(),
  durationMs: z.number(),
  version: z.number(),
  signedOff: z.boolean(),
});
export type TranscriptSummary = z.infer<typeof transcriptSummary>;

export const caseOverview = z.object({
  case: caseSummary,
  evidence: z.array(evidenceView),
  jobs: z.array(jobView),
  transcripts: z.array(transcriptSummary),
  messages: z.number(),
  threads: z.number(),
});
export type CaseOverview = z.infer<typeof caseOverview>;

export const wordView = z.object({
  text: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  p: z.number(),
});

export const segmentView = z.object({
  id,
  startMs: z.number(),
  endMs: z.number(),
  speaker: z.string().nullable(),
  text: z.string(),
  machineText: z.string(),
  /** The machine's words with their times; once the text is edited they no longer match it. */
  words: z.array(wordView),
  edited: z.boolean(),
  /** The machine was unsure: words below the threshold, or a segment flagged by the engine. */
  lowConfidence: z.boolean(),
});
export type SegmentView = z.infer<typeof segmentView>;

export const transcriptView = z.object({
  transcript: transcriptSummary,
  segments: z.array(segmentView),
  /** Where the renderer fetches the recording: a path under the API's media root. */
  audio: z.object({ path: z.string(), mime: z.string() }),
});
export type TranscriptView = z.infer<typeof transcriptView>;

export const segmentHistory = z.array(
  z.object({
    version: z.number(),
    text: z.string(),
    speaker: z.string().nullable(),
    author: z.string(),
    createdAt: z.string(),
    reason: z.string(),
  }),
);
export type SegmentHistory = z.infer<typeof segmentHistory>;

export const threadView = z.object({
  id,
  evidenceId: id,
  service: z.string(),
  title: z.string().nullable(),
  /** Who is in it besides the device's owner: names where known, else numbers and addresses. */
  people: z.string().nullable(),
  messages: z.number(),
  last: z.string().nullable(),
});
export type ThreadView = z.infer<typeof threadView>;

export const messageFilter = z.object({
  threadId: id.optional(),
  search: text(500).optional(),
  /** A sender: an identifier (E.164 number, address) or part of a name, saved names included. */
  participant: text(200).min(1).optional(),
  direction: z.enum(['incoming', 'outgoing']).optional(),
  languages: z
    .array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{4})?$/))
    .max(20)
    .optional(),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export type MessageFilter = z.infer<typeof messageFilter>;

export const messageView = z.object({
  id,
  threadId: id,
  threadTitle: z.string().nullable(),
  service: z.string(),
  direction: z.string(),
  sender: z.string().nullable(),
  senderName: z.string().nullable(),
  sentAt: z.string().nullable(),
  body: z.string().nullable(),
  deleted: z.boolean(),
  /** As detected, with `?` after a guess the detector was unsure of (`de?`). */
  language: z.string().nullable(),
  /** What the source says of it: `local-time-unknown-zone`, `draft`, `date-order-guessed`... */
  flags: z.array(z.string()),
  translation: z
    .object({ text: z.string(), confidence: z.number(), flags: z.array(z.string()) })
    .nullable(),
  voiceNote: z.string().nullable(),
});
export type MessageView = z.infer<typeof messageView>;

export const networkView = z.object({
  nodes: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      /** A device (an extraction) or a person seen in one. */
      kind: z.enum(['device', 'person']),
      messages: z.number(),
      calls: z.number(),
    }),
  ),
  edges: z.array(
    z.object({ source: z.string(), target: z.string(), messages: z.number(), calls: z.number() }),
  ),
});
export type NetworkView = z.infer<typeof networkView>;

export const auditView = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  hash: z.string(),
});
export type AuditView = z.infer<typeof auditView>;

const empty = z.object({});

/** Every operation, by its channel name (`domain:verb`). */
export const operations = {
  'session:state': {
    input: empty,
    output: z.object({
      initialised: z.boolean(),
      unlocked: z.boolean(),
      operator: z.string().nullable(),
    }),
  },
  /** First-time set-up of an empty data folder: the recovery key comes back this once only. */
  'session:init': {
    input: z.object({ operator: text(100).min(1), passphrase: z.string().min(1).max(1024) }),
    output: z.object({ operator: z.string(), recoveryKey: z.string() }),
  },
  'session:unlock': {
    input: z.object({ passphrase: z.string().min(1).max(1024) }),
    output: z.object({ operator: z.string() }),
  },
  'session:lock': { input: empty, output: empty },
  'cases:list': { input: empty, output: z.array(caseSummary) },
  'cases:create': {
    input: z.object({
      reference: text(100).min(1),
      title: text(300).min(1),
      owner: text(200).min(1),
      classification: text(40).min(1),
    }),
    output: caseSummary,
  },
  'cases:open': { input: z.object({ caseId }), output: caseOverview },
  'evidence:import': {
    input: z.object({
      caseId,
      stagedId: z.string().regex(/^[0-9a-f]{32}$/),
      exhibitRef: text(100).optional(),
    }),
    output: z.object({ item: evidenceView, duplicate: z.boolean() }),
  },
  'evidence:verify': { input: z.object({ caseId }), output: jobView },
  'models:speech': {
    input: empty,
    output: z.array(z.object({ id: z.string(), installed: z.boolean(), languages: z.string() })),
  },
  'transcribe:start': {
    input: z.object({
      caseId,
      evidenceIds: z
        .array(id)
        .min(1)
        .max(500)
        .refine((ids) => new Set(ids).size === ids.length, 'an item is given twice'),
      modelId: z.string().regex(/^[a-z0-9.-]{1,64}$/),
    }),
    output: z.array(jobView),
  },
  'ingest:start': {
    input: z.object({
      caseId,
      evidenceId: id,
      region: z
        .string()
        .regex(/^[A-Za-z]{2}$/)
        .optional(),
    }),
    output: jobView,
  },
  'translate:start': { input: z.object({ caseId }), output: z.array(jobView) },
  'jobs:list': { input: z.object({ caseId }), output: z.array(jobView) },
  'jobs:cancel': {
    input: z.object({ caseId, jobId: z.string().regex(/^[0-9a-f-]{4,36}$/) }),
    output: jobView,
  },
  'transcripts:get': { input: z.object({ caseId, transcriptId: id }), output: transcriptView },
  'transcripts:edit': {
    input: z.object({
      caseId,
      transcriptId: id,
      segmentId: id,
      text: text(10_000).min(1),
      reason: text(500).min(1),
      /** The version the officer was reading: a save made since by someone else is not overwritten. */
      baseVersion: z.number().int().min(1),
    }),
    output: transcriptView,
  },
  'transcripts:history': {
    input: z.object({ caseId, transcriptId: id, segmentId: id }),
    output: segmentHistory,
  },
  'messages:threads': { input: z.object({ caseId }), output: z.array(threadView) },
  'messages:count': { input: z.object({ caseId, filter: messageFilter }), output: z.number() },
  'messages:page': {
    input: z.object({
      caseId,
      filter: messageFilter,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(500),
    }),
    output: z.array(messageView),
  },
  'contacts:network': { input: z.object({ caseId }), output: networkView },
  'audit:list': {
    input: z.object({
      caseId,
      afterSeq: z.number().int().min(0).optional(),
      /** The newest `limit` entries instead of those after `afterSeq`. */
      newest: z.boolean().optional(),
      limit: z.number().int().min(1).max(1000),
    }),
    output: z.array(auditView),
  },
  'audit:verify': {
    input: z.object({ caseId }),
    output: z.object({ entries: z.number(), problems: z.array(z.string()) }),
  },
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type Input<N extends OperationName> = z.input<Operations[N]['input']>;
export type Output<N extends OperationName> = z.output<Operations[N]['output']>;

export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}

/** Every reply: the value, or an error of a kind the caller can act on and a line it can show. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function envelopeOf<N extends OperationName>(name: N) {
  return z.union([
    z.object({ ok: z.literal(true), value: operations[name].output }),
    z.object({ ok: z.literal(false), error: apiError }),
  ]);
}

/** What main pushes to the window: a job's progress and state, as it changes. */
export const jobEvent = z.object({ type: z.literal('job'), caseId, job: jobView });
export type ApiEvent = z.infer<typeof jobEvent>;

/** The IPC channels of the desktop app's bridge. */
export const CHANNEL_CALL = 'api:call';
export const CHANNEL_EVENT = 'api:event';
export const CHANNEL_STAGE = 'files:pick';
