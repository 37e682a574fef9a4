import type { TranscriptDocument } from './TranscriptDocument.js';

/** Said by every format while nobody has signed this version off. */
export const DRAFT_NOTICE = 'DRAFT — NOT CHECKED AGAINST THE AUDIO';

/** Before a passage the machine was unsure of. */
export const REVIEW_MARK = '[?]';

/** Before a passage an officer changed from the machine's text. */
export const EDITED_MARK = '[E]';

export const LEGEND = [
  `${REVIEW_MARK} the machine was unsure here: check against the audio`,
  `${EDITED_MARK} an officer edited this text or its speaker`,
];

/** The legend on one line, for the opening subtitle where room is short. */
export const SHORT_LEGEND =
  `${REVIEW_MARK} check against the audio · ` + `${EDITED_MARK} edited by an officer`;

export const RECORD_TITLE = 'TRANSCRIPT OF RECORDING';

// A lone surrogate cannot be encoded as UTF-8 and would become mojibake.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 and C1 controls other than tab and newline, and the two non-characters XML forbids.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFE\uFFFF]/g;
/** Embeddings, overrides and isolates: they reorder the text around them on screen. */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/**
 * Evidence text made safe for every format: controls that would corrupt a file
 * (or be refused by an XML reader) are dropped, line ends become "\n", and all
 * other Unicode (Arabic, Polish, emoji, bidi marks) is kept as it is.
 */
export function cleanText(text: string): string {
  return text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROLS, '');
}

/**
 * Text for a reader's eyes on one line: explicit bidi controls are removed so
 * a pasted override cannot make a file name or an answer display reversed
 * (the JSON export keeps them, escaped), and all white space becomes one space.
 */
export function oneLine(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(/\s+/g, ' ').trim();
}

/** Length as a reader counts characters, not UTF-16 units. */
export function width(text: string): number {
  return Array.from(text).length;
}

/**
 * Greedy word wrap at a fixed width; a word longer than a line is cut.
 * Not yet: wide characters (CJK, most emoji) count as one column, so a line of
 * them runs past the width in a terminal.
 */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of oneLine(text).split(' ')) {
    if (word === '') continue;
    const candidate = line === '' ? word : `${line} ${word}`;
    if (width(candidate) <= columns) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    const chars = Array.from(word);
    while (chars.length > columns) lines.push(chars.splice(0, columns).join(''));
    line = chars.join('');
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** hh:mm:ss from milliseconds, the hours growing past 99 when they must. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** A cue time: hh:mm:ss,mmm for SRT, hh:mm:ss.mmm for WebVTT. */
export function cueClock(ms: number, separator: ',' | '.'): string {
  const whole = Math.round(ms);
  return `${clock(whole)}${separator}${(whole % 1000).toString().padStart(3, '0')}`;
}

/** An ISO instant as a reader expects it on a record: 2026-12-04 17:06:22 UTC. */
export function instant(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function speakerName(speaker: string | null): string {
  const name = speaker === null ? '' : oneLine(speaker);
  return name === '' ? 'Unlabelled' : name;
}

export function exhibitName(doc: TranscriptDocument): string {
  const ref = doc.exhibit.exhibitRef === null ? '' : oneLine(doc.exhibit.exhibitRef);
  return ref === ''
    ? `evidence ${doc.exhibit.evidenceId}`
    : `${ref} (evidence ${doc.exhibit.evidenceId})`;
}

/** True when any passage with words carries a mark, so the legend is needed. */
export function hasMarks(doc: TranscriptDocument): boolean {
  return doc.segments.some((s) => (s.needsReview || s.edited) && oneLine(s.text) !== '');
}

/** One line saying whether the version may be relied on, and on whose word. */
export function statusLine(doc: TranscriptDocument): string {
  if (doc.signOff === null) return DRAFT_NOTICE;
  return `CHECKED AGAINST THE AUDIO by ${oneLine(doc.signOff.by)} on ${instant(doc.signOff.at)}`;
}

/** The interview record's header, label and value, in the order a reader looks for them. */
export function recordFields(doc: TranscriptDocument): [string, string][] {
  const t = doc.transcript;
  const version = t.version === 1 ? `${t.version} (the machine's own text)` : `${t.version}`;
  const fields: [string, string][] = [
    ['Classification', doc.classification],
    ['Case', `${oneLine(doc.caseReference)} — ${oneLine(doc.caseTitle)}`],
    ['Exhibit', exhibitName(doc)],
    ['Original file', oneLine(doc.exhibit.originalName)],
    ['File SHA-256', doc.exhibit.sha256],
    ['Recording length', clock(t.durationMs)],
    ['Language', t.language === null ? 'not detected' : oneLine(t.language)],
    ['Engine', oneLine(t.engine)],
    ['Model', oneLine(t.modelId)],
    ['Model SHA-256', t.modelSha256],
    ['Transcript', `${t.id}, version ${version}, made ${instant(t.createdAt)}`],
    ['Exported', `by ${oneLine(doc.exportedBy)} on ${instant(doc.exportedAt)}`],
    ['Status', statusLine(doc)],
  ];
  if (doc.signOff !== null) fields.push(['Statement', oneLine(doc.signOff.statement)]);
  return fields;
}
