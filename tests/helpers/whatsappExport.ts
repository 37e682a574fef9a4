import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { zipSync, type Zippable } from 'fflate';

/** One line of a chat as a test describes it; `at` is the wall-clock time, written as UTC. */
export interface ChatLine {
  at: string;
  /** The sender; omitted for the app's own notices. */
  from?: string;
  text: string;
}

export type ExportStyle =
  | 'ios-mdy' // [3/27/22, 21:41:35] Name: text
  | 'ios-dmy-12h' // [27/03/2022, 9:41:35 pm] Name: text (with U+202F before pm)
  | 'android-dmy' // 27/03/2022, 21:41 - Name: text
  | 'android-mdy-12h' // 3/27/22, 9:41 PM - Name: text
  | 'android-dots' // 27.03.22, 21:41 - Name: text
  | 'android-dashes' // 27-03-2022 21:41 - Name: text
  | 'ios-arabic'; // [٢٧/٣/٢٠٢٢، ٩:٤١:٣٥ م] with RLM marks and Arabic-Indic digits

const pad = (n: number) => String(n).padStart(2, '0');
const ARABIC = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x0660 + Number(d)));

/** The header WhatsApp writes before a line, in the given style. */
export function header(style: ExportStyle, at: string): string {
  const t = new Date(at);
  const [y, mo, d] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
  const [h, mi, s] = [t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()];
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const pm = h >= 12;
  switch (style) {
    case 'ios-mdy':
      return `[${mo}/${d}/${pad(y % 100)}, ${pad(h)}:${pad(mi)}:${pad(s)}] `;
    case 'ios-dmy-12h':
      return `[${pad(d)}/${pad(mo)}/${y}, ${h12}:${pad(mi)}:${pad(s)}\u202f${pm ? 'pm' : 'am'}] `;
    case 'android-dmy':
      return `${pad(d)}/${pad(mo)}/${y}, ${pad(h)}:${pad(mi)} - `;
    case 'android-mdy-12h':
      return `${mo}/${d}/${pad(y % 100)}, ${h12}:${pad(mi)}\u202f${pm ? 'PM' : 'AM'} - `;
    case 'android-dots':
      return `${pad(d)}.${pad(mo)}.${pad(y % 100)}, ${pad(h)}:${pad(mi)} - `;
    case 'android-dashes':
      return `${pad(d)}-${pad(mo)}-${y} ${pad(h)}:${pad(mi)} - `;
    case 'ios-arabic':
      return ARABIC(
        `[${d}\u200f/${mo}\u200f/${y}\u060c ${h12}:${pad(mi)}:${pad(s)}\u00a0${pm ? 'م' : 'ص'}] `,
      );
  }
}

/** A chat's text as the app exports it. */
export function chatText(style: ExportStyle, lines: ChatLine[], eol = '\n'): string {
  return lines
    .map((l) => header(style, l.at) + (l.from === undefined ? '' : `${l.from}: `) + l.text)
    .map((l) => l.replace(/\n/g, eol))
    .join(eol);
}

export function writeChatTxt(dir: string, text: string | Buffer, name = 'chat.txt'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/**
 * The .zip the app shares: the chat as _chat.txt (first, as iOS writes it)
 * and the media files beside it. Extra entries may carry hostile names.
 */
export function writeChatZip(
  dir: string,
  text: string,
  media: Record<string, Uint8Array | string> = {},
  name = 'WhatsApp Chat - Test.zip',
): string {
  const files: Zippable = { '_chat.txt': Buffer.from(text) };
  for (const [path, content] of Object.entries(media)) {
    files[path] = typeof content === 'string' ? Buffer.from(content) : content;
  }
  const path = join(dir, name);
  writeFileSync(path, zipSync(files));
  return path;
}
