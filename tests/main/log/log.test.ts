import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { configureLogging, getLogger } from '../../../main/log/log.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('log', () => {
  const tempDir = useTempDirs();

  it('writes one JSON line per entry with the subsystem, and redacts key-like fields that slip in', () => {
    const dir = tempDir();
    const early = getLogger('cases');
    const file = configureLogging({ dir, level: 'info' });
    early.info(
      { caseId: 'c-1', passphrase: 'hunter2 hunter2', nested: { key: 'abcdef0123' } },
      'case opened',
    );
    getLogger('jobs').debug({ jobId: 'j-1' }, 'below the level');
    getLogger('jobs').warn({ jobId: 'j-1', token: 'tok-999' }, 'job interrupted');

    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(file).toBe(join(dir, 'toex.log'));
    expect(lines).toMatchObject([
      {
        level: 30,
        subsystem: 'cases',
        caseId: 'c-1',
        passphrase: '[redacted]',
        nested: { key: '[redacted]' },
        msg: 'case opened',
      },
      { level: 40, subsystem: 'jobs', jobId: 'j-1', token: '[redacted]', msg: 'job interrupted' },
    ]);
    expect(readFileSync(file, 'utf8')).not.toMatch(/hunter2|abcdef0123|tok-999/);
  });
});
