/**
 * The shape of one line of a WhatsApp "Export chat" text: the date and time
 * header each message starts with, in every locale's form, and the name
 * before the body. Pure functions, so the parser and its tests share them.
 */

/** Direction marks and isolates WhatsApp writes around names, digits and notes. */
const MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

/** AM and PM as the app writes them in the languages seen in exports. */
const AM = ['am', 'a.m.', 'a. m.', 'vorm.', 'ص', '午前', '上午', '오전', 'sa', 'π.μ.', 'fm', 'ق.ظ'];
const PM = [
  'pm',
  'p.m.',
  'p. m.',
  'nachm.',
  'م',
  '午後',
  '下午',
  '오후',
  'ch',
  'μ.μ.',
  'em',
  'ب.ظ',
];
const MARK = [...AM, ...PM]
  .sort((a, b) => b.length - a.length)
  .map((m) => m.replace(/[.]/g, '\\.'))
  .join('|');

const DATE = String.raw`(\d{1,4})([./-]) ?(\d{1,2})\2 ?(\d{1,4})\.?(?: ?(BE))?`;
const TIME = String.raw`(?:(${MARK}) ?)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?: ?(${MARK}))?`;
const IOS = new RegExp(String.raw`^\[${DATE},? ${TIME}\] `, 'iu');
const ANDROID = new RegExp(String.raw`^${DATE},? ${TIME} - `, 'iu');

/** A header as written, before the file's date order is known. */
export interface LineHeader {
  style: 'ios' | 'android';
  /** The date's three numbers in the order written. */
  parts: [number, number, number];
  /** Digits in each part, to tell a year written first. */
  widths: [number, number, number];
  buddhist: boolean;
  hour: number;
  minute: number;
  second: number;
  /** 'am', 'pm', or null for a 24-hour clock. */
  meridiem: 'am' | 'pm' | null;
  /** Index in the ORIGINAL line where the text after the header starts. */
  restAt: number;
}

/** A line with its marks removed and its digits in ASCII, mapped back to the original. */
export interface Plain {
  text: string;
  /** For each index of `text`, the index in the original line it came from. */
  at: number[];
}

/** Removes direction marks, makes no-break spaces plain and Arabic-Indic digits ASCII. */
export function plain(line: string): Plain {
  let text = '';
  const at: number[] = [];
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (MARKS.test(c)) continue;
    const code = c.charCodeAt(0);
    let out = c;
    if (c === '\u00a0' || c === '\u202f') out = ' ';
    else if (c === '\u060c') out = ',';
    else if (code >= 0x0660 && code <= 0x0669) out = String(code - 0x0660);
    else if (code >= 0x06f0 && code <= 0x06f9) out = String(code - 0x06f0);
    text += out;
    at.push(i);
  }
  return { text, at };
}

/** The header at the start of a line, or null when the line continues a message. */
export function readHeader(line: string): LineHeader | null {
  if (line.length > 0 && !/[\d[\u0660-\u0669\u06f0-\u06f9\u200e\u200f]/.test(line[0]!)) return null;
  const p = plain(line.slice(0, 120));
  const ios = IOS.exec(p.text);
  const m = ios ?? ANDROID.exec(p.text);
  if (!m) return null;
  const [, a, , b, c, be, pre, h, min, s, post] = m;
  const mark = (pre ?? post)?.toLowerCase();
  const end = m[0].length;
  return {
    style: ios ? 'ios' : 'android',
    parts: [Number(a), Number(b), Number(c)],
    widths: [a!.length, b!.length, c!.length],
    buddhist: be !== undefined,
    hour: Number(h),
    minute: Number(min),
    second: s === undefined ? 0 : Number(s),
    meridiem: mark === undefined ? null : AM.includes(mark) ? 'am' : 'pm',
    restAt: end >= p.at.length ? line.length : p.at[end - 1]! + 1,
  };
}

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

/** What the whole file's headers say about the order of day and month. */
export class DateOrderVote {
  private dayFirst = false;
  private monthFirst = false;
  private yearFirst = false;

  add(h: LineHeader): void {
    if (h.widths[0] === 4) this.yearFirst = true;
    else if (h.parts[0] > 12) this.dayFirst = true;
    else if (h.parts[1] > 12) this.monthFirst = true;
  }

  /**
   * The order, and whether it had to be guessed: no day above 12 (or days
   * above 12 in both places) leaves it open, and the device's region decides.
   */
  decide(region: string): { order: DateOrder; guessed: boolean } {
    if (this.yearFirst) return { order: 'ymd', guessed: false };
    if (this.dayFirst !== this.monthFirst) {
      return { order: this.dayFirst ? 'dmy' : 'mdy', guessed: false };
    }
    return { order: MONTH_FIRST_REGIONS.has(region.toUpperCase()) ? 'mdy' : 'dmy', guessed: true };
  }
}

/** Countries whose phones write the month before the day. */
const MONTH_FIRST_REGIONS = new Set(['US', 'PH', 'FM', 'MH', 'PW', 'AS', 'GU', 'MP', 'PR', 'VI']);

/** Thailand's Buddhist Era runs 543 years ahead of the Gregorian calendar. */
const BUDDHIST_OFFSET = 543;

/**
 * The header's moment as Unix milliseconds, reading the wall-clock time as if
 * it were UTC (the file gives no zone), or null when no such date exists.
 */
export function headerMs(h: LineHeader, order: DateOrder): number | null {
  const [p0, p1, p2] = h.parts;
  const [day, month, rawYear, yearWidth] =
    order === 'ymd'
      ? [p2, p1, p0, h.widths[0]]
      : order === 'dmy'
        ? [p0, p1, p2, h.widths[2]]
        : [p1, p0, p2, h.widths[2]];
  let year = yearWidth <= 2 ? 2000 + rawYear : rawYear;
  if (h.buddhist || year > 2400) year -= BUDDHIST_OFFSET;

  let hour = h.hour;
  if (h.meridiem !== null) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (h.meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || h.minute > 59 || h.second > 59 || month < 1 || month > 12 || day < 1) {
    return null;
  }
  const ms = Date.UTC(year, month - 1, day, hour, h.minute, h.second);
  return new Date(ms).getUTCDate() === day ? ms : null;
}

/**
 * Splits what follows the header into the sender's name and the body. A line
 * with no "Name: " part is the app's own notice (a system message).
 */
// Not yet: a notice whose own text holds ": " (a group subject changed to "a: b", say) is read as
// a message from a sender named by the words before it.
export function splitSender(
  line: string,
  restAt: number,
): { name: string; raw: string; bodyAt: number } | null {
  const rest = line.slice(restAt);
  const colon = rest.indexOf(': ');
  if (colon <= 0) return null;
  const raw = rest.slice(0, colon);
  const name = plain(raw).text.trim();
  if (!name || name.length > 200) return null;
  return { name, raw, bodyAt: restAt + colon + 2 };
}

/** "<attached: f>" as iOS writes it in the languages seen in exports. */
const ATTACHED = ['attached', 'anexo', 'adjunto', 'allegato', 'angehängt', 'pièce jointe'];
const IOS_ATTACHED = new RegExp(`<(?:${ATTACHED.join('|')}|вложение): ([^<>]+)>$`, 'iu');

/** An attachment line's file name: iOS "<attached: f>" or Android "f (file attached)". */
export function attachedFile(body: string): string | null {
  const text = plain(body).text.trim();
  const ios = IOS_ATTACHED.exec(text);
  if (ios) return ios[1]!.trim();
  const android = /^(\S(?:.*\S)?\.[A-Za-z0-9]{1,5}) \([^()]{3,40}\)$/u.exec(text);
  return android ? android[1]! : null;
}

/**
 * What the app itself wrote into a body: Android's "<Media omitted>" in any
 * language, or on iOS a note after a direction mark: "image omitted" and its
 * translations (a short phrase), or another notice such as a deletion, a
 * shared location or the encryption banner ('app-note').
 */
export function appNote(
  body: string,
  style: 'ios' | 'android',
): 'media-omitted' | 'app-note' | null {
  if (style === 'android') {
    return /^<[^<>:]{3,60}>$/u.test(plain(body).text.trim()) ? 'media-omitted' : null;
  }
  const note = /[\u200e\u200f]([^\u200e\u200f]+)$/u.exec(body.trim());
  if (!note || attachedFile(body) !== null) return null;
  const text = note[1]!.trim();
  if (!/\p{L}/u.test(text)) return null;
  return text.includes('://') || /[.!?:\u3002]$/u.test(text) ? 'app-note' : 'media-omitted';
}
