import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import { expect } from 'vitest';

const HOLDER = join(import.meta.dirname, 'holdEngineSlot.mjs');

/** Another process holding one engine slot, once it says so. */
export async function holdSlot(home: string, jobId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [HOLDER, home, jobId], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const said = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`slot holder exited with ${code}`)));
  });
  expect(said).toBe('held');
  return child;
}

export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
