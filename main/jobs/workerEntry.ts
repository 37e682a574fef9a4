import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError } from '../errors.js';
import { installRoot } from '../installRoot.js';

/**
 * The compiled script of a worker, such as `hash/hashWorker`. Workers always
 * run from the build, also when main runs from source under the test runner.
 */
export function workerEntry(name: string): string {
  const entry = join(installRoot(), 'dist', 'workers', `${name}.js`);
  if (!existsSync(entry)) {
    throw new ToexError('internal', `worker ${name} is not built (run npm run build)`);
  }
  return entry;
}
