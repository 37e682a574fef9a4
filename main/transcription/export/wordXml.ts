/** The WordprocessingML namespace every part of the document body uses. */
export const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
export const R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Text and attribute values: the five characters XML gives meaning to. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// Arabic, Hebrew, Syriac, Thaana and N'Ko are written right to left.
const RTL_LETTER =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

type Direction = 'rtl' | 'ltr' | null;

/** The direction of a word's first letter; null for digits, punctuation and space. */
function direction(word: string): Direction {
  const letter = /\p{L}/u.exec(word);
  if (letter === null) return null;
  return RTL_LETTER.test(letter[0]) ? 'rtl' : 'ltr';
}

/**
 * The text cut where the writing direction changes between words, so a Polish
 * name inside an Arabic answer keeps its own direction; digits, punctuation
 * and spaces go with the words before them.
 */
export function directionRuns(text: string): { text: string; rtl: boolean }[] {
  const pieces: { text: string; dir: Direction }[] = [];
  for (const token of text.split(/(\s+)/)) {
    if (token === '') continue;
    const dir = direction(token);
    const last = pieces.at(-1);
    if (last !== undefined && (dir === null || last.dir === null || dir === last.dir)) {
      last.text += token;
      last.dir ??= dir;
    } else {
      pieces.push({ text: token, dir });
    }
  }
  return pieces.map((p) => ({ text: p.text, rtl: p.dir === 'rtl' }));
}

export interface RunStyle {
  /** A fixed-width face for hashes, small enough to keep 64 hex digits on one line. */
  mono?: boolean;
  bold?: boolean;
  italic?: boolean;
  colour?: string;
  size?: number;
  highlight?: 'yellow';
}

/**
 * Text as runs. Spaces at either end survive only with xml:space="preserve";
 * a run in a right-to-left script is marked so Word lays it out that way.
 */
export function run(text: string, style: RunStyle = {}): string {
  return directionRuns(text)
    .map((piece) => oneRun(piece.text, piece.rtl, style))
    .join('');
}

function oneRun(text: string, rtl: boolean, style: RunStyle): string {
  const props = [
    style.mono ? '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>' : '',
    style.bold ? '<w:b/><w:bCs/>' : '',
    style.italic ? '<w:i/><w:iCs/>' : '',
    style.colour ? `<w:color w:val="${style.colour}"/>` : '',
    style.mono && !style.size ? '<w:sz w:val="16"/><w:szCs w:val="16"/>' : '',
    style.size ? `<w:sz w:val="${style.size}"/><w:szCs w:val="${style.size}"/>` : '',
    style.highlight ? `<w:highlight w:val="${style.highlight}"/>` : '',
    rtl ? '<w:rtl/>' : '',
  ].join('');
  const rPr = props === '' ? '' : `<w:rPr>${props}</w:rPr>`;
  return `<w:r>${rPr}<w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r>`;
}

export interface ParagraphStyle {
  style?: string;
  align?: 'left' | 'center' | 'right';
}

export function paragraph(runs: string[], style: ParagraphStyle = {}): string {
  const props = [
    style.style ? `<w:pStyle w:val="${style.style}"/>` : '',
    style.align ? `<w:jc w:val="${style.align}"/>` : '',
  ].join('');
  const pPr = props === '' ? '' : `<w:pPr>${props}</w:pPr>`;
  return `<w:p>${pPr}${runs.join('')}</w:p>`;
}

/** A field Word computes as it lays the page out, such as PAGE or NUMPAGES. */
export function field(instruction: string, shown: string): string {
  return [
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
    `<w:r><w:instrText xml:space="preserve"> ${instruction} </w:instrText></w:r>`,
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
    `<w:r><w:t>${xmlEscape(shown)}</w:t></w:r>`,
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
  ].join('');
}
