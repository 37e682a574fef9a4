import type { CaseStore, CaseInfo } from '../cases/CaseStore.js';
import type { EvidenceItem } from '../evidence/EvidenceStore.js';
import type { Job } from '../jobs/JobQueue.js';
import type { MessageRow } from '../ingest/messageSearch.js';
import type { Transcript, SegmentView } from '../transcription/TranscriptStore.js';
import type {
  CaseSummary,
  EvidenceView,
  JobView,
  MessageView,
  SegmentView as ApiSegment,
  TranscriptSummary,
} from './contract.js';

/** What the window may know of the case: no folder, no key. */
export function caseSummary(info: CaseInfo): CaseSummary {
  return {
    id: info.id,
    reference: info.reference,
    title: info.title,
    owner: info.owner,
    classification: info.classification,
    status: info.status,
    createdBy: info.createdBy,
    createdAt: info.createdAt,
  };
}

function jobSubject(job: Job): string {
  const p = job.params;
  if (typeof p.evidenceId === 'number') return `item ${p.evidenceId}`;
  if (typeof p.transcriptId === 'number') return `transcript ${p.transcriptId}`;
  if (job.kind === 'evidence.verify') return 'every stored copy';
  return "the case's messages";
}

function count(n: unknown, one: string, many = `${one}s`): string {
  const k = typeof n === 'number' ? n : 0;
  return `${k.toLocaleString('en-GB')} ${k === 1 ? one : many}`;
}

/** What a finished job did, in a line: the counts its result holds, per kind. */
function outcome(job: Job): string | null {
  const r = job.result;
  if (job.state !== 'done' || !r) return null;
  switch (job.kind) {
    case 'transcribe':
      return `${count(r.segments, 'segment')}${r.language ? `, language ${String(r.language)}` : ''}`;
    case 'ingest':
      return [
        count(r.messages, 'message'),
        count(r.threads, 'thread'),
        count(r.calls, 'call'),
        count(r.contacts, 'contact'),
        ...(typeof r.problems === 'number' && r.problems > 0 ? [count(r.problems, 'problem')] : []),
      ].join(', ');
    case 'language.detect':
      return `${count(r.detected, 'message')} told`;
    case 'translate':
      return `${count(r.translated, 'text')} translated ${String(r.from)} to ${String(r.to)}`;
    case 'evidence.verify': {
      const problems = Array.isArray(r.problems) ? r.problems.length : 0;
      return `${count(r.checked, 'copy', 'copies')} checked, ${problems ? `${problems} NOT MATCHING` : 'all match'}`;
    }
    default:
      return null;
  }
}

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    kind: job.kind,
    subject: jobSubject(job),
    state: job.state,
    progress: Math.min(1, Math.max(0, job.progress)),
    stage: job.stage,
    error: job.error?.message ?? null,
    outcome: outcome(job),
    cancelRequested: job.cancelRequested,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

const AUDIO = /\.(wav|mp3|m4a|aac|ogg|opus|oga|flac|amr|wma|webm)$/i;
const MIME: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  oga: 'audio/ogg',
  flac: 'audio/flac',
  webm: 'audio/webm',
};

export function audioMime(name: string): string {
  return MIME[name.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
}

/** Each item's newest verification outcome, from the evidence checks of finished verify jobs. */
function verifications(store: CaseStore): Map<number, EvidenceView['verified']> {
  const rows = store.db
    .prepare(
      `SELECT c.evidence_id AS id, c.status FROM evidence_checks c JOIN jobs j ON j.id = c.job_id
       ORDER BY j.created_at`,
    )
    .all() as { id: number; status: string }[];
  const out = new Map<number, EvidenceView['verified']>();
  for (const r of rows) {
    out.set(r.id, r.status === 'ok' ? 'ok' : r.status === 'missing' ? 'missing' : 'mismatch');
  }
  return out;
}

export function evidenceViews(store: CaseStore, items: readonly EvidenceItem[]): EvidenceView[] {
  const checked = verifications(store);
  const ingested = new Set(
    (
      store.db
        // A read that failed or was cancelled leaves the item as it was: it can be read again.
        .prepare(
          `SELECT DISTINCT json_extract(params, '$.evidenceId') AS id FROM jobs
           WHERE kind = 'ingest' AND state NOT IN ('failed', 'cancelled')`,
        )
        .all() as { id: number }[]
    ).map((r) => r.id),
  );
  return items.map((item) => ({
    id: item.id,
    exhibitRef: item.exhibitRef,
    originalName: item.originalName,
    size: item.size,
    sha256: item.sha256,
    md5: item.md5,
    importedBy: item.importedBy,
    importedAt: item.importedAt,
    role: ingested.has(item.id)
      ? 'extraction'
      : AUDIO.test(item.originalName)
        ? 'recording'
        : 'file',
    verified: checked.get(item.id) ?? null,
  }));
}

export function transcriptSummary(store: CaseStore, t: Transcript): TranscriptSummary {
  const version = store.transcripts.currentVersion(t.id);
  return {
    id: t.id,
    evidenceId: t.evidenceId,
    name: store.evidence.get(t.evidenceId).originalName,
    jobId: t.jobId,
    state: store.jobs.get(t.jobId).state,
    modelId: t.modelId,
    language: t.language,
    durationMs: t.durationMs,
    version,
    signedOff: store.transcripts.signOffFor(t.id, version) !== null,
  };
}

export function segmentView(s: SegmentView): ApiSegment {
  return {
    id: s.id,
    startMs: s.startMs,
    endMs: s.endMs,
    speaker: s.speaker ?? s.speakerSuggestion,
    text: s.text,
    machineText: s.machineText,
    words: s.words.map((w) => ({ text: w.text, startMs: w.startMs, endMs: w.endMs, p: w.p })),
    edited: s.textEdited || s.speakerEdited,
    // The engine's own flags (low confidence, repetition); an officer's correction settles them.
    lowConfidence: s.flags.length > 0 && !s.textEdited,
  };
}

export function messageView(m: MessageRow): MessageView {
  const t = m.translations[0];
  const note = m.voiceNotes.find((n) => n.text !== null);
  return {
    id: m.id,
    threadId: m.threadId,
    threadTitle: m.threadTitle,
    service: m.service,
    direction: m.direction,
    sender: m.sender,
    senderName: m.savedName ?? m.senderName,
    sentAt: m.sentAt,
    body: m.body,
    deleted: m.deleted,
    // A guess the detector was unsure of is marked as one, as the command line marks it.
    language: m.language ? `${m.language.code}${m.language.reliable ? '' : '?'}` : null,
    flags: m.flags,
    translation: t ? { text: t.text, confidence: t.confidence, flags: t.flags } : null,
    voiceNote: note?.text ?? null,
  };
}
