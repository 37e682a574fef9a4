import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';

import { androidSmsDb } from '../helpers/androidSmsDb.js';
import { CLI_PASSPHRASE, toex } from '../helpers/cli.js';
import { JFK_WAV } from '../helpers/models.js';
import { useTempDirs } from '../helpers/temp.js';
import { openBrowser, screenshot, serve } from './browser.js';

const REF = 'OP-LANTERN/2026/0007';
const T0 = Date.parse('2024-03-09T21:00:00.000Z');
/** Waits for the newest job of a kind to end, and gives how it ended with any error it shows. */
async function jobOutcome(page: Page, kind: string, timeout: number): Promise<string> {
  const job = page.locator('.job', { hasText: kind }).first();
  await job.locator('.state', { hasText: /^(Done|Failed|Cancelled)$/ }).waitFor({ timeout });
  return (await job.locator('.job-state').textContent()) ?? '';
}

/** What the keyboard tests read of the page (this file is compiled without the DOM's types). */
interface KeyboardPage {
  document: {
    activeElement: { textContent: string | null } | null;
    documentElement: { scrollWidth: number; clientWidth: number };
  };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * An officer's and an examiner's day through the real window: `toex serve`
 * with the real services, models and workers behind it, driven in Debian's
 * Chromium. Each step builds on the one before, as a user's would, and
 * leaves a screenshot in dist/e2e-screenshots.
 */
describe('the workstation window, end to end (web mode, Chromium)', () => {
  const tempDir = useTempDirs();
  let home: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // The data folder lives for the whole walk-through, not one step: made here, removed at the end.
    home = mkdtempSync(join(tmpdir(), 'toex-e2e-'));
    server = await serve(home);
    browser = await openBrowser();
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('sets up a new workstation, shows its recovery key once, and locks', async () => {
    await page.goto(server.url);
    expect(page.url()).not.toContain('token');
    await page.getByLabel(/^Your name/).fill('DC Window 0001');
    await page.getByLabel(/^Passphrase/).fill(CLI_PASSPHRASE);
    await page.getByLabel('The passphrase again').fill(CLI_PASSPHRASE);
    await page.getByRole('button', { name: 'Set up' }).click();
    const key = (await page.locator('.recovery-key code').textContent()) ?? '';
    expect(key).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){12}[0-9A-HJKMNP-TV-Z]{4}$/);
    await screenshot(page, '00-recovery-key');
    expect(await page.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true);
    await page.getByLabel('I have written the recovery key down').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Cases' }).waitFor();

    // The key is real: it recovers the workstation from the command line (to the same passphrase).
    const recovered = await toex(home, ['recover'], {
      env: { TOEX_RECOVERY_KEY: key, TOEX_NEW_PASSPHRASE: CLI_PASSPHRASE },
    });
    expect(recovered.stderr).toBe('');
    expect(recovered.code).toBe(0);

    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByLabel('Passphrase').waitFor();
  });

  it('unlocks with the passphrase, and says so plainly when it is wrong', async () => {
    await page.getByLabel('Passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/passphrase/i);
    await screenshot(page, '01-unlock-wrong-passphrase');

    await page.getByLabel('Passphrase').fill(CLI_PASSPHRASE);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('heading', { name: 'Cases' }).waitFor();
    expect(await page.locator('.operator').textContent()).toMatch(/^DC Window 0001/);
    await screenshot(page, '02-case-list-empty');
  });

  it('creates a case and opens it', async () => {
    await page.getByLabel('Reference').fill(REF);
    await page.getByLabel('Title').fill('Lantern: exploitation network');
    await page.getByLabel('Owner').fill('DS Okafor');
    await page.getByRole('button', { name: 'Create case' }).click();
    await page.getByRole('heading', { name: new RegExp(REF) }).waitFor();
    expect(await page.getByRole('tab', { selected: true }).textContent()).toMatch(/^Evidence/);

    const listed = await toex(home, ['--json', 'case', 'list']);
    expect(listed.stderr).toBe('');
    const cases = JSON.parse(listed.stdout) as { reference: string; owner: string }[];
    expect(cases.map((c) => [c.reference, c.owner])).toEqual([[REF, 'DS Okafor']]);
    await screenshot(page, '03-new-case');
  });

  it('imports a recording with its hashes', async () => {
    await page.getByLabel('Files to import').setInputFiles(JFK_WAV);
    await page.getByLabel('Exhibit reference (optional)').fill('DO/1');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const row = page.locator('table.evidence tbody tr').first();
    await row.waitFor();
    expect(await row.locator('.filename').textContent()).toBe('jfk.wav');
    expect(await row.locator('code').first().textContent()).toBe(sha256(JFK_WAV));
    expect(await row.textContent()).toContain('DO/1');
    await screenshot(page, '04-evidence-recording');
  });

  it('transcribes it with Whisper in a worker, showing the job as it runs', async () => {
    await page.getByLabel('Speech model').selectOption('whisper-tiny.en');
    await page.getByRole('button', { name: 'Transcribe jfk.wav' }).click();
    await page.getByRole('tab', { name: /Jobs/, selected: true }).waitFor();
    const job = page.locator('.job').first();
    expect(await job.textContent()).toMatch(/Transcription · item 1/);
    expect(await jobOutcome(page, 'Transcription', 100_000)).toMatch(
      /^Done\d+ segments?, language en\d\d\/\d\d\/\d{4}/,
    );
    await screenshot(page, '05-jobs-transcription-done');

    await page.getByRole('tab', { name: /Transcripts/ }).click();
    await page.getByRole('button', { name: 'Transcript 1' }).click();
    await page.locator('.segment').first().waitFor();
    await screenshot(page, '06-transcript');
    const text = (await page.locator('.segments .text').allTextContents()).join(' ');
    expect(text.replace(/\s+/g, ' ')).toMatch(/ask not what your country can do for you/i);
  });

  it('plays from a word when it is clicked, and highlights the word being played', async () => {
    const word = page.locator('.word', { hasText: /country/ }).first();
    await word.click();
    await expect
      .poll(() =>
        page
          .locator('audio')
          .evaluate((a) => (a as unknown as { currentTime: number }).currentTime),
      )
      .toBeGreaterThan(5);
    await page.locator('audio').evaluate((a) => (a as unknown as { pause(): void }).pause());
    await page.locator('.word.now').waitFor();
    const at = await page
      .locator('audio')
      .evaluate((a) => (a as unknown as { currentTime: number }).currentTime);
    expect(at).toBeLessThan(11.1);
    // The word lit is in the segment lit, and the segment is the one the recording is in.
    const current = page.locator('.segment.current');
    expect(await current.locator('.word.now').count()).toBe(1);
    const start = await current.locator('.time').textContent();
    expect(Number(/^0:(\d\d\.\d)/.exec(start!)![1])).toBeLessThanOrEqual(at);
    await screenshot(page, '07-transcript-playing');
  });

  it('corrects a word as a new version, with its reason and history', async () => {
    const first = page.locator('.segment').first();
    await first.getByRole('button', { name: /^Edit/ }).click();
    const box = page.getByLabel('Corrected text');
    const before = await box.inputValue();
    await box.fill(before.replace(/Americans/, 'Americans (sic)'));
    await page.getByLabel('Why (kept with the version)').fill('checked against the audio');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await first.locator('.flag.edited').waitFor();
    expect(await first.locator('.text').textContent()).toContain('Americans (sic)');

    await first.getByRole('button', { name: /^History/ }).click();
    const versions = first.locator('.history li');
    await versions.nth(1).waitFor();
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(1).textContent()).toMatch(
      /v2 · DC Window 0001.*checked against the audio/,
    );
    await screenshot(page, '08-transcript-corrected');

    const shown = await toex(home, ['--json', 'transcript', 'show', REF, '1']);
    expect(shown.stdout).toContain('Americans (sic)');
  });

  it('reads an extraction into messages', async () => {
    const db = androidSmsDb(tempDir(), {
      threads: [
        { id: 1, addresses: ['07700 900123'] },
        { id: 2, addresses: ['07700 900456'] },
      ],
      sms: [
        { thread: 1, address: '07700 900123', date: T0, type: 1, body: '明天晚上我们在火车站见面' },
        {
          thread: 1,
          address: '07700 900123',
          date: T0 + 60_000,
          type: 2,
          body: '我把钱放在老地方了',
        },
        {
          thread: 1,
          address: '07700 900123',
          date: T0 + 120_000,
          type: 1,
          body: '明天老王去火车站',
        },
        {
          thread: 2,
          address: '07700 900456',
          date: T0 + 180_000,
          type: 1,
          body: 'where are you now, the station?',
        },
      ],
    });
    await page.getByRole('tab', { name: /Evidence/ }).click();
    await page.getByLabel('Files to import').setInputFiles(db);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('button', { name: 'Read messages from mmssms.db' }).click();
    await page.getByRole('tab', { name: /Jobs/, selected: true }).waitFor();
    expect(await jobOutcome(page, 'Reading an extraction', 60_000)).toMatch(/^Done/);
    await expect
      .poll(() => page.getByRole('tab', { name: /Messages/ }).textContent())
      .toBe('Messages4');
    await screenshot(page, '09-jobs-ingest-done');
  });

  it('translates the Chinese messages with the local model', async () => {
    await page.getByRole('tab', { name: /Evidence/ }).click();
    await page.getByRole('button', { name: 'Translate messages' }).click();
    await page.getByRole('tab', { name: /Jobs/, selected: true }).waitFor();
    expect(await jobOutcome(page, 'Translation', 100_000)).toMatch(/^Done/);
    expect(await page.locator('.job', { hasText: 'Telling languages' }).textContent()).toContain(
      'Done',
    );
    await screenshot(page, '10-jobs-translation-done');

    await page.getByRole('tab', { name: /Messages/ }).click();
    await page.locator('.message').nth(3).waitFor();
    const laowang = page.locator('.message', { hasText: '明天老王去火车站' });
    expect(await laowang.locator('.original .lang').textContent()).toBe('zh');
    expect(await laowang.locator('.translation').textContent()).toMatch(/station/i);
    const english = page.locator('.message', { hasText: 'where are you now' });
    expect(await english.locator('.translation').textContent()).toBe('No translation');
    await screenshot(page, '11-messages-side-by-side');
  });

  it('searches originals and translations, and marks what it found', async () => {
    await page.getByLabel(/^Search/).fill('station');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^[2-4] messages$/);
    const counted = Number((await page.locator('.count').textContent())!.split(' ')[0]);
    await expect.poll(() => page.locator('.message').count()).toBe(counted);
    expect((await page.locator('mark').allTextContents()).map((t) => t.toLowerCase())).toContain(
      'station',
    );
    await screenshot(page, '12-messages-search');

    await page.getByLabel(/^Search/).fill('');
    await page.getByLabel('Languages').fill('zh');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toBe('3 messages');
  });

  it('draws who talks to whom, with the same links in a table', async () => {
    await page.getByRole('tab', { name: /Network/ }).click();
    await page.locator('.graph canvas').first().waitFor();
    const rows = await page
      .locator('.network tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [...(tr as unknown as { cells: Iterable<{ textContent: string | null }> }).cells].map(
            (c) => c.textContent,
          ),
        ),
      );
    expect(rows).toEqual([
      ['Item 2: mmssms.db', '+447700900123', '3', '0'],
      ['Item 2: mmssms.db', '+447700900456', '1', '0'],
    ]);
    await screenshot(page, '13-network');

    // From a person in the network to what they sent.
    await page.getByRole('button', { name: '+447700900123' }).click();
    await page.getByRole('button', { name: 'read their messages' }).click();
    await page.getByRole('tab', { name: /Messages/, selected: true }).waitFor();
    expect(await page.getByLabel('Sender').inputValue()).toBe('+447700900123');
    await expect.poll(() => page.locator('.count').textContent()).toBe('2 messages');
    await page.getByLabel('Sender').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
  });

  it('shows the audit log and verifies its chain', async () => {
    await page.getByRole('tab', { name: /Audit log/ }).click();
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/^The chain holds: \d+ entries/);
    const actions = await page.locator('table.audit tbody td:nth-child(4)').allTextContents();
    expect(actions).toEqual(
      expect.arrayContaining(['case.create', 'evidence.import', 'transcript.edit']),
    );
    await screenshot(page, '14-audit');
  });

  it('is usable from the keyboard: tabs by arrow keys, the list by Page Down', async () => {
    const tab = page.getByRole('tab', { name: /Audit log/ });
    await tab.focus();
    await page.keyboard.press('Home');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as KeyboardPage).document.activeElement?.textContent,
      ),
    ).toMatch(/^Evidence/);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { selected: true }).textContent()).toMatch(/^Messages/);

    await page.getByRole('button', { name: 'Apply' }).waitFor();
    await page.getByLabel('Languages').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toBe('4 messages');
    await page.getByRole('list', { name: /^Messages/ }).focus();
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as KeyboardPage).document.activeElement?.textContent,
      ),
    ).toMatch(/^#\d/);
    await page.keyboard.press('Enter');
    await page.locator('.message-detail').waitFor();
    expect(await page.locator('.message-detail h3').textContent()).toMatch(/^Message #\d/);
  });

  it('reads at 200% zoom: one column, nothing cut off sideways', async () => {
    // A 1280 by 900 window at 200% lays out as 640 by 450 CSS pixels.
    await page.setViewportSize({ width: 640, height: 450 });
    for (const [name, shot] of [
      ['Evidence', '15-zoom-evidence'],
      ['Messages', '16-zoom-messages'],
      ['Audit log', '17-zoom-audit'],
    ] as const) {
      await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
      await page.locator('.tabpanel h2').first().waitFor({ state: 'attached' });
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as KeyboardPage).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow, `${name} is wider than the window`).toBeLessThanOrEqual(0);
      await screenshot(page, shot);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('gave no errors in the page on the way', () => {
    expect(problems).toEqual([]);
  });
});
