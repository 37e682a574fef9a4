import { FOOTER_REL, HEADER_REL, docxFile, markingFooter } from './docxPackage.js';
import {
  DRAFT_NOTICE,
  EDITED_MARK,
  LEGEND,
  RECORD_TITLE,
  REVIEW_MARK,
  clock,
  exhibitName,
  oneLine,
  recordFields,
  speakerName,
  hasMarks,
} from './exportText.js';
import { endLine, speakerTurns } from './speakerTurns.js';
import type { TranscriptDocument } from './TranscriptDocument.js';
import { R_NS, type RunStyle, W_NS, XML_DECLARATION, paragraph, run } from './wordXml.js';

// A4 in twentieths of a point, with 2.5 cm margins.
const PAGE = '<w:pgSz w:w="11906" w:h="16838"/>';
const MARGINS =
  '<w:pgMar w:top="1418" w:right="1418" w:bottom="1418" w:left="1418" ' +
  'w:header="567" w:footer="567" w:gutter="0"/>';
const LABEL_COLUMN = 2600;
const VALUE_COLUMN = 6470;

function header(doc: TranscriptDocument): string {
  const { id, version } = doc.transcript;
  const transcript = `transcript ${id} v${version}`;
  const caseLine = `${oneLine(doc.caseReference)} · ${exhibitName(doc)} · ${transcript}`;
  const body = [
    paragraph([run(doc.classification)], { style: 'Marking' }),
    paragraph([run(caseLine, { size: 18 })], { style: 'Marking' }),
    ...(doc.signOff === null ? [paragraph([run(DRAFT_NOTICE)], { style: 'Draft' })] : []),
  ];
  return `${XML_DECLARATION}<w:hdr xmlns:w="${W_NS}" xmlns:r="${R_NS}">${body.join('')}</w:hdr>`;
}

function cell(widthTwips: number, content: string): string {
  return `<w:tc><w:tcPr><w:tcW w:w="${widthTwips}" w:type="dxa"/></w:tcPr>${content}</w:tc>`;
}

/** The record header as a two-column table; Word does not number lines inside tables. */
function fieldTable(doc: TranscriptDocument): string {
  const valueStyle = (label: string): RunStyle => {
    if (label.endsWith('SHA-256')) return { mono: true };
    if (label === 'Status' && doc.signOff === null) return { bold: true, colour: 'C00000' };
    return {};
  };
  const rows = recordFields(doc).map(([label, value]) => {
    const labelCell = cell(LABEL_COLUMN, paragraph([run(label, { bold: true })]));
    const valueCell = cell(VALUE_COLUMN, paragraph([run(value, valueStyle(label))]));
    return `<w:tr><w:trPr><w:cantSplit/></w:trPr>${labelCell}${valueCell}</w:tr>`;
  });
  return (
    '<w:tbl><w:tblPr><w:tblStyle w:val="RecordTable"/><w:tblW w:w="0" w:type="auto"/>' +
    '<w:tblLayout w:type="fixed"/></w:tblPr>' +
    `<w:tblGrid><w:gridCol w:w="${LABEL_COLUMN}"/><w:gridCol w:w="${VALUE_COLUMN}"/></w:tblGrid>` +
    `${rows.join('')}</w:tbl>`
  );
}

/** A turn: the time, a tab, the marks, the speaker in bold, then the words. */
function turnParagraphs(doc: TranscriptDocument): string[] {
  return speakerTurns(doc.segments).map((turn) => {
    const marks = [
      turn.needsReview ? run(`${REVIEW_MARK} `, { bold: true, highlight: 'yellow' }) : '',
      turn.edited ? run(`${EDITED_MARK} `, { bold: true, italic: true }) : '',
    ];
    const words = run(turn.text, turn.needsReview ? { highlight: 'yellow' } : {});
    return paragraph(
      [
        run(clock(turn.startMs)),
        '<w:r><w:tab/></w:r>',
        ...marks,
        run(`${speakerName(turn.speaker)}: `, { bold: true }),
        words,
      ],
      { style: 'Turn' },
    );
  });
}

function document(doc: TranscriptDocument): string {
  const marked = hasMarks(doc);
  const body = [
    paragraph([run(RECORD_TITLE)], { style: 'Title' }),
    fieldTable(doc),
    paragraph([]),
    ...(marked ? LEGEND.map((line) => paragraph([run(`Marks: ${line}`, { italic: true })])) : []),
    ...(marked ? [paragraph([])] : []),
    ...turnParagraphs(doc),
    paragraph([run(endLine(doc), { bold: true })], {
      align: 'center',
    }),
  ];
  const section =
    `<w:sectPr><w:headerReference w:type="default" r:id="${HEADER_REL}"/>` +
    `<w:footerReference w:type="default" r:id="${FOOTER_REL}"/>${PAGE}${MARGINS}` +
    '<w:lnNumType w:countBy="1" w:distance="284" w:restart="newPage"/></w:sectPr>';
  return (
    `${XML_DECLARATION}<w:document xmlns:w="${W_NS}" xmlns:r="${R_NS}">` +
    `<w:body>${body.join('')}${section}</w:body></w:document>`
  );
}

/**
 * A Word document laid out as an interview record: the marking top and bottom
 * of every page, a draft banner until signed off, the record header as a
 * table, turns as paragraphs with Word's own line numbers (restarting each
 * page) and "Page n of N" from PAGE and NUMPAGES fields in the footer.
 * Not yet: the draft notice is a banner in the page header, not a diagonal watermark.
 */
export function renderDocx(doc: TranscriptDocument): Buffer {
  return docxFile({
    title: `${RECORD_TITLE}: ${oneLine(doc.caseReference)}, ${exhibitName(doc)}`,
    creator: oneLine(doc.exportedBy),
    at: doc.exportedAt,
    document: document(doc),
    header: header(doc),
    footer: markingFooter(doc.classification),
  });
}
