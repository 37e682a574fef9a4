import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { ForkWorkerHost, type WorkerHandle } from '../../../main/jobs/WorkerHost.js';
import { importFiles, waitFor } from '../../helpers/evidence.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

type Store = Awaited<ReturnType<typeof workstationWithCase>>['store'];

const checked = (store: Store, jobId: string) =>
  store.db
    .prepare('SELECT evidence_id, checked_at FROM evidence_checks WHERE job_id = ? ORDER BY 1')
    .all(jobId) as { evidence_id: number; checked_at: string }[];

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('JobRunner: pause and resume', () => {
  const tempDir = useTempDirs();

  it('holds a queued job: the runner passes it over until it is released', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 2, 1);
    const held = store.queueVerify();
    const other = store.queueVerify();

    expect(store.jobs.requestPause(held.id.slice(0, 8))).toMatchObject({ state: 'paused' });
    expect(() => store.jobs.requestPause(held.id)).toThrow(/already paused/);
    const first = await store.runner().runPending();

    expect(first.map((j) => [j.id, j.state])).toEqual([[other.id, 'done']]);
    expect(store.jobs.get(held.id)).toMatchObject({ state: 'paused', attempts: 0 });

    expect(store.jobs.release(held.id)).toMatchObject({ state: 'queued' });
    const second = await store.runner().runPending();
    expect(second.map((j) => [j.id, j.state])).toEqual([[held.id, 'done']]);
    expect(second[0]!.result).toMatchObject({ checked: 2, ok: 2 });
    const actions = store.audit.list().map((e) => e.action);
    expect(actions.indexOf('job.pause')).toBeLessThan(actions.indexOf('job.resume'));
    expect(store.audit.list().find((e) => e.action === 'job.pause')).toMatchObject({
      subject: `job:${held.id}`,
      details: { kind: 'evidence.verify', progress: 0 },
    });
    store.close();
    workstation.close();
  });

  it('stops a running job at its next checkpoint on a pause from another connection, and resumes it without redoing a file', async () => {
    const { workstation, store, info } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 6, 48);
    const other = workstation.openCase(info.id);
    const queued = store.queueVerify();
    const workers: WorkerHandle[] = [];
    const fork = new ForkWorkerHost();
    const host = {
      start: (entry: string, name: string) => {
        const handle = fork.start(entry, name);
        workers.push(handle);
        return handle;
      },
    };

    const running = store.runner(host, { pollMs: 20 }).run(queued.id);
    await waitFor(() => checked(other, queued.id).length >= 1);
    expect(other.jobs.requestPause(queued.id)).toMatchObject({
      state: 'running',
      pauseRequested: true,
    });
    const paused = await running;

    expect(paused).toMatchObject({ state: 'paused', pauseRequested: false, ownerPid: null });
    const before = checked(store, queued.id);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(6);
    expect(paused.checkpoint).not.toBeNull();
    await waitFor(() => !isAlive(workers[0]!.pid!), 10_000);
    expect(await store.runner(host).runPending()).toEqual([]);

    store.jobs.release(queued.id);
    const done = await store.runner(host).run(queued.id);

    expect(done).toMatchObject({ state: 'done', attempts: 2, result: { checked: 6, ok: 6 } });
    const after = checked(store, queued.id);
    expect(after).toHaveLength(6);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(
      store.audit
        .list()
        .map((e) => e.action)
        .filter((a) => a.startsWith('job.')),
    ).toEqual([
      'job.queue',
      'job.start',
      'job.pause-requested',
      'job.pause',
      'job.resume',
      'job.start',
      'job.finish',
    ]);
    other.close();
    store.close();
    workstation.close();
  });

  it('cancels a paused job at once, refuses to pause or resume an ended one, and leaves a queued one queued on resume', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.queueVerify();
    expect(store.jobs.release(job.id)).toMatchObject({ state: 'queued' });
    store.jobs.requestPause(job.id);
    expect(store.jobs.requestCancel(job.id)).toMatchObject({ state: 'cancelled' });
    expect(() => store.jobs.requestPause(job.id)).toThrow(/is already cancelled/);
    expect(() => store.jobs.release(job.id)).toThrow(/is already cancelled/);
    store.close();
    workstation.close();
  });

  it('brings a job back paused, not queued, when its process died after a pause was asked for', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.queueVerify();
    store.jobs.claim(job.id);
    store.jobs.requestPause(job.id);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    store.db.prepare('UPDATE jobs SET owner_pid = ? WHERE id = ?').run(dead, job.id);

    store.jobs.recoverInterrupted();

    expect(store.jobs.get(job.id)).toMatchObject({ state: 'paused', pauseRequested: false });
    store.close();
    workstation.close();
  });

  it('withdraws a pause that has not yet taken effect when the job is resumed', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.queueVerify();
    store.jobs.claim(job.id);
    store.jobs.requestPause(job.id);

    expect(store.jobs.release(job.id)).toMatchObject({ state: 'running', pauseRequested: false });
    expect(() => store.jobs.release(job.id)).toThrow(/is already running/);
    store.close();
    workstation.close();
  });
});
