import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { CaseStore } from '../../main/cases/CaseStore.js';

/** Imports `count` files of `megabytes` each, all different, into the case. */
export async function importFiles(store: CaseStore, dir: string, count: number, megabytes: number) {
  const items = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `exhibit-${i}.bin`);
    writeFileSync(path, Buffer.alloc(megabytes * 1024 * 1024, i + 1));
    items.push((await store.importEvidence(path)).item);
  }
  return items;
}

export async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
