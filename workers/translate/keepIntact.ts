/**
 * What a translation must carry over exactly as written: links, e-mail
 * addresses, @handles, phone numbers and other figures, emoji, and the terms
 * a case glossary keeps (street names, nicknames) or maps to a set rendering
 * (slang, drug terms). A model given them may drop, reorder or "translate"
 * them; here they are cut out before the model sees the text and put back,
 * verbatim, in their places.
 *
 * Not yet: the runs between kept pieces are translated apart, so a sentence
 * broken by a phone number is translated as two halves.
 */

export interface GlossaryTerm {
  /** The term as it appears in messages; matched whole, case ignored. */
  source: string;
  /** What it becomes in the translation; absent: kept as written. */
  target?: string;
}

/** A message cut into the runs a model translates and the pieces it must not touch. */
export type Piece = { translate: true; text: string } | { translate: false; text: string };

const LINK = String.raw`(?:https?:\/\/|www\.)\S+`;
const EMAIL = String.raw`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`;
const HANDLE = String.raw`(?<![\p{L}\p{N}])@[\p{L}\p{N}_]{2,}`;
/** Figures: phone numbers, prices, times and dates, amounts: a digit with what hangs on it. */
const FIGURE = String.raw`[+£$€]?\p{N}(?:[\p{N}\s().:/,-]*\p{N})?(?:%|k|K)?`;
/** Markup a message may carry (<b>, <script ...>): passed through, never read as words. */
const TAG = String.raw`<\/?[A-Za-z][^<>\n]{0,200}>`;
/** A spreadsheet formula (=HYPERLINK(...), @SUM(...)): kept as written. */
const FORMULA = String.raw`(?<![\p{L}\p{N}])[=+@][A-Za-z]{2,}\([^()\n]{0,500}\)`;
/** Control characters (an ESC, a NUL): kept in place, out of the model's sight. */
const CONTROL = String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+`;
const EMOJI = String.raw`(?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:[\u{FE0F}\u{200D}\u{1F3FB}-\u{1F3FF}]|\p{Extended_Pictographic}|\p{Regional_Indicator})*`;

/** Scripts written without spaces between words, where a term has no word boundary to match at. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Whether a term's edge needs a word boundary: a letter or digit of a script that spaces words. */
const bounded = (edge: string) => /[\p{L}\p{N}]/u.test(edge) && !UNSPACED.test(edge);
const WORD = /[\p{L}\p{N}]/u;

/** What is kept whatever the glossary, earliest first; at the same place a glossary term wins. */
const BUILT_IN = new RegExp(
  [CONTROL, FORMULA, TAG, LINK, EMAIL, HANDLE, EMOJI, FIGURE].map((p) => `(?:${p})`).join('|'),
  'gu',
);

interface IndexedTerm {
  term: GlossaryTerm;
  folded: string;
  /** Its first and last characters are letters of a spaced script: it must stand as a word. */
  wholeBefore: boolean;
  wholeAfter: boolean;
}

/**
 * A glossary made ready to match: its terms by their first character (case
 * folded), longest first. Made once per glossary: a case's glossary may hold
 * thousands of terms, too many for one regular expression (20,000 of them in
 * one alternation took minutes a message).
 */
const indexes = new WeakMap<readonly GlossaryTerm[], Map<string, IndexedTerm[]>>();

function glossaryIndex(glossary: readonly GlossaryTerm[]): Map<string, IndexedTerm[]> {
  let index = indexes.get(glossary);
  if (index) return index;
  index = new Map();
  for (const term of [...glossary].sort((a, b) => b.source.length - a.source.length)) {
    const chars = [...term.source];
    const key = chars[0]!.toLowerCase();
    const list = index.get(key) ?? [];
    list.push({
      term,
      folded: term.source.toLowerCase(),
      wholeBefore: bounded(chars[0]!),
      wholeAfter: bounded(chars.at(-1)!),
    });
    index.set(key, list);
  }
  indexes.set(glossary, index);
  return index;
}

/** The first glossary term in `text` from `from` up to `until`, the longest where several start. */
function findTerm(
  text: string,
  from: number,
  until: number,
  index: Map<string, IndexedTerm[]>,
): { index: number; length: number; term: GlossaryTerm } | undefined {
  for (let i = from; i <= until && i < text.length;) {
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    for (const t of index.get(ch.toLowerCase()) ?? []) {
      const end = i + t.term.source.length;
      if (text.slice(i, end).toLowerCase() !== t.folded) continue;
      if (t.wholeBefore && i > 0 && WORD.test(charBefore(text, i))) continue;
      if (
        t.wholeAfter &&
        end < text.length &&
        WORD.test(String.fromCodePoint(text.codePointAt(end)!))
      ) {
        continue;
      }
      return { index: i, length: end - i, term: t.term };
    }
    i += ch.length;
  }
  return undefined;
}

function charBefore(text: string, i: number): string {
  const low = text.charCodeAt(i - 1);
  return low >= 0xdc00 && low <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text.slice(i - 1, i);
}

/**
 * Cuts a message into pieces: runs of text to translate, and pieces to keep
 * (or glossary terms, already in their target form). Whitespace around a
 * kept piece stays with it, so putting the pieces back together keeps the
 * message's spacing.
 */
export function cutForTranslation(text: string, glossary: readonly GlossaryTerm[] = []): Piece[] {
  const index = glossaryIndex(glossary);
  const pieces: Piece[] = [];
  const pushText = (run: string) => {
    if (run.length === 0) return;
    if (/\p{L}/u.test(run)) pieces.push({ translate: true, text: run });
    else pieces.push({ translate: false, text: run });
  };
  let at = 0;
  while (at < text.length) {
    BUILT_IN.lastIndex = at;
    const builtIn = BUILT_IN.exec(text);
    const term = findTerm(text, at, builtIn?.index ?? text.length, index);
    const next =
      term ??
      (builtIn ? { index: builtIn.index, length: builtIn[0].length, term: undefined } : undefined);
    if (!next) break;
    pushText(text.slice(at, next.index));
    pieces.push({
      translate: false,
      text: next.term
        ? (next.term.target ?? text.slice(next.index, next.index + next.length))
        : text.slice(next.index, next.index + next.length),
    });
    at = next.index + next.length;
  }
  pushText(text.slice(at));
  return pieces;
}

/**
 * Puts a message back together from its pieces, the runs replaced by their
 * translations (in order), each keeping the whitespace its run had around it.
 * The target is taken to write spaces between words: a run that touched a
 * kept piece with none between (Chinese does not space its words) is set
 * apart from it by one.
 */
export function joinTranslation(pieces: readonly Piece[], translations: readonly string[]): string {
  let next = 0;
  const wordEdge = /[\p{Script=Latin}\p{N}]/u;
  return pieces
    .map((p, i) => {
      if (!p.translate) {
        // Two kept pieces that touched (two glossary terms in Chinese) stay two words.
        const before = pieces[i - 1];
        const touching =
          before !== undefined &&
          !before.translate &&
          wordEdge.test(before.text.at(-1) ?? '') &&
          wordEdge.test(p.text.at(0) ?? '');
        return touching ? ` ${p.text}` : p.text;
      }
      const translated = translations[next++] ?? '';
      const lead = /^\s*/u.exec(p.text)![0] || (i > 0 && translated ? ' ' : '');
      const trail = /\s*$/u.exec(p.text)![0] || (i < pieces.length - 1 && translated ? ' ' : '');
      return `${lead}${translated}${trail}`;
    })
    .join('');
}
