import { createReadStream } from 'node:fs';

import { normaliseAddress } from '../addresses.js';
import type { FileFormat, ParseContext } from '../formats.js';
import type { ContactRecord, IngestRecord } from '../records.js';

/** A card longer than this is no contact: it is cut off and reported. */
const MAX_CARD_CHARS = 1 << 20;

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

interface Property {
  /** The name without its group (item1.TEL is TEL), upper case. */
  name: string;
  params: Map<string, string[]>;
  value: string;
}

/** True when the file starts (after a BOM and blank lines) with BEGIN:VCARD. */
function isVcard(head: Buffer): boolean {
  return /^\uFEFF?\s*BEGIN:VCARD\r?\n/i.test(head.subarray(0, 256).toString('utf8'));
}

/** "NAME;TYPE=CELL;CHARSET=UTF-8:value": parameters as given, vCard 2.1's bare ones under TYPE. */
function property(line: string): Property | null {
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  const [head = '', ...params] = line.slice(0, colon).split(';');
  const map = new Map<string, string[]>();
  for (const p of params) {
    const eq = p.indexOf('=');
    const key = eq < 0 ? 'TYPE' : p.slice(0, eq).toUpperCase();
    const values = (eq < 0 ? p : p.slice(eq + 1)).split(',').map((v) => v.toUpperCase());
    map.set(key, [...(map.get(key) ?? []), ...values]);
  }
  return {
    name: head.slice(head.lastIndexOf('.') + 1).toUpperCase(),
    params: map,
    value: line.slice(colon + 1),
  };
}

/** vCard 2.1's QUOTED-PRINTABLE: =XX bytes, in the card's charset (UTF-8 unless it says). */
function unquote(value: string, charset: string | undefined, flags: Set<string>): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value[i] === '=' ? /^[0-9A-F]{2}/i.exec(value.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i]!, 'utf8'));
  }
  const buf = Buffer.from(bytes);
  if (charset && charset !== 'UTF-8') return LATIN1.decode(buf);
  try {
    return STRICT_UTF8.decode(buf);
  } catch {
    flags.add('invalid-utf8');
    return LATIN1.decode(buf);
  }
}

/** A 3.0/4.0 text value: \n, \, and \; written escaped. */
function unescape(value: string): string {
  return value.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

function text(p: Property, flags: Set<string>): string {
  const encoding = p.params.get('ENCODING')?.[0];
  if (encoding === 'QUOTED-PRINTABLE') return unquote(p.value, p.params.get('CHARSET')?.[0], flags);
  return unescape(p.value);
}

/**
 * One card's lines, unfolded: a line starting with a space or tab continues
 * the one before (3.0), and a QUOTED-PRINTABLE line ending in = runs on into
 * the next (2.1).
 */
function unfold(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const last = out.length - 1;
    if (last >= 0 && /^[ \t]/.test(line)) out[last] += line.slice(1);
    else if (last >= 0 && /QUOTED-PRINTABLE/i.test(out[last]!) && out[last]!.endsWith('=')) {
      out[last] = out[last]!.slice(0, -1) + line;
    } else out.push(line);
  }
  return out;
}

function contactOf(lines: string[], line: number, ctx: ParseContext): ContactRecord {
  const flags = new Set<string>();
  let fn: string | null = null;
  let n: string | null = null;
  let org: string | null = null;
  const identifiers: string[] = [];
  for (const raw of unfold(lines)) {
    const p = property(raw);
    if (!p) continue;
    if (p.name === 'FN') fn = text(p, flags).trim() || fn;
    else if (p.name === 'N') {
      // Family;Given;Additional;Prefix;Suffix, shown as the phone would: given names first.
      const [family = '', given = '', extra = '', prefix = '', suffix = ''] = text(p, flags).split(
        ';',
      );
      n =
        [prefix, given, extra, family, suffix]
          .map((s) => s.trim())
          .filter(Boolean)
          .join(' ') || null;
    } else if (p.name === 'ORG') org = text(p, flags).split(';')[0]!.trim() || org;
    else if (p.name === 'TEL' || p.name === 'EMAIL') {
      const value = text(p, flags).replace(/^tel:/i, '').trim();
      if (!value) continue;
      const id = normaliseAddress(value, ctx.region).identifier;
      if (!identifiers.includes(id)) identifiers.push(id);
    }
  }
  return {
    type: 'contact',
    key: `vcard:L${line}`,
    name: fn ?? n ?? org,
    identifiers,
    source: { file: ctx.file.name, line },
  };
}

/**
 * A vCard file (.vcf) of contacts, as phones and extraction tools export an
 * address book: versions 2.1, 3.0 and 4.0, folded lines, QUOTED-PRINTABLE
 * names, grouped properties (item1.TEL). Each card is a contact with its
 * name (FN, else N, else ORG) and its numbers and e-mail addresses,
 * pointing back to the line its BEGIN:VCARD is on.
 */
export const vcard: FileFormat = {
  kind: 'file',
  id: 'vcard',
  label: 'vCard contacts (.vcf)',

  matches(file) {
    return isVcard(file.head);
  },

  async *parse(ctx) {
    const stream = createReadStream(ctx.file.path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    let rest = '';
    let number = 0;
    let card: { line: number; lines: string[]; chars: number } | null = null;
    const cutShort = (c: { line: number; chars: number }): IngestRecord[] =>
      c.chars >= MAX_CARD_CHARS
        ? [
            {
              type: 'problem',
              key: `vcard:L${c.line}:cut`,
              message: `a card of over ${MAX_CARD_CHARS} characters: read up to there`,
              source: { file: ctx.file.name, line: c.line },
            },
          ]
        : [];
    let read = 0;
    const lineOf = function* (line: string): Generator<IngestRecord> {
      number += 1;
      const trimmed = line.replace(/\r$/, '');
      if (/^BEGIN:VCARD$/i.test(trimmed.trim())) {
        if (card) {
          yield {
            type: 'problem',
            key: `vcard:L${card.line}:unclosed`,
            message: 'a card with no END:VCARD; read up to the next card',
            source: { file: ctx.file.name, line: card.line },
          };
          yield* cutShort(card);
          yield contactOf(card.lines, card.line, ctx);
        }
        card = { line: number, lines: [], chars: 0 };
      } else if (/^END:VCARD$/i.test(trimmed.trim())) {
        if (card) {
          yield* cutShort(card);
          yield contactOf(card.lines, card.line, ctx);
        }
        card = null;
      } else if (card && card.chars < MAX_CARD_CHARS) {
        card.lines.push(trimmed);
        card.chars += trimmed.length;
      }
    };
    for await (const chunk of stream as AsyncIterable<string>) {
      ctx.signal.throwIfAborted();
      read += Buffer.byteLength(chunk);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) yield* lineOf(line);
      ctx.progress(read, ctx.file.size);
    }
    if (rest) yield* lineOf(rest);
    const open = card as { line: number; lines: string[]; chars: number } | null;
    if (open) {
      yield* cutShort(open);
      yield {
        type: 'problem',
        key: `vcard:L${open.line}:unclosed`,
        message: 'the file ends inside a card (no END:VCARD); what the card held is kept',
        source: { file: ctx.file.name, line: open.line },
      };
      yield contactOf(open.lines, open.line, ctx);
    }
  },
};
