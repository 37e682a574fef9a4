import { type Zippable, zipSync } from 'fflate';

import { R_NS, XML_DECLARATION, W_NS, field, paragraph, run, xmlEscape } from './wordXml.js';

const OOXML = 'application/vnd.openxmlformats-officedocument';
const PACKAGE_TYPE = 'application/vnd.openxmlformats-package';
const PKG = 'http://schemas.openxmlformats.org/package/2006';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const override = (part: string, type: string) =>
  `<Override PartName="${part}" ContentType="${type}"/>`;

const relationship = (id: string, type: string, target: string) =>
  `<Relationship Id="${id}" Type="${type}" Target="${target}"/>`;

const relationships = (items: string[]) =>
  `${XML_DECLARATION}<Relationships xmlns="${PKG}/relationships">${items.join('')}</Relationships>`;

/** Which content type each part is, so a reader knows how to open it. */
export const CONTENT_TYPES = [
  XML_DECLARATION,
  `<Types xmlns="${PKG}/content-types">`,
  `<Default Extension="rels" ContentType="${PACKAGE_TYPE}.relationships+xml"/>`,
  '<Default Extension="xml" ContentType="application/xml"/>',
  override('/word/document.xml', `${OOXML}.wordprocessingml.document.main+xml`),
  override('/word/styles.xml', `${OOXML}.wordprocessingml.styles+xml`),
  override('/word/settings.xml', `${OOXML}.wordprocessingml.settings+xml`),
  override('/word/header1.xml', `${OOXML}.wordprocessingml.header+xml`),
  override('/word/footer1.xml', `${OOXML}.wordprocessingml.footer+xml`),
  override('/docProps/core.xml', `${PACKAGE_TYPE}.core-properties+xml`),
  override('/docProps/app.xml', `${OOXML}.extended-properties+xml`),
  '</Types>',
].join('');

export const PACKAGE_RELS = relationships([
  relationship('rId1', `${REL}/officeDocument`, 'word/document.xml'),
  relationship('rId2', `${PKG}/relationships/metadata/core-properties`, 'docProps/core.xml'),
  relationship('rId3', `${REL}/extended-properties`, 'docProps/app.xml'),
]);

/** The ids document.xml uses for its header and footer. */
export const HEADER_REL = 'rIdHeader';
export const FOOTER_REL = 'rIdFooter';

export const DOCUMENT_RELS = relationships([
  relationship('rIdStyles', `${REL}/styles`, 'styles.xml'),
  relationship('rIdSettings', `${REL}/settings`, 'settings.xml'),
  relationship(HEADER_REL, `${REL}/header`, 'header1.xml'),
  relationship(FOOTER_REL, `${REL}/footer`, 'footer1.xml'),
]);

const border = (side: string, size: number, colour: string) =>
  `<w:${side} w:val="single" w:sz="${size}" w:space="1" w:color="${colour}"/>`;

const bold = '<w:b/><w:bCs/>';
const size = (halfPoints: number) => `<w:sz w:val="${halfPoints}"/><w:szCs w:val="${halfPoints}"/>`;

function style(type: string, id: string, name: string, pPr: string, rPr: string): string {
  const based = type === 'paragraph' && id !== 'Normal' ? '<w:basedOn w:val="Normal"/>' : '';
  const paragraphProps = pPr === '' ? '' : `<w:pPr>${pPr}</w:pPr>`;
  const runProps = rPr === '' ? '' : `<w:rPr>${rPr}</w:rPr>`;
  const head = `<w:style w:type="${type}" w:styleId="${id}"><w:name w:val="${name}"/>`;
  return `${head}${based}${paragraphProps}${runProps}</w:style>`;
}

const TABLE_BORDERS = ['top', 'left', 'bottom', 'right', 'insideH', 'insideV']
  .map((side) => border(side, 4, '808080'))
  .join('');

// WordprocessingML is strict about the order of properties inside pPr and rPr;
// Word calls a file corrupt when they are out of the schema's order.

/**
 * Styles the record uses: a plain sans-serif body, a hanging indent for turns
 * so the words line up after the time, a red ruled banner for the draft
 * notice, and the style Word gives line numbers.
 */
export const STYLES = [
  XML_DECLARATION,
  `<w:styles xmlns:w="${W_NS}">`,
  '<w:docDefaults><w:rPrDefault><w:rPr>',
  '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>',
  `${size(22)}<w:lang w:val="en-GB" w:bidi="ar-SA"/>`,
  '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>',
  '<w:spacing w:after="0" w:line="276" w:lineRule="auto"/>',
  '</w:pPr></w:pPrDefault></w:docDefaults>',
  '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>',
  style(
    'paragraph',
    'Title',
    'Title',
    '<w:spacing w:after="240"/><w:jc w:val="center"/>',
    `${bold}${size(32)}`,
  ),
  style('paragraph', 'Marking', 'Marking', '<w:suppressLineNumbers/><w:jc w:val="center"/>', bold),
  style(
    'paragraph',
    'Draft',
    'Draft',
    '<w:suppressLineNumbers/>' +
      `<w:pBdr>${border('top', 12, 'C00000')}${border('bottom', 12, 'C00000')}</w:pBdr>` +
      '<w:jc w:val="center"/>',
    `${bold}<w:color w:val="C00000"/>${size(28)}`,
  ),
  style(
    'paragraph',
    'Turn',
    'Turn',
    '<w:tabs><w:tab w:val="left" w:pos="1134"/></w:tabs>' +
      '<w:spacing w:after="120"/><w:ind w:left="1134" w:hanging="1134"/>',
    '',
  ),
  style('character', 'LineNumber', 'line number', '', `<w:color w:val="595959"/>${size(18)}`),
  '<w:style w:type="table" w:styleId="RecordTable"><w:name w:val="Record Table"/><w:tblPr>',
  `<w:tblBorders>${TABLE_BORDERS}</w:tblBorders>`,
  '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
  '</w:tblPr></w:style></w:styles>',
].join('');

export const SETTINGS = [
  XML_DECLARATION,
  `<w:settings xmlns:w="${W_NS}">`,
  '<w:defaultTabStop w:val="720"/>',
  '<w:characterSpacingControl w:val="doNotCompress"/>',
  '<w:compat><w:compatSetting w:name="compatibilityMode" ',
  'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>',
  '</w:settings>',
].join('');

export const APP_PROPERTIES = [
  XML_DECLARATION,
  '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">',
  '<Application>TOEX Workstation</Application></Properties>',
].join('');

/** Title, author and times for the file's properties; the times are the export's own. */
export function coreProperties(title: string, creator: string, at: string): string {
  const when = `${new Date(at).toISOString().slice(0, 19)}Z`;
  return [
    XML_DECLARATION,
    `<cp:coreProperties xmlns:cp="${PKG}/metadata/core-properties"`,
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"',
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    `<dc:title>${xmlEscape(title)}</dc:title><dc:creator>${xmlEscape(creator)}</dc:creator>`,
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>`,
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>`,
    '</cp:coreProperties>',
  ].join('');
}

/**
 * Zip entries carry a local wall-clock time, which fflate reads through the
 * process's time zone; giving it the export's UTC fields as local ones keeps
 * the bytes the same on every machine. Zip cannot hold times before 1980.
 */
export function zipTime(iso: string): Date {
  const t = new Date(iso);
  const year = Math.min(2099, Math.max(1980, t.getUTCFullYear()));
  return new Date(
    year,
    t.getUTCMonth(),
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
  );
}

/** A footer of "Page n of N" over the classification marking, on every page. */
export function markingFooter(classification: string): string {
  const pages = paragraph([run('Page '), field('PAGE', '1'), run(' of '), field('NUMPAGES', '1')], {
    style: 'Marking',
  });
  const body = [pages, paragraph([run(classification)], { style: 'Marking' })];
  return `${XML_DECLARATION}<w:ftr xmlns:w="${W_NS}" xmlns:r="${R_NS}">${body.join('')}</w:ftr>`;
}

/**
 * A whole .docx from its document, header and footer parts, with this
 * package's styles and settings; every entry dated at the export's time so
 * the same export gives the same bytes.
 */
export function docxFile(parts: {
  title: string;
  creator: string;
  at: string;
  document: string;
  header: string;
  footer: string;
}): Buffer {
  const mtime = zipTime(parts.at);
  const files: [string, string][] = [
    ['[Content_Types].xml', CONTENT_TYPES],
    ['_rels/.rels', PACKAGE_RELS],
    ['docProps/core.xml', coreProperties(parts.title, parts.creator, parts.at)],
    ['docProps/app.xml', APP_PROPERTIES],
    ['word/document.xml', parts.document],
    ['word/_rels/document.xml.rels', DOCUMENT_RELS],
    ['word/styles.xml', STYLES],
    ['word/settings.xml', SETTINGS],
    ['word/header1.xml', parts.header],
    ['word/footer1.xml', parts.footer],
  ];
  const entries: Zippable = {};
  for (const [name, xml] of files) entries[name] = [Buffer.from(xml, 'utf8'), { mtime, level: 6 }];
  return Buffer.from(zipSync(entries));
}
