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

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Scripts written without spaces between words, where a term has no word boundary to match at. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Whether a term's edge needs a word boundary: a letter or digit of a script that spaces words. */
const bounded = (edge: string) => /[\p{L}\p{N}]/u.test(edge) && !UNSPACED.test(edge);

/** A glossary term as a pattern: whole words where its script spaces them, anywhere where not. */
function termPattern(term: string): string {
  const before = bounded(term.at(0) ?? '') ? '(?<![\\p{L}\\p{N}])' : '';
  const after = bounded(term.at(-1) ?? '') ? '(?![\\p{L}\\p{N}])' : '';
  return `${before}${escape(term)}${after}`;
}

/**
 * Cuts a message into pieces: runs of text to translate, and pieces to keep
 * (or glossary terms, already in their target form). Whitespace around a
 * kept piece stays with it, so putting the pieces back together keeps the
 * message's spacing.
 */
export function cutForTranslation(text: string, glossary: readonly GlossaryTerm[] = []): Piece[] {
  const terms = [...glossary].sort((a, b) => b.source.length - a.source.length);
  const byTerm = new Map(terms.map((t) => [t.source.toLowerCase(), t]));
  const patterns = [
    ...terms.map((t) => termPattern(t.source)),
    CONTROL,
    FORMULA,
    TAG,
    LINK,
    EMAIL,
    HANDLE,
    EMOJI,
    FIGURE,
  ];
  const keep = new RegExp(patterns.map((p) => `(?:${p})`).join('|'), 'giu');

  const pieces: Piece[] = [];
  let at = 0;
  const pushText = (run: string) => {
    if (run.length === 0) return;
    if (/\p{L}/u.test(run)) pieces.push({ translate: true, text: run });
    else pieces.push({ translate: false, text: run });
  };
  for (const m of text.matchAll(keep)) {
    pushText(text.slice(at, m.index));
    const term = byTerm.get(m[0].toLowerCase());
    pieces.push({ translate: false, text: term?.target ?? m[0] });
    at = m.index + m[0].length;
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
