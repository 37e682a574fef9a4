import type { Classification } from '../cases/classification.js';
import type { EvidenceItem } from '../evidence/EvidenceStore.js';
import type { TranscriptDocument } from './export/TranscriptDocument.js';
import type { TranscriptStore } from './TranscriptStore.js';

export interface DocumentSource {
  caseInfo: { reference: string; title: string; classification: Classification };
  item: EvidenceItem;
  transcripts: TranscriptStore;
  exportedBy: string;
}

/**
 * One version of a transcript gathered for export. It counts as signed off
 * only when that very version was: an edit after sign-off makes it a draft
 * again. A segment an officer emptied (it was not speech) is left out.
 */
export function transcriptDocument(
  source: DocumentSource,
  transcriptId: number,
  version?: number,
): TranscriptDocument {
  const t = source.transcripts.get(transcriptId);
  const at = version ?? source.transcripts.currentVersion(transcriptId);
  const segments = source.transcripts.segmentsAt(transcriptId, at);
  const signOff = source.transcripts.signOffFor(transcriptId, at);
  return {
    caseReference: source.caseInfo.reference,
    caseTitle: source.caseInfo.title,
    classification: source.caseInfo.classification,
    exhibit: {
      evidenceId: source.item.id,
      exhibitRef: source.item.exhibitRef,
      originalName: source.item.originalName,
      sha256: source.item.sha256,
    },
    transcript: {
      id: t.id,
      version: at,
      engine: t.engine,
      modelId: t.modelId,
      modelSha256: t.modelSha256,
      language: t.language,
      durationMs: t.durationMs,
      createdAt: t.createdAt,
    },
    signOff: signOff
      ? { by: signOff.signedBy, at: signOff.signedAt, statement: signOff.statement }
      : null,
    segments: segments
      .filter((s) => s.text.length > 0)
      .map((s) => ({
        startMs: s.startMs,
        endMs: s.endMs,
        // A machine suggestion goes out marked as one, never as if an officer had said it.
        speaker: s.speaker ?? (s.speakerSuggestion ? `${s.speakerSuggestion} (suggested)` : null),
        text: s.text,
        // Once an officer has rewritten a flagged segment, they have listened to it.
        needsReview: s.flags.length > 0 && !s.textEdited,
        edited: s.textEdited || s.speakerEdited,
        words: s.textEdited ? [] : s.words,
      })),
    exportedBy: source.exportedBy,
    exportedAt: new Date().toISOString(),
  };
}
