import {
  DRAFT_NOTICE,
  EDITED_MARK,
  LEGEND,
  RECORD_TITLE,
  REVIEW_MARK,
  clock,
  oneLine,
  recordFields,
  speakerName,
  width,
  wrap,
  hasMarks,
} from './exportText.js';
import { endLine, speakerTurns } from './speakerTurns.js';
import type { TranscriptDocument } from './TranscriptDocument.js';

/** Characters on a printed line, line numbers included. */
export const TXT_PAGE_WIDTH = 80;

/** Numbered lines on each page; numbering starts again at 1 on every page. */
export const TXT_LINES_PER_PAGE = 50;

const GUTTER = 4;
const TEXT_WIDTH = TXT_PAGE_WIDTH - GUTTER;
const LABEL_WIDTH = 18;

function centred(text: string): string {
  return `${' '.repeat(Math.max(0, Math.floor((TXT_PAGE_WIDTH - width(text)) / 2)))}${text}`;
}

/** Left and right on one line; the left part is cut short when both do not fit. */
function spread(left: string, right: string): string {
  const room = TXT_PAGE_WIDTH - width(right) - 2;
  const chars = Array.from(left);
  const fitted = chars.length > room ? `${chars.slice(0, room - 1).join('')}…` : left;
  return `${fitted}${' '.repeat(TXT_PAGE_WIDTH - width(fitted) - width(right))}${right}`;
}

/** A header field; a value that cannot share the label's line (a hash) gets its own. */
function fieldLines(label: string, value: string): string[] {
  const head = `${label}:`.padEnd(LABEL_WIDTH);
  const room = TEXT_WIDTH - LABEL_WIDTH;
  if (!value.includes(' ') && width(value) > room && width(value) <= TEXT_WIDTH - 2) {
    return [head.trimEnd(), `  ${value}`];
  }
  const lines = wrap(value, room);
  return lines.map((line, i) => `${i === 0 ? head : ' '.repeat(LABEL_WIDTH)}${line}`);
}

/** Time, marks and speaker open the turn; its words wrap under the speaker. */
function turnLines(doc: TranscriptDocument): string[] {
  return speakerTurns(doc.segments).flatMap((turn) => {
    const marks = [turn.needsReview ? REVIEW_MARK : '', turn.edited ? EDITED_MARK : '']
      .filter(Boolean)
      .join(' ');
    const time = `${clock(turn.startMs)}  `;
    const text = `${marks === '' ? '' : `${marks} `}${speakerName(turn.speaker)}: ${turn.text}`;
    const indent = ' '.repeat(width(time));
    return wrap(text, TEXT_WIDTH - width(time)).map((l, i) => `${i === 0 ? time : indent}${l}`);
  });
}

function bodyLines(doc: TranscriptDocument): string[] {
  const fields = recordFields(doc).flatMap(([label, value]) => fieldLines(label, value));
  const turns = turnLines(doc);
  const marked = hasMarks(doc);
  return [
    RECORD_TITLE,
    '',
    ...fields,
    '',
    ...(marked
      ? [...LEGEND.map((line, i) => `${i === 0 ? 'Marks: ' : '       '}${line}`), '']
      : []),
    ...turns,
    '',
    endLine(doc),
  ];
}

/**
 * A plain-text interview record for printing: pages of 80 columns with the
 * marking at top and bottom, the case, exhibit and "Page n of N" in a page
 * header (and the draft notice on every page until signed off), and 50
 * numbered lines a page. Pages are separated by a form feed.
 */
export function renderTxt(doc: TranscriptDocument): Buffer {
  const lines = bodyLines(doc);
  const pageCount = Math.max(1, Math.ceil(lines.length / TXT_LINES_PER_PAGE));
  const { id, version } = doc.transcript;
  const caseLine = `${oneLine(doc.caseReference)}  transcript ${id} v${version}`;
  const rule = '-'.repeat(TXT_PAGE_WIDTH);

  const pages: string[] = [];
  for (let page = 0; page < pageCount; page += 1) {
    const numbered = lines
      .slice(page * TXT_LINES_PER_PAGE, (page + 1) * TXT_LINES_PER_PAGE)
      .map((line, i) => `${(i + 1).toString().padStart(2)}  ${line}`.trimEnd());
    pages.push(
      [
        centred(doc.classification),
        spread(caseLine, `Page ${page + 1} of ${pageCount}`),
        ...(doc.signOff === null ? [centred(DRAFT_NOTICE)] : []),
        rule,
        ...numbered,
        rule,
        centred(doc.classification),
        '',
      ].join('\n'),
    );
  }
  return Buffer.from(pages.join('\f'), 'utf8');
}
