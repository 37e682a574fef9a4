import { randomUUID } from 'node:crypto';
import { closeSync, createWriteStream, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { EvidenceItem, EvidenceStore } from '../evidence/EvidenceStore.js';
import { ToexError } from '../errors.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import {
  archiveEntries,
  archiveLayout,
  type ArchiveEntry,
  type ArchiveLayout,
} from '../../workers/ingest/formats/archiveEntries.js';

/** Audio types phones and messaging apps write voice notes and recordings in. */
const AUDIO_EXTENSIONS = new Set([
  '.opus',
  '.ogg',
  '.oga',
  '.m4a',
  '.aac',
  '.amr',
  '.awb',
  '.mp3',
  '.wav',
  '.caf',
  '.flac',
  '.wma',
  '.3ga',
]);

/** The most one voice note may unpack to: hours of speech in any codec phones use. */
export const MAX_VOICE_NOTE_BYTES = 2 * 2 ** 30;
/** Compressed audio barely shrinks in a zip; an entry packed tighter than this is a bomb. */
const MAX_RATIO = 100;

export function isAudio(name: string | null, mime: string | null, path: string | null): boolean {
  const type = mime?.toLowerCase().split(';')[0]!.trim() ?? '';
  if (type.startsWith('audio/') || type === 'application/ogg') return true;
  return [name, path].some((n) => n !== null && AUDIO_EXTENSIONS.has(extname(n).toLowerCase()));
}

interface Candidate {
  messageId: number;
  ordinal: number;
  extractionId: number;
  name: string | null;
  mime: string | null;
  path: string | null;
  /** The message's flags, which say why a path was not kept. */
  flags: string;
}

/** A voice note that could not be linked, and why (said without its content). */
export interface SkippedVoiceNote {
  messageId: number;
  ordinal: number;
  reason: string;
}

export interface VoiceNoteLinks {
  /** Audio attachments found in the extractions asked about. */
  found: number;
  /** Linked by this run. */
  linked: number;
  /** Linked by an earlier run. */
  alreadyLinked: number;
  skipped: SkippedVoiceNote[];
}

function candidates(
  db: Db,
  extractionIds: readonly number[] | undefined,
): {
  fresh: Candidate[];
  alreadyLinked: number;
} {
  const rows = db
    .prepare(
      `SELECT a.message_id AS messageId, a.ordinal, m.evidence_id AS extractionId, a.name, a.mime,
         a.path, m.flags, v.evidence_id IS NOT NULL AS linked
       FROM attachments a JOIN messages m ON m.id = a.message_id
         LEFT JOIN voice_notes v ON v.message_id = a.message_id AND v.ordinal = a.ordinal
       ORDER BY a.message_id, a.ordinal`,
    )
    .all() as (Candidate & { linked: number })[];
  const wanted = extractionIds ? new Set(extractionIds) : null;
  const audio = rows.filter(
    (r) => (wanted === null || wanted.has(r.extractionId)) && isAudio(r.name, r.mime, r.path),
  );
  return {
    fresh: audio.filter((r) => r.linked === 0),
    alreadyLinked: audio.filter((r) => r.linked === 1).length,
  };
}

function layoutOf(path: string): ArchiveLayout | null {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    return archiveLayout(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
  } finally {
    closeSync(fd);
  }
}

function whyNotReadable(entry: ArchiveEntry): string | null {
  if (entry.refused) return `its archive entry is not read: ${entry.refused}`;
  if (entry.size > MAX_VOICE_NOTE_BYTES) {
    return `the audio would unpack to ${entry.size} bytes, over the ${MAX_VOICE_NOTE_BYTES} TOEX copies`;
  }
  const packed = entry.packedSize;
  if (packed !== null && entry.size > 1 << 20 && entry.size > packed * MAX_RATIO) {
    return `the audio is compressed ${Math.round(entry.size / Math.max(1, packed))} to 1, which no audio is`;
  }
  return null;
}

/**
 * A path as phones and extraction tools write it, made comparable: no leading
 * slash, and the same folder under its other names (Android's per-user
 * /data/user/0 is /data/data; /storage/emulated/0 and /mnt/sdcard are /sdcard).
 */
function canonical(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^\/+/, '')
    .replace(/^data\/user\/\d+\//, 'data/data/')
    .replace(/^(storage\/emulated\/\d+|mnt\/sdcard|storage\/sdcard0)\//, 'sdcard/');
}

/**
 * Which archive entry holds each note's file: the entry at the path it gives,
 * or, for a path given relative to an app's folder (WhatsApp's
 * Media/WhatsApp Voice Notes/...), the one entry whose path ends with it.
 */
async function locate(
  path: string,
  layout: ArchiveLayout,
  notes: Candidate[],
): Promise<{ found: Map<Candidate, string[]>; stopped: string | null }> {
  const byName = new Map<string, { note: Candidate; path: string }[]>();
  for (const note of notes) {
    const p = canonical(note.path!);
    const name = basename(p);
    byName.set(name, [...(byName.get(name) ?? []), { note, path: p }]);
  }
  const found = new Map<Candidate, string[]>();
  try {
    for await (const e of archiveEntries(path, layout, () => {})) {
      const wanted = byName.get(basename(e.path));
      if (!wanted) continue;
      const here = canonical(e.path);
      for (const w of wanted) {
        if (here === w.path || here.endsWith(`/${w.path}`)) {
          found.set(w.note, [...(found.get(w.note) ?? []), e.path]);
        }
      }
    }
    return { found, stopped: null };
  } catch (err) {
    if (!(err instanceof ToexError)) throw err;
    return { found, stopped: err.message };
  }
}

/**
 * Copies each audio attachment of the extractions (all, or those given) out
 * of the archive that holds it (a UFDR or chat-export zip, a phone's file
 * system as zip, tar or tgz) into the case's evidence, and links it to its
 * message. An attachment whose file is not in the evidence (a database read
 * alone keeps only the phone's path) is skipped with the reason. Each link is
 * committed as it is made, so a run that stops part-way is taken up by the next.
 */
export async function linkVoiceNotes(
  db: Db,
  evidence: EvidenceStore,
  workDir: string,
  options: {
    extractionIds?: readonly number[];
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<VoiceNoteLinks> {
  for (const id of options.extractionIds ?? []) evidence.get(id);
  const { fresh, alreadyLinked } = candidates(db, options.extractionIds);
  const skipped: SkippedVoiceNote[] = [];
  let linked = 0;
  let done = 0;
  const byItem = new Map<number, Candidate[]>();
  for (const c of fresh) byItem.set(c.extractionId, [...(byItem.get(c.extractionId) ?? []), c]);
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const link = db.prepare(
    'INSERT INTO voice_notes (message_id, ordinal, evidence_id, linked_at) VALUES (?, ?, ?, ?)',
  );
  for (const [extractionId, notes] of byItem) {
    const item = evidence.get(extractionId);
    const path = evidence.absolutePath(item);
    const skipAll = (reason: string, which: Candidate[]) => {
      for (const c of which) skipped.push({ messageId: c.messageId, ordinal: c.ordinal, reason });
      done += which.length;
      options.onProgress?.(done, fresh.length);
    };
    const withPath = notes.filter((c) => c.path !== null);
    const noPath = notes.filter((c) => c.path === null);
    const climbs = (c: Candidate) => c.flags.includes('"attachment-path-outside-archive"');
    skipAll('its path climbs out of the archive, so it is not followed', noPath.filter(climbs));
    skipAll(
      'the extraction does not hold the file (it gives no path to it)',
      noPath.filter((c) => !climbs(c)),
    );
    if (withPath.length === 0) continue;
    const layout = layoutOf(path);
    if (!layout) {
      // Not yet: a database read on its own names the phone's path; the file is found only
      // when the extraction that holds it is an archive, not in another item of the case.
      skipAll(`the file is not inside item ${item.id}: it names where the phone kept it`, withPath);
      continue;
    }

    // First the names, so that a path two files end with is refused before anything is copied.
    const { found, stopped } = await locate(path, layout, withPath);
    const wanted = new Map<string, Candidate[]>();
    for (const note of withPath) {
      const at = found.get(note) ?? [];
      if (at.length === 1) wanted.set(at[0]!, [...(wanted.get(at[0]!) ?? []), note]);
      else if (at.length > 1) {
        skipAll(`${at.length} files in item ${item.id} end with the path the message gives`, [
          note,
        ]);
      } else if (stopped) {
        skipAll(`item ${item.id} could not be searched to its end: ${stopped}`, [note]);
      } else skipAll(`item ${item.id} holds no file at the path the message gives`, [note]);
    }
    if (wanted.size === 0) continue;
    try {
      for await (const e of archiveEntries(path, layout, () => {})) {
        const which = wanted.get(e.path);
        if (!which) continue;
        wanted.delete(e.path);
        const reason = whyNotReadable(e);
        if (reason !== null) {
          skipAll(reason, which);
          continue;
        }
        const copied = await copyOut(e, item, evidence, workDir).catch((err: unknown) => {
          if (err instanceof ToexError && err.kind !== 'bad-input') throw err;
          skipAll(`the audio cannot be copied out: ${(err as Error).message}`, which);
          return null;
        });
        if (copied === null) continue;
        for (const note of which) {
          writeTransaction(db, () =>
            link.run(note.messageId, note.ordinal, copied.id, new Date().toISOString()),
          );
          linked += 1;
          done += 1;
          options.onProgress?.(done, fresh.length);
        }
        if (wanted.size === 0) break;
      }
    } catch (err) {
      if (!(err instanceof ToexError)) throw err;
      skipAll(
        `item ${item.id} could not be read to its end: ${err.message}`,
        [...wanted.values()].flat(),
      );
    }
  }
  return { found: fresh.length + alreadyLinked, linked, alreadyLinked, skipped };
}

/** Unpacks one entry to a private file and imports it as an item derived from `parent`. */
async function copyOut(
  entry: ArchiveEntry,
  parent: EvidenceItem,
  evidence: EvidenceStore,
  workDir: string,
): Promise<EvidenceItem> {
  const temp = join(workDir, `${randomUUID()}${extname(entry.path).toLowerCase()}`);
  try {
    await pipeline(
      Readable.from(entry.body()),
      createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
    ).catch((err: Error) => {
      throw new ToexError('bad-input', err.message);
    });
    const { item } = await evidence.import(temp, {
      derivedFrom: { parentId: parent.id, innerPath: entry.path },
    });
    return item;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** A voice note's transcript as its newest version reads, when there is one. */
export interface VoiceNoteTranscript {
  ordinal: number;
  evidenceId: number;
  transcriptId: number | null;
  /** The transcription job's state, or null when none was queued. */
  state: string | null;
  /** The transcript's newest version (1 is the machine's own), whose words `text` holds. */
  version: number | null;
  text: string | null;
}

/** The voice notes of each message given, with their newest transcripts. */
export function voiceNotesOf(
  db: Db,
  messageIds: readonly number[],
): Map<number, VoiceNoteTranscript[]> {
  const out = new Map<number, VoiceNoteTranscript[]>();
  if (messageIds.length === 0) return out;
  const rows = db
    .prepare(
      `SELECT v.message_id AS messageId, v.ordinal, v.evidence_id AS evidenceId,
         t.id AS transcriptId, j.state, f.text,
         CASE WHEN t.id IS NULL THEN NULL ELSE coalesce(
           (SELECT max(tv.version) FROM transcript_versions tv WHERE tv.transcript_id = t.id), 1)
         END AS version
       FROM json_each(?) ids JOIN voice_notes v ON v.message_id = ids.value
         LEFT JOIN transcripts t ON t.id = (
           SELECT t2.id FROM transcripts t2 JOIN jobs j2 ON j2.id = t2.job_id
           WHERE t2.evidence_id = v.evidence_id
           ORDER BY j2.state = 'done' DESC, t2.id DESC LIMIT 1)
         LEFT JOIN jobs j ON j.id = t.job_id
         LEFT JOIN transcript_fts f ON f.rowid = t.id
       ORDER BY v.message_id, v.ordinal`,
    )
    .all(JSON.stringify(messageIds)) as (VoiceNoteTranscript & { messageId: number })[];
  for (const { messageId, ...note } of rows) {
    out.set(messageId, [...(out.get(messageId) ?? []), note]);
  }
  return out;
}

/**
 * The voice-note items of the extractions (all, or those given) with no live
 * transcription, and apart from them those whose audio an earlier attempt
 * found it could not decode: trying those again would only fail again.
 */
export function untranscribedVoiceNotes(
  db: Db,
  extractionIds?: readonly number[],
): { ids: number[]; undecodable: number[] } {
  const rows = db
    .prepare(
      `SELECT DISTINCT v.evidence_id AS id, m.evidence_id AS extractionId,
         EXISTS (SELECT 1 FROM transcripts t JOIN jobs j ON j.id = t.job_id
           WHERE t.evidence_id = v.evidence_id AND j.state = 'failed'
             AND j.error_kind = 'bad-input') AS undecodable
       FROM voice_notes v JOIN messages m ON m.id = v.message_id
       WHERE NOT EXISTS (
         SELECT 1 FROM transcripts t JOIN jobs j ON j.id = t.job_id
         WHERE t.evidence_id = v.evidence_id AND j.state NOT IN ('failed', 'cancelled'))
       ORDER BY v.evidence_id`,
    )
    .all() as { id: number; extractionId: number; undecodable: number }[];
  const wanted = extractionIds ? new Set(extractionIds) : null;
  const mine = rows.filter((r) => !wanted || wanted.has(r.extractionId));
  return {
    ids: [...new Set(mine.filter((r) => r.undecodable === 0).map((r) => r.id))],
    undecodable: [...new Set(mine.filter((r) => r.undecodable === 1).map((r) => r.id))],
  };
}
