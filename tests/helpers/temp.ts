import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach } from 'vitest';

import type { ScryptParams } from '../../main/store/keyCrypto.js';

/** The cheapest scrypt the keyring accepts: unit tests unlock often. The CLI always uses the default. */
export const TEST_SCRYPT: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

export const PASSPHRASE = 'correct horse battery staple';

/** A fresh folder per test, removed afterwards. */
export function useTempDirs(): (name?: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (name = 'toex-test-') => {
    const dir = mkdtempSync(join(tmpdir(), name));
    made.push(dir);
    return dir;
  };
}
