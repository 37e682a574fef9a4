import {
  FOOTER_REL,
  HEADER_REL,
  docxFile,
  markingFooter,
} from '../../transcription/export/docxPackage.js';
import { cleanText, oneLine } from '../../transcription/export/exportText.js';
import { R_NS, W_NS, XML_DECLARATION, paragraph, run } from '../../transcription/export/wordXml.js';
import { columnsOf, MACHINE_NOTICE, type TranslationTable } from './TranslationTable.js';

const TITLE = 'TRANSLATED MESSAGES';
// A4 landscape in twentieths of a point, 2 cm margins: 15,704 twips of width for the table.
const PAGE = '<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>';
const MARGINS =
  '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" ' +
  'w:header="567" w:footer="567" w:gutter="0"/>';
/** Twips per column, in columnsOf's order. */
const WIDTHS = [900, 1900, 1900, 4000, 4000, 900, 1000, 1904];

function header(table: TranslationTable): string {
  const body = [
    paragraph([run(table.classification)], { style: 'Marking' }),
    paragraph([run('MACHINE TRANSLATION')], { style: 'Draft' }),
  ];
  return `${XML_DECLARATION}<w:hdr xmlns:w="${W_NS}" xmlns:r="${R_NS}">${body.join('')}</w:hdr>`;
}

/**
 * Characters a reader cannot see but that change what is shown (controls,
 * bidi overrides and isolates), as visible marks such as [U+202E].
 */
function visible(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what it marks
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g,
    (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

/** A cell's text as paragraphs, one per line of the message; the header row's in bold. */
function cell(width: number, text: string, bold: boolean): string {
  const lines = cleanText(visible(text)).split('\n');
  const content = lines.map((line) => paragraph([run(line, bold ? { bold: true } : {})])).join('');
  return `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/></w:tcPr>${content}</w:tc>`;
}

function rowXml(cells: string[], isHeader: boolean): string {
  const props = isHeader
    ? '<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
    : '<w:trPr><w:cantSplit/></w:trPr>';
  return `<w:tr>${props}${cells.map((c, i) => cell(WIDTHS[i]!, c, isHeader)).join('')}</w:tr>`;
}

function document(table: TranslationTable): string {
  const columns = columnsOf(table);
  const head = rowXml(
    columns.map(([name]) => name),
    true,
  );
  const rows = table.rows.map((r) =>
    rowXml(
      columns.map(([, get]) => String(get(r))),
      false,
    ),
  );
  const grid = WIDTHS.map((w) => `<w:gridCol w:w="${w}"/>`).join('');
  const body = [
    paragraph([run(TITLE)], { style: 'Title' }),
    paragraph([run(MACHINE_NOTICE, { bold: true, colour: 'C00000' })]),
    paragraph([
      run(
        `Case ${oneLine(table.caseReference)}. Exported ${table.exportedAt} by ${oneLine(table.exportedBy)}. ${oneLine(table.about)}: ${table.rows.length} translations.`,
      ),
    ]),
    paragraph([]),
    '<w:tbl><w:tblPr><w:tblStyle w:val="RecordTable"/><w:tblW w:w="0" w:type="auto"/>' +
      `<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>${grid}</w:tblGrid>` +
      `${head}${rows.join('')}</w:tbl>`,
    paragraph([]),
  ];
  const section =
    `<w:sectPr><w:headerReference w:type="default" r:id="${HEADER_REL}"/>` +
    `<w:footerReference w:type="default" r:id="${FOOTER_REL}"/>${PAGE}${MARGINS}</w:sectPr>`;
  return (
    `${XML_DECLARATION}<w:document xmlns:w="${W_NS}" xmlns:r="${R_NS}">` +
    `<w:body>${body.join('')}${section}</w:body></w:document>`
  );
}

/**
 * A Word document of the translations: landscape A4, the marking and a
 * MACHINE TRANSLATION banner at the top of every page, the notice under the
 * title, and the table (its header row repeated on every page) with each
 * row's status: machine translation, or who reviewed it.
 */
export function renderTranslationDocx(table: TranslationTable): Buffer {
  return docxFile({
    title: `${TITLE}: ${oneLine(table.caseReference)}`,
    creator: oneLine(table.exportedBy),
    at: table.exportedAt,
    document: document(table),
    header: header(table),
    footer: markingFooter(table.classification),
  });
}
