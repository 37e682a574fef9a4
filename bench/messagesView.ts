/**
 * The window's messages view at 1,000,000 messages beside the same view at
 * 1,000, in one run: what the API takes to count and to hand over a page at
 * the top, the middle and the end, and what the real window does in Debian's
 * Chromium through web mode: the time to the first rows, the time to rows
 * after a jump to the middle of the list, and the frame times while it is
 * scrolled steadily. The ratio column is the big case over the small one; a
 * smooth list keeps it near 1 and its frames near 16.7 ms (60 a second).
 *
 *   npm run bench:window [-- --sizes 1000,1000000]
 *
 * The messages are the ingest benchmark's synthetic SMS, read by the real
 * ingest into an encrypted case. Needs `npm run build` (the renderer) and
 * /usr/bin/chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium, type Page } from 'playwright-core';

import { ApiService } from '../main/api/ApiService.js';
import { installRoot } from '../main/installRoot.js';
import { WebServer } from '../main/web/WebServer.js';
import { benchCase } from './smsExtraction.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,1000000' } } });
const sizes = values.sizes.split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'toex-bench-window-'));
const PASSPHRASE = 'benchmark passphrase';

type Figures = Record<string, number>;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/** A case holding `rows` messages, read in by the real ingest job. */
async function caseWith(rows: number): Promise<string> {
  const { home, workstation, store, itemId } = await benchCase(work, rows, PASSPHRASE);
  const job = await store.runner().run(store.queueIngest(itemId).id);
  if (job.state !== 'done') throw new Error(`ingest ${job.state}: ${job.error?.message}`);
  store.close();
  workstation.close();
  return home;
}

/**
 * Waits until the rows in view start at `from` or later and are drawn, not
 * placeholders; the time it took in ms.
 */
async function rowsDrawn(page: Page, since: number, from = 0): Promise<number> {
  await page.waitForFunction(
    (first) => {
      const { document } = globalThis as unknown as PageGlobals;
      const rows = document.querySelectorAll('.message-pane .virtual-window .row');
      return (
        rows.length > 0 &&
        Number(rows[0]!.getAttribute('aria-posinset')) >= first &&
        document.querySelectorAll('.message-pane .virtual-window .loading').length === 0
      );
    },
    from,
    { polling: 'raf', timeout: 60_000 },
  );
  return Date.now() - since;
}

/**
 * What the functions run in the page use of it. This file is compiled for
 * Node, without the DOM's types, and each function is sent to the page as its
 * source, so it names the page's globals itself; the Content-Security-Policy
 * forbids passing page code as strings instead.
 */
interface PageGlobals {
  document: {
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    querySelector(selector: string): { scrollTop: number; scrollHeight: number };
  };
  performance: { now(): number };
  requestAnimationFrame(step: (now: number) => void): void;
}

async function browserFigures(url: string, rows: number, figures: Figures): Promise<void> {
  const profile = mkdtempSync(join(work, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    // The service behind it is unlocked already: the window opens on the case list.
    await page.goto(url);
    await page.getByRole('button', { name: 'BENCH-1' }).click();

    let t = Date.now();
    await page.getByRole('tab', { name: /Messages/ }).click();
    figures['window: first rows drawn, ms'] = await rowsDrawn(page, t);

    t = Date.now();
    await page.evaluate(() => {
      const el = (globalThis as unknown as PageGlobals).document.querySelector(
        '.message-pane .virtual-list',
      );
      el.scrollTop = el.scrollHeight / 2;
    });
    figures['window: rows after a jump to the middle, ms'] = await rowsDrawn(
      page,
      t,
      Math.floor(rows * 0.4),
    );

    // Scrolled a little every frame, as a held arrow key or a wheel would.
    const frames = await page.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const g = globalThis as unknown as PageGlobals;
          const el = g.document.querySelector('.message-pane .virtual-list');
          const gaps: number[] = [];
          let last = g.performance.now();
          const step = (now: number) => {
            gaps.push(now - last);
            last = now;
            el.scrollTop += 40;
            if (gaps.length < 240) g.requestAnimationFrame(step);
            else resolve(gaps.slice(1));
          };
          g.requestAnimationFrame(step);
        }),
    );
    frames.sort((a, b) => a - b);
    figures['window: frame time scrolling, p95 ms'] = frames[Math.floor(frames.length * 0.95)]!;
    figures['window: slowest frame scrolling, ms'] = frames.at(-1)!;
  } finally {
    await context.close();
  }
}

async function measure(rows: number): Promise<Figures> {
  const home = await caseWith(rows);
  const api = new ApiService(home);
  const web = await WebServer.start(api, { rendererDir: join(installRoot(), 'dist', 'renderer') });
  const figures: Figures = {};
  try {
    await api.call('session:unlock', { passphrase: PASSPHRASE });
    const cases = await api.call('cases:list', {});
    if (!cases.ok) throw new Error(cases.error.message);
    const caseId = cases.value[0]!.id;
    const page = (offset: number) => () =>
      api.call('messages:page', { caseId, filter: {}, offset, limit: 200 });

    figures['api: count all, ms'] = await timed(() =>
      api.call('messages:count', { caseId, filter: {} }),
    );
    figures['api: page of 200 at the top, ms'] = await timed(page(0));
    figures['api: page of 200 in the middle, ms'] = await timed(page(Math.floor(rows / 2)));
    figures['api: page of 200 at the end, ms'] = await timed(page(Math.max(0, rows - 200)));
    await browserFigures(web.url, rows, figures);
  } finally {
    await web.close();
    await api.dispose();
    rmSync(home, { recursive: true, force: true });
  }
  return figures;
}

async function main(): Promise<void> {
  const results: Figures[] = [];
  for (const rows of sizes) results.push(await measure(rows));
  const [small, big] = [results[0]!, results.at(-1)!];
  const head = sizes.map((n) => `${n.toLocaleString('en-GB')} msgs`.padStart(16)).join('');
  process.stdout.write(`${'messages view'.padEnd(46)}${head}${'ratio'.padStart(9)}\n`);
  for (const name of Object.keys(small)) {
    const cells = results.map((r) => r[name]!.toFixed(1).padStart(16)).join('');
    const ratio = (big[name]! / Math.max(small[name]!, 0.1)).toFixed(2).padStart(9);
    process.stdout.write(`${name.padEnd(46)}${cells}${ratio}\n`);
  }
}

main()
  .finally(() => rmSync(work, { recursive: true, force: true }))
  .catch((err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
