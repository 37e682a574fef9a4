import {
  LEGEND,
  cueClock,
  recordFields,
  speakerName,
  statusLine,
  wrap,
  hasMarks,
} from './exportText.js';
import { CUE_LINE_CHARS, HEADER_CUE_MS, headerCueLines, subtitleCues } from './subtitleCues.js';
import type { TranscriptDocument } from './TranscriptDocument.js';

/** Cue text and voice names: WebVTT reads &, < and > as markup. */
function vttEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A NOTE ends at a blank line and may not hold an arrow; its lines are one-liners already. */
function noteSafe(text: string): string {
  return text.replace(/-->/g, '—>');
}

function cueBlock(id: number, startMs: number, endMs: number, payload: string[]): string {
  return `${id}\n${cueClock(startMs, '.')} --> ${cueClock(endMs, '.')}\n${payload.join('\n')}\n`;
}

/**
 * WebVTT captions: NOTE blocks carry the whole record header (unseen by a
 * viewer but kept with the file), an opening cue shows the marking and the
 * draft notice on screen, and each cue names its speaker with a voice tag.
 */
export function renderVtt(doc: TranscriptDocument): Buffer {
  const marked = hasMarks(doc);
  const fields = recordFields(doc).map(([label, value]) => noteSafe(`${label}: ${value}`));
  const blocks = [
    'WEBVTT\n',
    `NOTE ${noteSafe(statusLine(doc))}\n`,
    `NOTE\n${fields.join('\n')}\n`,
    ...(marked ? [`NOTE Marks\n${LEGEND.join('\n')}\n`] : []),
  ];

  const header = headerCueLines(doc).map(vttEscape);
  let id = 1;
  blocks.push(cueBlock(id, 0, HEADER_CUE_MS, header));

  for (const cue of doc.segments.flatMap(subtitleCues)) {
    const marks = cue.marks === '' ? '' : `${cue.marks} `;
    const lines = wrap(`${marks}${cue.text}`, CUE_LINE_CHARS).map(vttEscape);
    const voice = cue.speaker === null ? '' : `<v ${vttEscape(speakerName(cue.speaker))}>`;
    lines[0] = `${voice}${lines[0]}`;
    id += 1;
    blocks.push(cueBlock(id, cue.startMs, cue.endMs, lines));
  }
  return Buffer.from(blocks.join('\n'), 'utf8');
}
