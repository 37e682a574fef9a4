import { SaxesParser } from 'saxes';

import { ToexError } from '../../../main/errors.js';

export type Attrs = Record<string, string>;

/** One message or call of the backup, read whole; the backup itself never is. */
export type BackupUnit =
  | { kind: 'sms' | 'call'; attrs: Attrs; index: number; path: string; flags: string[] }
  | {
      kind: 'mms';
      attrs: Attrs;
      /** Each part's attributes but its bytes, and how many bytes it held. */
      parts: { attrs: Attrs; bytes: number | null }[];
      addrs: Attrs[];
      index: number;
      path: string;
      flags: string[];
    }
  | { kind: 'problem'; key: string; message: string; path: string };

/** What each root holds. */
const CHILDREN: Record<string, string[]> = { smses: ['sms', 'mms'], calls: ['call'] };
/** An MMS with more parts or addresses than this is hostile or broken; the rest are dropped. */
const MAX_PIECES = 1000;
/** XML errors listed one by one; past this they are only counted. */
const MAX_XML_PROBLEMS = 100;

const PROLOG =
  /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--[\s\S]*?-->|<\?xml-stylesheet[^>]*\?>)\s*)*(?:<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>\s*)?<(smses|calls)\b[^>]*>\s*(?:<!--[\s\S]*?-->\s*)*(?:<(sms|mms|call)\b|<\/(?:smses|calls)>|$)/;

/** True when the text opens as SyncTech's SMS Backup & Restore writes its backups. */
export function isSmsBackup(head: Buffer): boolean {
  const m = PROLOG.exec(head.toString('utf8'));
  return m !== null && (m[2] === undefined || CHILDREN[m[1]!]!.includes(m[2]));
}

const HIGH = /&#(\d{5});&#(\d{5});/g;

/**
 * The app writes a character outside the Basic Multilingual Plane (an emoji)
 * as two references to its UTF-16 halves, which XML forbids, so the parser
 * leaves them as written. Each such pair is joined back into its character.
 */
function joinSurrogates(value: string): string {
  return value.replace(HIGH, (whole, hi: string, lo: string) => {
    const h = Number(hi);
    const l = Number(lo);
    return h >= 0xd800 && h <= 0xdbff && l >= 0xdc00 && l <= 0xdfff
      ? String.fromCharCode(h, l)
      : whole;
  });
}

/**
 * Streams an SMS Backup & Restore XML file (`<smses>` of `<sms>` and `<mms>`,
 * or `<calls>` of `<call>`) into units. A DOCTYPE is refused outright, so no
 * entity is ever defined or expanded; an XML error is reported and reading
 * goes on; a file that stops early keeps every unit read before the break.
 */
export async function* readSmsBackup(
  chunks: AsyncIterable<Buffer>,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): AsyncGenerator<BackupUnit> {
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder('utf-8');
  const out: BackupUnit[] = [];
  const counts = new Map<string, number>();
  let depth = 0;
  let root: string | null = null;
  let mms: Extract<BackupUnit, { kind: 'mms' }> | null = null;
  let badRefs = 0;
  let xmlProblems = 0;
  let doctype = false;
  let rootClosed = false;
  let bytes = 0;

  const problem = (key: string, message: string) =>
    out.push({ kind: 'problem', key, message, path: `/${root ?? ''}` });

  parser.on('doctype', () => {
    doctype = true;
  });
  parser.on('error', (err) => {
    // A character reference XML forbids: kept as written and looked at with its element.
    if (err.message.includes('malformed character entity')) {
      badRefs += 1;
      return;
    }
    xmlProblems += 1;
    if (xmlProblems > MAX_XML_PROBLEMS) return;
    problem(
      `problem:xml:${parser.line}:${parser.column}:${xmlProblems}`,
      `the backup is not well-formed here (${err.message}); the text is kept as written`,
    );
  });

  parser.on('opentag', (tag) => {
    depth += 1;
    let attrs = tag.attributes as Attrs;
    const flags: string[] = [];
    if (badRefs > 0) {
      badRefs = 0;
      const joined = Object.fromEntries(
        Object.entries(attrs).map(([k, v]) => [k, joinSurrogates(v)]),
      );
      const changed = Object.keys(attrs).some((k) => joined[k] !== attrs[k]);
      if (changed) flags.push('char-refs-joined');
      if (Object.values(joined).some((v) => /&#\d+;/.test(v))) flags.push('invalid-char-refs');
      attrs = joined;
    }

    if (depth === 1) {
      root = tag.name;
      return;
    }
    if (depth === 2 && root && CHILDREN[root]?.includes(tag.name)) {
      const index = (counts.get(tag.name) ?? 0) + 1;
      counts.set(tag.name, index);
      const path = `/${root}/${tag.name}[${index}]`;
      if (tag.name === 'mms') {
        mms = { kind: 'mms', attrs, parts: [], addrs: [], index, path, flags };
      } else {
        out.push({ kind: tag.name as 'sms' | 'call', attrs, index, path, flags });
      }
      return;
    }
    if (mms && depth === 4 && (tag.name === 'part' || tag.name === 'addr')) {
      if (Math.max(mms.parts.length, mms.addrs.length) >= MAX_PIECES) {
        if (!mms.flags.includes('mms-too-large')) mms.flags.push('mms-too-large');
        return;
      }
      for (const f of flags) if (!mms.flags.includes(f)) mms.flags.push(f);
      if (tag.name === 'addr') {
        mms.addrs.push(attrs);
        return;
      }
      // Only the size of an attachment's bytes is kept: the file is not stored.
      const { data, ...rest } = attrs;
      mms.parts.push({ attrs: rest, bytes: data === undefined ? null : base64Bytes(data) });
    }
  });

  parser.on('closetag', () => {
    if (depth === 2 && mms) {
      out.push(mms);
      mms = null;
    }
    if (depth === 1) rootClosed = true;
    depth -= 1;
  });

  let failure: string | null = null;
  try {
    for await (const chunk of chunks) {
      signal.throwIfAborted();
      bytes += chunk.length;
      parser.write(decoder.decode(chunk, { stream: true }));
      if (doctype) {
        throw new ToexError(
          'bad-input',
          'the backup declares a DOCTYPE; TOEX refuses DTDs and their entities',
        );
      }
      onBytes(bytes);
      yield* out.splice(0);
    }
    parser.write(decoder.decode());
  } catch (err) {
    if (err instanceof ToexError || signal.aborted) throw err;
    failure = `the backup could not be read past byte ${bytes} (${(err as Error).message})`;
  }
  yield* out.splice(0);

  if (xmlProblems > MAX_XML_PROBLEMS) {
    problem(
      'problem:xml:more',
      `${xmlProblems - MAX_XML_PROBLEMS} further XML errors were not listed`,
    );
  }
  if (failure !== null || !rootClosed) {
    const what = failure ?? `the backup ends after ${bytes} bytes, before its last element closes`;
    problem('problem:truncated', `${what} (truncated): everything read before it is kept`);
  } else {
    parser.close();
  }
  yield* out.splice(0);
}

/** The decoded length of base64 text, without decoding it. */
function base64Bytes(text: string): number {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  return Math.floor((clean.length * 3) / 4);
}
