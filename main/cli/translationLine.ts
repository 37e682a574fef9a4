import { flagWords } from '../translation/TranslationStore.js';

/**
 * A translation as the CLI lists it under its message or segment: its id
 * (for `toex translation edit`; a segment's marked `[segment]`, as its ids
 * are counted apart and it is edited with `--segment`), who made it and its
 * newest text.
 */
export function translationLine(t: {
  id: number;
  segmentId?: number;
  from: string;
  to: string;
  modelId: string;
  version: number;
  reviewedBy: string | null;
  confidence: number;
  flags: string[];
  text: string;
  via: string | null;
}): string {
  const id = t.segmentId === undefined ? `${t.id}` : `${t.id} [segment]`;
  const what =
    t.version > 1
      ? `translation ${id} ${t.from}->${t.to}, reviewed by ${t.reviewedBy} (version ${t.version})`
      : `machine translation ${id} ${t.from}->${t.to} (${t.modelId}, confidence ${t.confidence.toFixed(2)}${flagWords(t.flags)})`;
  const line = (text: string) => text.replace(/\s*\n\s*/g, ' ⏎ ');
  return `    ${what}: ${line(t.text)}${t.via === null ? '' : ` (through English: ${line(t.via)})`}`;
}
