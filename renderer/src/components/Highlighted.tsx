import { showControlsKeepingLines } from '../../../main/visibleText';

/**
 * The words a search asked for, to mark where they appear: its words and
 * phrases, without the ones it excludes (`-word`, `NOT word`), `OR`, and the
 * trailing `*` of a prefix.
 */
export function searchTerms(search: string): string[] {
  const terms: string[] = [];
  const tokens = search.match(/-?"[^"]*"|\S+/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'OR' || token === 'AND') continue;
    if (token === 'NOT') {
      i += 1;
      continue;
    }
    if (token.startsWith('-')) continue;
    const term = token.replace(/^"|"$/g, '').replace(/\*$/, '').trim();
    if (term) terms.push(term);
  }
  return terms;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text from a device with each search term marked, whatever its case, its controls written out. */
export function Highlighted({ text, terms }: { text: string; terms: string[] }) {
  const safe = showControlsKeepingLines(text);
  if (terms.length === 0) return <span>{safe}</span>;
  const pattern = new RegExp(`(${terms.map(escape).join('|')})`, 'giu');
  const parts = safe.split(pattern);
  return <span>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</span>;
}
