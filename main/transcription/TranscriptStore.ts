import { createHash } from 'node:crypto';

import type { AuditLog } from '../audit/AuditLog.js';
import { canonicalJson } from '../audit/canonicalJson.js';
import { ToexError } from '../errors.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import { indexTranscript } from './transcriptIndex.js';
import { wordDiff, type DiffPart } from './wordDiff.js';

export interface SegmentWord {
  text: string;
  startMs: number;
  endMs: number;
  p: number;
}

/** A machine segment as the engine wrote it; never changed. */
export interface Segment {
  id: number;
  startMs: number;
  endMs: number;
  text: string;
  words: SegmentWord[];
  avgLogprob: number;
  flags: string[];
  /** The channel it was heard on, when channels were transcribed apart. */
  channel: number | null;
  /** The machine's guess at the speaker (a voice group, or a channel's label): a suggestion only. */
  speakerSuggestion: string | null;
}

/** A segment as it reads in one version of its transcript. */
export interface SegmentView extends Segment {
  machineText: string;
  /** The speaker an officer gave it, or null when nobody has. */
  speaker: string | null;
  textEdited: boolean;
  speakerEdited: boolean;
}

export interface Transcript {
  id: number;
  evidenceId: number;
  jobId: string;
  engine: string;
  modelId: string;
  modelSha256: string;
  language: string | null;
  durationMs: number;
  createdBy: string;
  createdAt: string;
}

export interface TranscriptVersion {
  version: number;
  author: string;
  createdAt: string;
  reason: string;
  segmentsChanged: number;
}

/** One change in an edit: new text, a new speaker label, or both. */
export interface SegmentChange {
  segmentId: number;
  text?: string;
  speaker?: string;
}

export interface SignOff {
  id: number;
  version: number;
  signedBy: string;
  signedAt: string;
  statement: string;
}

export interface SegmentDiff {
  segmentId: number;
  startMs: number;
  endMs: number;
  speakerFrom: string | null;
  speakerTo: string | null;
  text: DiffPart[];
}

export const DEFAULT_SIGN_OFF_STATEMENT =
  'I have checked this transcript against the audio recording and it is a true record of it.';

/** Labels are short names; a long one is almost certainly text typed in the wrong box. */
const MAX_SPEAKER = 60;
const MAX_REASON = 500;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function checkedText(value: string, what: string, max: number): string {
  const text = value.normalize('NFC').trim();
  if (CONTROL.test(text)) throw new ToexError('bad-input', `${what} holds control characters`);
  if (text.length > max) {
    throw new ToexError('bad-input', `${what} is ${text.length} characters; at most ${max}`);
  }
  return text;
}

interface SegmentRow {
  id: number;
  start_ms: number;
  end_ms: number;
  text: string;
  words: string;
  avg_logprob: number;
  flags: string;
  channel: number | null;
  speaker_suggestion: string | null;
}

function toSegment(r: SegmentRow): Segment {
  return {
    id: r.id,
    startMs: r.start_ms,
    endMs: r.end_ms,
    text: r.text,
    words: JSON.parse(r.words) as SegmentWord[],
    avgLogprob: r.avg_logprob,
    flags: JSON.parse(r.flags) as string[],
    channel: r.channel,
    speakerSuggestion: r.speaker_suggestion,
  };
}

/**
 * A case's transcripts. The machine's segments are never changed: an
 * officer's correction is a new version holding only what it changed, with
 * who, when and why, so every earlier version (the machine's first) can be
 * read back and compared, and a sign-off names the exact version checked.
 */
export class TranscriptStore {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  list(): Transcript[] {
    return this.db
      .prepare(
        `SELECT id, evidence_id AS evidenceId, job_id AS jobId, engine, model_id AS modelId, model_sha256 AS modelSha256,
           language, duration_ms AS durationMs, created_by AS createdBy, created_at AS createdAt
         FROM transcripts ORDER BY id`,
      )
      .all() as Transcript[];
  }

  get(id: number): Transcript {
    const found = this.list().find((t) => t.id === id);
    if (!found) throw new ToexError('not-found', `no transcript ${id} in this case`);
    return found;
  }

  /**
   * The machine's segments, in time order. The speaker suggestion is the
   * newest voice-grouping job's ("Speaker A"), else the channel's label.
   */
  segments(transcriptId: number): Segment[] {
    const rows = this.db
      .prepare(
        `SELECT s.id, s.start_ms, s.end_ms, s.text, s.words, s.avg_logprob, s.flags, s.channel,
           coalesce(v.label, s.speaker_suggestion) AS speaker_suggestion
         FROM segments s LEFT JOIN speaker_suggestions v ON v.segment_id = s.id AND v.job_id =
           (SELECT job_id FROM speaker_suggestions WHERE transcript_id = ? ORDER BY rowid DESC LIMIT 1)
         WHERE s.transcript_id = ? ORDER BY s.start_ms, s.id`,
      )
      .all(transcriptId, transcriptId) as SegmentRow[];
    return rows.map(toSegment);
  }

  currentVersion(transcriptId: number): number {
    this.get(transcriptId);
    const row = this.db
      .prepare('SELECT max(version) AS v FROM transcript_versions WHERE transcript_id = ?')
      .get(transcriptId) as { v: number | null };
    return row.v ?? 1;
  }

  /** Version 1 (the machine's) and every correction after it. */
  versions(transcriptId: number): TranscriptVersion[] {
    const t = this.get(transcriptId);
    const edits = this.db
      .prepare(
        `SELECT v.version, v.author, v.created_at AS createdAt, v.reason, count(e.segment_id) AS segmentsChanged
         FROM transcript_versions v JOIN segment_edits e USING (transcript_id, version)
         WHERE v.transcript_id = ? GROUP BY v.version ORDER BY v.version`,
      )
      .all(transcriptId) as TranscriptVersion[];
    const machine = {
      version: 1,
      author: `${t.engine}, ${t.modelId}`,
      createdAt: t.createdAt,
      reason: 'machine transcript',
      segmentsChanged: 0,
    };
    return [machine, ...edits];
  }

  /** One segment as the machine wrote it and as each correction that touched it left it. */
  segmentHistory(
    transcriptId: number,
    segmentId: number,
  ): (TranscriptVersion & { text: string; speaker: string | null })[] {
    const [machine, ...edits] = this.versions(transcriptId);
    const segment = this.segments(transcriptId).find((s) => s.id === segmentId);
    if (!segment) {
      throw new ToexError('not-found', `transcript ${transcriptId} has no segment ${segmentId}`);
    }
    const rows = this.db
      .prepare(
        'SELECT version, text, speaker FROM segment_edits WHERE transcript_id = ? AND segment_id = ?',
      )
      .all(transcriptId, segmentId) as {
      version: number;
      text: string | null;
      speaker: string | null;
    }[];
    const byVersion = new Map(rows.map((r) => [r.version, r]));
    let text = segment.text;
    let speaker: string | null = null;
    const out: (TranscriptVersion & { text: string; speaker: string | null })[] = [
      { ...machine!, text, speaker },
    ];
    for (const v of edits) {
      const edit = byVersion.get(v.version);
      if (!edit) continue;
      text = edit.text ?? text;
      speaker = edit.speaker ?? speaker;
      out.push({ ...v, text, speaker });
    }
    return out;
  }

  /** The transcript as it read at `version` (default: the newest). */
  segmentsAt(transcriptId: number, version?: number): SegmentView[] {
    const current = this.currentVersion(transcriptId);
    const at = version ?? current;
    if (!Number.isInteger(at) || at < 1 || at > current) {
      throw new ToexError(
        'not-found',
        `transcript ${transcriptId} has versions 1 to ${current}; there is no version ${version}`,
      );
    }
    const edits = this.db
      .prepare(
        `SELECT segment_id AS segmentId, text, speaker FROM segment_edits
         WHERE transcript_id = ? AND version <= ? ORDER BY version`,
      )
      .all(transcriptId, at) as {
      segmentId: number;
      text: string | null;
      speaker: string | null;
    }[];
    const latest = new Map<number, { text?: string; speaker?: string }>();
    for (const e of edits) {
      const seen = latest.get(e.segmentId) ?? {};
      if (e.text !== null) seen.text = e.text;
      if (e.speaker !== null) seen.speaker = e.speaker;
      latest.set(e.segmentId, seen);
    }
    return this.segments(transcriptId).map((s) => {
      const edit = latest.get(s.id) ?? {};
      const text = edit.text ?? s.text;
      return {
        ...s,
        machineText: s.text,
        text,
        speaker: edit.speaker ?? null,
        textEdited: text !== s.text,
        speakerEdited: edit.speaker !== undefined,
      };
    });
  }

  /**
   * Saves corrections as the next version. `baseVersion` is the version the
   * officer was looking at: if someone saved another since, nothing is saved
   * and the conflict is said, rather than one officer's work overwriting the
   * other's.
   */
  edit(
    transcriptId: number,
    edit: { changes: SegmentChange[]; reason: string; baseVersion?: number },
  ): TranscriptVersion {
    const reason = checkedText(edit.reason, 'the reason', MAX_REASON);
    if (!reason) throw new ToexError('bad-input', 'say why the transcript is being changed');
    if (edit.changes.length === 0) throw new ToexError('bad-input', 'no changes were given');

    return writeTransaction(this.db, () => {
      this.assertFinished(transcriptId, 'corrected');
      const current = this.currentVersion(transcriptId);
      if (edit.baseVersion !== undefined && edit.baseVersion !== current) {
        throw new ToexError(
          'conflict',
          `transcript ${transcriptId} is at version ${current} now, not ${edit.baseVersion}; read it again and redo the change`,
        );
      }
      const now = new Map(this.segmentsAt(transcriptId, current).map((s) => [s.id, s]));
      const changes = this.effectiveChanges(transcriptId, edit.changes, now);
      if (changes.length === 0) {
        throw new ToexError('bad-input', 'the changes leave the transcript as it already is');
      }

      const version = current + 1;
      const at = new Date().toISOString();
      this.db
        .prepare(
          'INSERT INTO transcript_versions (transcript_id, version, author, created_at, reason) VALUES (?, ?, ?, ?, ?)',
        )
        .run(transcriptId, version, this.actor, at, reason);
      const insert = this.db.prepare(
        'INSERT INTO segment_edits (transcript_id, version, segment_id, text, speaker) VALUES (?, ?, ?, ?, ?)',
      );
      for (const c of changes) {
        insert.run(transcriptId, version, c.segmentId, c.text ?? null, c.speaker ?? null);
      }
      indexTranscript(this.db, transcriptId);
      this.audit.append({
        actor: this.actor,
        action: 'transcript.edit',
        subject: `transcript:${transcriptId}`,
        details: {
          version,
          segments: changes.map((c) => c.segmentId),
          // The edit itself stays in the case's tables; its hash here lets the
          // audit show later that a version's content was not rewritten.
          changesSha256: createHash('sha256')
            .update(canonicalJson({ reason, changes }))
            .digest('hex'),
        },
      });
      return {
        version,
        author: this.actor,
        createdAt: at,
        reason,
        segmentsChanged: changes.length,
      };
    });
  }

  /** Records that an officer checked `version` (default: the newest) against the audio. */
  signOff(transcriptId: number, options: { version?: number; statement?: string } = {}): SignOff {
    const statement = checkedText(
      options.statement ?? DEFAULT_SIGN_OFF_STATEMENT,
      'the statement',
      MAX_REASON,
    );
    if (!statement) throw new ToexError('bad-input', 'the sign-off statement is empty');
    return writeTransaction(this.db, () => {
      this.assertFinished(transcriptId, 'signed off');
      const current = this.currentVersion(transcriptId);
      const version = options.version ?? current;
      if (version !== current) {
        throw new ToexError(
          'conflict',
          `only the newest version (${current}) of transcript ${transcriptId} can be signed off`,
        );
      }
      if (this.signOffFor(transcriptId, version)) {
        throw new ToexError(
          'conflict',
          `version ${version} of transcript ${transcriptId} is already signed off`,
        );
      }
      const at = new Date().toISOString();
      const { lastInsertRowid } = this.db
        .prepare(
          'INSERT INTO transcript_signoffs (transcript_id, version, signed_by, signed_at, statement) VALUES (?, ?, ?, ?, ?)',
        )
        .run(transcriptId, version, this.actor, at, statement);
      this.audit.append({
        actor: this.actor,
        action: 'transcript.sign-off',
        subject: `transcript:${transcriptId}`,
        details: { version },
      });
      return {
        id: Number(lastInsertRowid),
        version,
        signedBy: this.actor,
        signedAt: at,
        statement,
      };
    });
  }

  /** The sign-off of exactly this version, if there is one. */
  signOffFor(transcriptId: number, version: number): SignOff | null {
    const row = this.db
      .prepare(
        `SELECT id, version, signed_by AS signedBy, signed_at AS signedAt, statement
         FROM transcript_signoffs WHERE transcript_id = ? AND version = ? ORDER BY id LIMIT 1`,
      )
      .get(transcriptId, version) as SignOff | undefined;
    return row ?? null;
  }

  signOffs(transcriptId: number): SignOff[] {
    return this.db
      .prepare(
        `SELECT id, version, signed_by AS signedBy, signed_at AS signedAt, statement
         FROM transcript_signoffs WHERE transcript_id = ? ORDER BY id`,
      )
      .all(transcriptId) as SignOff[];
  }

  /** What changed between two versions (default: the machine's and the newest), segment by segment. */
  diff(transcriptId: number, from = 1, to?: number): SegmentDiff[] {
    const before = new Map(this.segmentsAt(transcriptId, from).map((s) => [s.id, s]));
    return this.segmentsAt(transcriptId, to).flatMap((after) => {
      const old = before.get(after.id)!;
      if (old.text === after.text && old.speaker === after.speaker) return [];
      return [
        {
          segmentId: after.id,
          startMs: after.startMs,
          endMs: after.endMs,
          speakerFrom: old.speaker,
          speakerTo: after.speaker,
          text: wordDiff(old.text, after.text),
        },
      ];
    });
  }

  private assertFinished(transcriptId: number, doing: string): void {
    const row = this.db
      .prepare('SELECT j.state FROM transcripts t JOIN jobs j ON j.id = t.job_id WHERE t.id = ?')
      .get(transcriptId) as { state: string } | undefined;
    if (!row) throw new ToexError('not-found', `no transcript ${transcriptId} in this case`);
    if (row.state !== 'done') {
      throw new ToexError(
        'conflict',
        `transcript ${transcriptId} is not finished (its job is ${row.state}); it can be ${doing} once it is`,
      );
    }
  }

  /** Checks each change and drops what would leave a segment as it already reads. */
  private effectiveChanges(
    transcriptId: number,
    changes: SegmentChange[],
    now: Map<number, SegmentView>,
  ): SegmentChange[] {
    const seen = new Set<number>();
    return changes.flatMap((c) => {
      const segment = now.get(c.segmentId);
      if (!segment) {
        throw new ToexError(
          'not-found',
          `transcript ${transcriptId} has no segment ${c.segmentId}`,
        );
      }
      if (seen.has(c.segmentId)) {
        throw new ToexError('bad-input', `segment ${c.segmentId} is changed twice in one edit`);
      }
      seen.add(c.segmentId);
      if (c.text === undefined && c.speaker === undefined) {
        throw new ToexError('bad-input', `segment ${c.segmentId}: give new text or a speaker`);
      }
      const text =
        c.text === undefined
          ? undefined
          : checkedText(c.text, 'the text', 10_000).replace(/\s+/g, ' ');
      const speaker =
        c.speaker === undefined ? undefined : checkedText(c.speaker, 'the speaker', MAX_SPEAKER);
      if (speaker === '') throw new ToexError('bad-input', 'a speaker label cannot be empty');
      const out: SegmentChange = { segmentId: c.segmentId };
      if (text !== undefined && text !== segment.text) out.text = text;
      if (speaker !== undefined && speaker !== segment.speaker) out.speaker = speaker;
      return out.text === undefined && out.speaker === undefined ? [] : [out];
    });
  }
}
