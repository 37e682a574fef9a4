import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ToexError } from './errors.js';

/** The folder holding package.json, whether running from source or from dist/. */
export function installRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ToexError('internal', 'cannot find the TOEX installation folder');
    dir = parent;
  }
  return dir;
}
