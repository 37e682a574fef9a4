import { describe, expect, it } from 'vitest';

import { Workstation } from '../../../main/workstation/Workstation.js';
import {
  defaultEngineLimit,
  parseEngineLimit,
} from '../../../main/workstation/WorkstationEngineSlots.js';
import { exited, holdSlot } from '../../helpers/engineSlot.js';
import { PASSPHRASE, useTempDirs } from '../../helpers/temp.js';
import { newWorkstation } from '../../helpers/workstation.js';

describe('WorkstationEngineSlots', () => {
  const tempDir = useTempDirs();

  it.each([
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 2],
    [8, 4],
    [16, 8],
  ])('allows one engine per two cores, at least one: %i cores, %i engines', (cores, limit) => {
    expect(defaultEngineLimit(cores)).toBe(limit);
  });

  it('refuses an engine limit that is not a whole number from 1 to 64', () => {
    expect(parseEngineLimit('3')).toBe(3);
    for (const bad of ['0', '65', '-1', '1.5', 'two', '']) {
      expect(() => parseEngineLimit(bad)).toThrow(/whole number from 1 to 64/);
    }
  });

  it('gives out no more slots than the limit, across processes, and frees the slot of a process killed with -9', async () => {
    const home = tempDir();
    const { workstation } = await newWorkstation(home);
    workstation.setEngineLimit(1);
    const holder = await holdSlot(home, 'job-in-another-process');

    expect(workstation.engines.tryAcquire('mine')).toBeUndefined();
    expect(workstation.engines.running()).toEqual([
      { jobId: 'job-in-another-process', pid: holder.pid, takenAt: expect.any(String) },
    ]);

    holder.kill('SIGKILL');
    await exited(holder);
    const slot = workstation.engines.tryAcquire('mine');
    expect(slot).toBeDefined();
    expect(workstation.engines.running().map((r) => [r.jobId, r.pid])).toEqual([
      ['mine', process.pid],
    ]);
    slot!.release();
    expect(workstation.engines.running()).toEqual([]);
    workstation.close();
  });

  it('takes its limit from the setting, audited, and goes back to the default', async () => {
    const home = tempDir();
    const { workstation } = await newWorkstation(home);
    expect(workstation.engineLimit()).toEqual({ limit: defaultEngineLimit(), isDefault: true });

    workstation.setEngineLimit(2);
    const a = workstation.engines.tryAcquire('a');
    const b = workstation.engines.tryAcquire('b');
    expect([a, b].every(Boolean)).toBe(true);
    expect(workstation.engines.tryAcquire('c')).toBeUndefined();
    expect(() => workstation.setEngineLimit(0)).toThrow(/whole number from 1 to 64/);
    workstation.setEngineLimit(null);
    workstation.close();

    const again = await Workstation.unlock(home, PASSPHRASE);
    expect(again.engineLimit()).toEqual({ limit: defaultEngineLimit(), isDefault: true });
    expect(again.engines.running()).toEqual([]);
    expect(
      again.audit
        .list()
        .filter((e) => e.action === 'workstation.engine-limit')
        .map((e) => e.details),
    ).toEqual([{ limit: 2 }, { limit: `default (${defaultEngineLimit()})` }]);
    again.close();
  });
});
