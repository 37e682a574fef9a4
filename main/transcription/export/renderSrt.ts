import { cueClock, speakerName, wrap } from './exportText.js';
import { CUE_LINE_CHARS, HEADER_CUE_MS, headerCueLines, subtitleCues } from './subtitleCues.js';
import type { TranscriptDocument } from './TranscriptDocument.js';

/**
 * SRT has no escaping and no comments, so what it must never carry is a blank
 * line inside a cue (it would end the cue) or an arrow (it would read as a
 * timing line). Every cue line is non-empty after wrapping; arrows are bent.
 * Not yet: players read <i>, <b>, <u> and <font> in evidence text as formatting
 * and hide the tags, and SRT has no escape for them.
 */
function srtSafe(text: string): string {
  return text.replace(/-->/g, '—>');
}

function cueBlock(index: number, startMs: number, endMs: number, lines: string[]): string {
  return `${index}\n${cueClock(startMs, ',')} --> ${cueClock(endMs, ',')}\n${lines.join('\n')}\n`;
}

/**
 * SubRip subtitles: an opening cue with the classification, case, exhibit and
 * whether the text was checked against the audio, then one or more cues per
 * segment, each line at most 42 characters and each cue naming its speaker.
 */
export function renderSrt(doc: TranscriptDocument): Buffer {
  const header = headerCueLines(doc).map(srtSafe);
  const blocks = [cueBlock(1, 0, HEADER_CUE_MS, header)];

  for (const cue of doc.segments.flatMap(subtitleCues)) {
    const marks = cue.marks === '' ? '' : `${cue.marks} `;
    const text = srtSafe(`${speakerName(cue.speaker)}: ${marks}${cue.text}`);
    blocks.push(cueBlock(blocks.length + 1, cue.startMs, cue.endMs, wrap(text, CUE_LINE_CHARS)));
  }
  return Buffer.from(blocks.join('\n'), 'utf8');
}
