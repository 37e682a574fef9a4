import { type Zippable, zipSync } from 'fflate';

import { XML_DECLARATION, xmlEscape } from '../../transcription/export/wordXml.js';
import { zipTime } from '../../transcription/export/docxPackage.js';
import { columnsOf, MACHINE_NOTICE, type TranslationTable } from './TranslationTable.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006';
const SHEET = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

/** Column widths in characters, in columnsOf's order. */
const WIDTHS = [9, 22, 24, 50, 50, 11, 11, 34];

/** Cell styles: 0 plain, 1 bold (marking and header), 2 wrapped text, 3 bold red (the notice). */
const STYLES = [
  XML_DECLARATION,
  `<styleSheet xmlns="${MAIN}">`,
  '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>',
  '<font><b/><sz val="11"/><name val="Calibri"/></font>',
  '<font><b/><sz val="11"/><color rgb="FFC00000"/><name val="Calibri"/></font></fonts>',
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>',
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>',
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
  '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
  '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',
  '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>',
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>',
  '</styleSheet>',
].join('');

const column = (i: number) => String.fromCharCode(65 + i);

/**
 * Text for a spreadsheet cell: controls XML cannot hold are written as
 * OOXML's _xHHHH_ escapes, so nothing is lost, and a literal "_x0041_" in
 * the text is protected so that a reader does not unescape it.
 */
function xlsxText(text: string): string {
  const guarded = text.replace(/_x([0-9A-Fa-f]{4})_/g, '_x005F_x$1_');
  const escaped = guarded.replace(
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids are the point
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g,
    (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
  );
  return xmlEscape(escaped);
}

/** Excel holds at most this many characters in a cell; past it a file opens damaged or cut. */
const MAX_CELL = 32_767;
const CUT_NOTE = ' [cut here: a cell holds 32,767 characters; the whole text is in the case]';

function cell(ref: string, value: string | number, style = 0): string {
  const s = style ? ` s="${style}"` : '';
  if (typeof value === 'number') return `<c r="${ref}"${s}><v>${value}</v></c>`;
  if (value.length > MAX_CELL) value = value.slice(0, MAX_CELL - CUT_NOTE.length) + CUT_NOTE;
  // Inline strings are never formulas: text from a phone cannot run when the sheet opens.
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xlsxText(value)}</t></is></c>`;
}

function sheet(table: TranslationTable): string {
  const top = [
    [table.classification, 1],
    [MACHINE_NOTICE, 3],
    [`Case ${table.caseReference}; exported ${table.exportedAt} by ${table.exportedBy}`, 0],
    [table.about, 0],
  ] as const;
  const columns = columnsOf(table);
  const rows = [
    ...top.map(([text, style], i) => `<row r="${i + 1}">${cell(`A${i + 1}`, text, style)}</row>`),
    `<row r="5">${columns.map(([name], i) => cell(`${column(i)}5`, name, 1)).join('')}</row>`,
    ...table.rows.map((r, n) => {
      const at = n + 6;
      return `<row r="${at}">${columns.map(([, get], i) => cell(`${column(i)}${at}`, get(r), 2)).join('')}</row>`;
    }),
  ];
  const cols = WIDTHS.map(
    (w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`,
  );
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN}" xmlns:r="${REL}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="5" topLeftCell="A6" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    `<cols>${cols.join('')}</cols><sheetData>${rows.join('')}</sheetData>` +
    `<autoFilter ref="A5:${column(columns.length - 1)}${5 + table.rows.length}"/></worksheet>`
  );
}

/**
 * The table as an Excel workbook: the marking, the machine-translation
 * notice and the case above a header row that stays in view, a filter on
 * every column (a reviewer sorts by confidence), text wrapped in its cells.
 */
export function renderTranslationXlsx(table: TranslationTable): Buffer {
  const parts: [string, string][] = [
    [
      '[Content_Types].xml',
      `${XML_DECLARATION}<Types xmlns="${PKG}/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        `<Override PartName="/xl/workbook.xml" ContentType="${SHEET}.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${SHEET}.worksheet+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="${SHEET}.styles+xml"/></Types>`,
    ],
    [
      '_rels/.rels',
      `${XML_DECLARATION}<Relationships xmlns="${PKG}/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${XML_DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>` +
        '<sheet name="Translations" sheetId="1" r:id="rId1"/></sheets>' +
        `<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Translations!$A$5:$${column(columnsOf(table).length - 1)}$${5 + table.rows.length}</definedName></definedNames></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML_DECLARATION}<Relationships xmlns="${PKG}/relationships">` +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
    ],
    ['xl/styles.xml', STYLES],
    ['xl/worksheets/sheet1.xml', sheet(table)],
  ];
  const mtime = zipTime(table.exportedAt);
  const entries: Zippable = {};
  for (const [name, xml] of parts) entries[name] = [Buffer.from(xml, 'utf8'), { mtime, level: 6 }];
  return Buffer.from(zipSync(entries));
}
