import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { startToex } from '../helpers/cli.js';

/** Debian's Chromium, installed by bin/test; no browser is downloaded. */
export const CHROMIUM = process.env.TOEX_CHROMIUM ?? '/usr/bin/chromium';

/** Where each end-to-end test leaves its screenshots, for a person to look at. */
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'dist', 'e2e-screenshots');

/** A fresh headless Chromium with a profile of its own, nothing shared and nothing fetched. */
export async function openBrowser(): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  const profile = mkdtempSync(join(tmpdir(), 'toex-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** `toex serve` as a user starts it, resolved with the address it prints. */
export async function serve(home: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const run = startToex(home, ['--json', 'serve']);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    run.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const match = /"url": "([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
    void run.done.then((r) => reject(new Error(`toex serve exited ${r.code}: ${r.stderr}`)));
  });
  return {
    url,
    stop: async () => {
      run.child.kill('SIGTERM');
      await run.done;
    },
  };
}

/** Saves what the page shows now under the test's name. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
