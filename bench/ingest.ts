/**
 * Ingest speed and memory, and search latency, at 100,000 and 1,000,000
 * messages, in one run. The input is a real Android mmssms.db written here
 * from the seeded synthetic messages (the store benchmark's), read by the real
 * pipeline: the ingest job's worker parses a working copy and main stores the
 * batches in the encrypted case database with its full-text index.
 *
 *   npm run bench:ingest [-- --sizes 100000,1000000 --queries 200]
 *
 * Peak memory is the resident total of this process (main, which stores) and
 * every process under it (the worker, which parses).
 *
 * Responsiveness while the ingest runs: a second process runs the real
 * `toex messages --search` against the same case every two seconds, timed from
 * start to exit, beside the same command on the idle case afterwards; and this
 * process's event-loop delay (what a window served by it would feel) is sampled
 * throughout. Needs `npm run build` for dist/bin/toex.js.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';

import { searchMessages } from '../main/ingest/messageSearch.js';
import { watchPeakMemory } from './processMemory.js';
import { benchCase } from './smsExtraction.js';
import { makeVocabulary, seededRandom } from './syntheticMessages.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    queries: { type: 'string', default: '200' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const queryCount = Number(values.queries);
const work = mkdtempSync(join(tmpdir(), 'toex-bench-ingest-'));
const TOEX = join(import.meta.dirname, '..', '..', '..', '..', 'dist', 'bin', 'toex.js');
const PASSPHRASE = 'benchmark passphrase';
const run = promisify(execFile);

/** Runs `toex messages` as an examiner would from a second terminal; its time from start to exit in ms. */
async function timedSearch(home: string, words: string): Promise<number> {
  const t = process.hrtime.bigint();
  await run(
    process.execPath,
    [TOEX, 'messages', 'BENCH-1', '--search', words, '--limit', '100', '--json'],
    {
      env: { PATH: process.env.PATH, TOEX_HOME: home, TOEX_PASSPHRASE: PASSPHRASE },
      maxBuffer: 64 * 2 ** 20,
    },
  );
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function measure(rows: number): Promise<void> {
  const { home, file, workstation, store, itemId } = await benchCase(work, rows, PASSPHRASE);

  // Words drawn from the stored text itself, so every query finds something.
  const random = seededRandom(7);
  const vocabulary = makeVocabulary(seededRandom(42));

  const peak = watchPeakMemory(process.pid);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let ingesting = true;
  const during: number[] = [];
  const searcher = (async () => {
    while (ingesting) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      if (ingesting) during.push(await timedSearch(home, vocabulary[during.length % 50]!));
    }
  })();
  const started = process.hrtime.bigint();
  const job = await store.runner().run(store.queueIngest(itemId).id);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ingesting = false;
  loop.disable();
  await searcher;
  const peakBytes = peak();
  if (job.state !== 'done') throw new Error(`ingest ${job.state}: ${job.error?.message}`);
  const idle: number[] = [];
  for (let i = 0; i < 5; i += 1) idle.push(await timedSearch(home, vocabulary[i]!));
  during.sort((a, b) => a - b);
  idle.sort((a, b) => a - b);

  const latencies: number[] = [];
  for (let i = 0; i < queryCount; i += 1) {
    const words =
      i % 2 === 0
        ? vocabulary[Math.floor(random() * 2000)]!
        : `${vocabulary[Math.floor(random() * 200)]!} ${vocabulary[Math.floor(random() * 2000)]!}`;
    const t = process.hrtime.bigint();
    searchMessages(store.db, { search: words, limit: 100 });
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  latencies.sort((a, b) => a - b);
  store.close();
  workstation.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(file, { force: true });

  process.stdout.write(
    `${rows.toLocaleString('en-GB')} messages\n` +
      `  ingest:  ${(rows / seconds).toFixed(0)} messages/s (${seconds.toFixed(1)} s), peak memory ${(peakBytes / 1024 / 1024).toFixed(0)} MiB (goal < 1024 MiB)\n` +
      `  search:  ${queryCount} queries of 100 results, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms (goal p95 < 100 ms)\n` +
      `  while ingesting: \`toex messages --search\` from a second process, ${during.length} runs, median ${percentile(during, 0.5).toFixed(0)} ms, slowest ${(during.at(-1) ?? 0).toFixed(0)} ms; idle case ${percentile(idle, 0.5).toFixed(0)} ms (ratio ${(percentile(during, 0.5) / percentile(idle, 0.5)).toFixed(2)})\n` +
      `  while ingesting: event-loop delay of the storing process p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms\n\n`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(TOEX)) throw new Error('dist/bin/toex.js is missing: run `npm run build` first');
  for (const rows of sizes) await measure(rows);
}

main()
  .finally(() => rmSync(work, { recursive: true, force: true }))
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
