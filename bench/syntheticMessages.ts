/**
 * Synthetic messages and queries for the store benchmark. Everything comes
 * from a seeded generator, so the encrypted and the plain database receive the
 * same rows and answer the same questions, run after run.
 */

/** A number in [0, 1); the same seed always gives the same sequence. */
export type Random = () => number;

export interface MessageRow {
  id: number;
  threadId: number;
  sender: string;
  sentAt: number;
  body: string;
}

export interface IndexedQuery {
  /** 'first' seeks one message at or after `from`; 'range' reads a window. */
  kind: 'first' | 'range';
  threadId: number;
  from: number;
  to: number;
}

const VOCABULARY_SIZE = 20_000;
const MESSAGES_PER_THREAD = 50;
const SENDERS = 500;
const BASE_TIME = 1_700_000_000;
/** Mean gap between two messages anywhere in the store, in seconds. */
const SPACING = 37;
const DAY = 86_400;

/** Marsaglia's xorshift32: fast and plenty for synthetic data, not for secrets. */
export function seededRandom(seed: number): Random {
  let state = seed | 0 || 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function pick(random: Random, count: number): number {
  return Math.floor(random() * count);
}

/**
 * Made-up words of one to four syllables. Drawn by `zipfRank`, a few of them
 * are in almost every message and most are rare, as in real text, so MATCH
 * queries range from long doclists to a handful of hits.
 */
export function makeVocabulary(random: Random): string[] {
  const consonants = 'bcdfghjklmnprstvwz';
  const vowels = 'aeiou';
  const words = new Set<string>();
  while (words.size < VOCABULARY_SIZE) {
    let word = '';
    const syllables = 1 + pick(random, 4);
    for (let i = 0; i < syllables; i += 1) {
      word += consonants[pick(random, consonants.length)]! + vowels[pick(random, vowels.length)]!;
    }
    words.add(word);
  }
  return [...words];
}

/** A rank in [0, size) with probability falling off as 1/rank (Zipf, s = 1). */
function zipfRank(random: Random, size: number): number {
  return Math.min(size - 1, Math.floor(Math.exp(random() * Math.log(size + 1))) - 1);
}

function makeBody(random: Random, vocabulary: readonly string[]): string {
  const length = 100 + pick(random, 201);
  let body = vocabulary[zipfRank(random, vocabulary.length)]!;
  while (body.length < length) body += ' ' + vocabulary[zipfRank(random, vocabulary.length)]!;
  return body;
}

export function threadCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / MESSAGES_PER_THREAD));
}

/** Rows `firstId` to `firstId + count - 1`; sent_at rises with the id. */
export function makeMessages(
  random: Random,
  vocabulary: readonly string[],
  firstId: number,
  count: number,
  threads: number,
): MessageRow[] {
  const rows: MessageRow[] = [];
  for (let id = firstId; id < firstId + count; id += 1) {
    rows.push({
      id,
      threadId: 1 + pick(random, threads),
      sender: `contact-${String(pick(random, SENDERS)).padStart(4, '0')}`,
      sentAt: BASE_TIME + id * SPACING + pick(random, SPACING),
      body: makeBody(random, vocabulary),
    });
  }
  return rows;
}

/** Half seeks of one message, half windows of up to a week in one thread. */
export function makeIndexedQueries(random: Random, count: number, rows: number): IndexedQuery[] {
  const threads = threadCount(rows);
  const span = rows * SPACING;
  const queries: IndexedQuery[] = [];
  for (let i = 0; i < count; i += 1) {
    const from = BASE_TIME + pick(random, span);
    const kind = i % 2 === 0 ? 'first' : 'range';
    const to = kind === 'first' ? from : from + pick(random, 7 * DAY);
    queries.push({ kind, threadId: 1 + pick(random, threads), from, to });
  }
  return queries;
}

/** FTS5 MATCH strings: alternately one word and two words (both required). */
export function makeFtsQueries(
  random: Random,
  vocabulary: readonly string[],
  count: number,
): string[] {
  const word = (): string => `"${vocabulary[zipfRank(random, vocabulary.length)]!}"`;
  const queries: string[] = [];
  for (let i = 0; i < count; i += 1) queries.push(i % 2 === 0 ? word() : `${word()} ${word()}`);
  return queries;
}
