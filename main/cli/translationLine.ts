import { flagWords } from '../translation/TranslationStore.js';

/**
 * A translation as the CLI lists it under its message or segment: its id
 * (for `toex translation edit`), who made it and its newest text.
 */
export function translationLine(t: {
  id: number;
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
  const what =
    t.version > 1
      ? `translation ${t.id} ${t.from}->${t.to}, reviewed by ${t.reviewedBy} (version ${t.version})`
      : `machine translation ${t.id} ${t.from}->${t.to} (${t.modelId}, confidence ${t.confidence.toFixed(2)}${flagWords(t.flags)})`;
  const line = (text: string) => text.replace(/\s*\n\s*/g, ' ⏎ ');
  return `    ${what}: ${line(t.text)}${t.via === null ? '' : ` (through English: ${line(t.via)})`}`;
}
