import { describe, expect, it } from 'vitest';

import { verifyEvidenceKind } from '../../../main/evidence/verifyEvidenceJob.js';
import { WAITING_FOR_ENGINE } from '../../../main/jobs/EngineSlots.js';
import { JobRunner, type RunnerOptions } from '../../../main/jobs/JobRunner.js';
import { ForkWorkerHost } from '../../../main/jobs/WorkerHost.js';
import { exited, holdSlot } from '../../helpers/engineSlot.js';
import { importFiles, waitFor } from '../../helpers/evidence.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

type Store = Awaited<ReturnType<typeof workstationWithCase>>['store'];

/**
 * A runner whose re-hash jobs take an engine slot as transcriptions do: its
 * worker answers within moments, so a short stall time can be set without a
 * busy machine tripping it, and the wait alone can outlast it.
 */
function engineRunner(store: Store, options: RunnerOptions): JobRunner {
  const kind = verifyEvidenceKind(store.db, store.evidence, store.audit, store.actor);
  return new JobRunner(store.jobs, new ForkWorkerHost(), [{ ...kind, usesEngine: true }], options);
}

const STALL_MS = 3000;

describe('JobRunner: the engine limit', () => {
  const tempDir = useTempDirs();

  it('keeps an engine job queued, waiting for a free engine, while another process holds the only one; the wait is no stall', async () => {
    const home = tempDir();
    const { workstation, store } = await workstationWithCase(home);
    workstation.setEngineLimit(1);
    await importFiles(store, tempDir(), 2, 1);
    const queued = store.queueVerify();
    const holder = await holdSlot(home, 'a job of another process');
    const stages: (string | null)[] = [];
    const runner = engineRunner(store, {
      engines: workstation.engines,
      pollMs: 20,
      stallMs: STALL_MS,
    });
    runner.onDidProgress((p) => stages.push(p.stage));

    const running = runner.run(queued.id);
    await waitFor(() => store.jobs.get(queued.id).stage === WAITING_FOR_ENGINE);
    // Longer than the stall time passes in the queue, yet nothing is started, killed or retried.
    await new Promise((r) => setTimeout(r, STALL_MS + 500));
    expect(store.jobs.get(queued.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(workstation.engines.running().map((r) => r.pid)).toEqual([holder.pid]);
    holder.stdin!.end();
    await exited(holder);
    const done = await running;

    expect(done).toMatchObject({ state: 'done', attempts: 1, error: null });
    expect(done.stage).not.toBe(WAITING_FOR_ENGINE);
    expect(done.result).toMatchObject({ checked: 2, ok: 2 });
    expect(stages[0]).toBe(WAITING_FOR_ENGINE);
    expect(stages.at(-1)).not.toBe(WAITING_FOR_ENGINE);
    expect(workstation.engines.running()).toEqual([]);
    store.close();
    workstation.close();
  });

  it('holds the slot while the job runs, so a second runner waits for the first', async () => {
    const home = tempDir();
    const { workstation, store } = await workstationWithCase(home);
    workstation.setEngineLimit(1);
    await importFiles(store, tempDir(), 4, 32);
    const first = store.queueVerify();
    const second = store.queueVerify();
    const options = { engines: workstation.engines, pollMs: 20 };

    const a = engineRunner(store, options).run(first.id);
    await waitFor(() => store.jobs.get(first.id).state === 'running');
    const b = engineRunner(store, options).run(second.id);
    await waitFor(
      () =>
        store.jobs.get(second.id).stage === WAITING_FOR_ENGINE ||
        store.jobs.get(first.id).state === 'done',
    );
    expect(store.jobs.get(second.id).state).toBe('queued');
    const [doneA, doneB] = await Promise.all([a, b]);

    expect([doneA.state, doneB.state]).toEqual(['done', 'done']);
    expect(Date.parse(doneB.startedAt!)).toBeGreaterThanOrEqual(Date.parse(doneA.finishedAt!));
    store.close();
    workstation.close();
  });

  it('gives up the wait when the waiting job is cancelled from elsewhere', async () => {
    const home = tempDir();
    const { workstation, store, info } = await workstationWithCase(home);
    workstation.setEngineLimit(1);
    const queued = store.queueVerify();
    const holder = await holdSlot(home, 'a job of another process');
    const other = workstation.openCase(info.id);

    const running = engineRunner(store, { engines: workstation.engines, pollMs: 20 }).run(
      queued.id,
    );
    await waitFor(() => other.jobs.get(queued.id).stage === WAITING_FOR_ENGINE);
    other.jobs.requestCancel(queued.id);

    expect(await running).toMatchObject({ state: 'cancelled', attempts: 0 });
    holder.stdin!.end();
    await exited(holder);
    other.close();
    store.close();
    workstation.close();
  });
});
