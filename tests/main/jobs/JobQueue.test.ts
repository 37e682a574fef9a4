import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('JobQueue', () => {
  const tempDir = useTempDirs();

  it('moves a job from queued to running to done, auditing each step', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.jobs.enqueue('evidence.verify', { evidenceIds: [1] });
    expect(job).toMatchObject({
      state: 'queued',
      attempts: 0,
      progress: 0,
      params: { evidenceIds: [1] },
      createdBy: workstation.actor,
    });

    expect(store.jobs.claim(job.id)).toMatchObject({
      state: 'running',
      attempts: 1,
      ownerPid: process.pid,
    });
    expect(() => store.jobs.claim(job.id)).toThrow(/is running, not queued/);
    store.jobs.commit(job.id, () => ({ progress: 0.5, stage: 'hashing', checkpoint: { at: 5 } }));
    expect(store.jobs.get(job.id)).toMatchObject({
      progress: 0.5,
      stage: 'hashing',
      checkpoint: { at: 5 },
    });
    expect(store.jobs.finish(job.id, { checked: 1 })).toMatchObject({
      state: 'done',
      progress: 1,
      result: { checked: 1 },
    });

    expect(
      store.audit
        .list()
        .slice(1)
        .map((e) => e.action),
    ).toEqual(['job.queue', 'job.start', 'job.finish']);
    store.close();
    workstation.close();
  });

  it('cancels a queued job at once and a running one by request', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const queued = store.jobs.enqueue('evidence.verify', {});
    expect(store.jobs.requestCancel(queued.id).state).toBe('cancelled');
    expect(() => store.jobs.requestCancel(queued.id)).toThrow(/already cancelled/);

    const running = store.jobs.enqueue('evidence.verify', {});
    store.jobs.claim(running.id);
    expect(store.jobs.requestCancel(running.id)).toMatchObject({
      state: 'running',
      cancelRequested: true,
    });
    expect(store.jobs.requests(running.id)).toEqual({ cancel: true, pause: false });
    store.close();
    workstation.close();
  });

  it('finds a job by a unique prefix of its id and says when one is not enough', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.jobs.enqueue('evidence.verify', {});
    expect(store.jobs.get(job.id.slice(0, 8)).id).toBe(job.id);
    expect(() => store.jobs.get('ffffffff-0000')).toThrow(/no job ffffffff-0000/);
    expect(() => store.jobs.get('')).toThrow(/no job/);
    store.close();
    workstation.close();
  });

  it('puts a running job whose process died back in the queue, keeping its checkpoint', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.jobs.enqueue('evidence.verify', {});
    store.jobs.claim(job.id);
    store.jobs.commit(job.id, () => ({ progress: 0.25, checkpoint: { checkedItems: 1 } }));
    store.db.prepare('UPDATE jobs SET owner_pid = ? WHERE id = ?').run(deadPid(), job.id);

    const recovered = store.jobs.recoverInterrupted();

    expect(recovered.map((j) => j.id)).toEqual([job.id]);
    expect(store.jobs.get(job.id)).toMatchObject({
      state: 'queued',
      progress: 0.25,
      checkpoint: { checkedItems: 1 },
      attempts: 1,
    });
    expect(store.audit.list().at(-1)).toMatchObject({
      action: 'job.interrupted',
      details: { reason: 'the process running it stopped' },
    });
    store.close();
    workstation.close();
  });

  it('leaves alone a running job whose owner is alive and beating', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const job = store.jobs.enqueue('evidence.verify', {});
    store.jobs.claim(job.id);
    store.db.prepare('UPDATE jobs SET owner_pid = ? WHERE id = ?').run(process.ppid, job.id);
    expect(store.jobs.recoverInterrupted()).toEqual([]);
    expect(store.jobs.get(job.id).state).toBe('running');
    store.close();
    workstation.close();
  });

  it('shares a case with a second process writing at the same time: no write is refused, no entry number taken twice', async () => {
    const home = tempDir();
    const { workstation, store, info } = await workstationWithCase(home);
    const hammer = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'helpers', 'auditHammer.mjs'), home, info.id, '150'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const finished = new Promise<number | null>((resolve) => hammer.on('close', resolve));

    for (let i = 0; i < 150; i++) {
      const job = store.jobs.enqueue('evidence.verify', { mine: i });
      store.jobs.claim(job.id);
      store.jobs.commit(job.id, () => ({ progress: 0.5, checkpoint: { i } }));
      store.jobs.finish(job.id, { i });
    }
    expect(await finished).toBe(0);

    const actions = store.audit.list().map((e) => e.action);
    expect(actions.filter((a) => a === 'test.hammer')).toHaveLength(150);
    expect(actions.filter((a) => a === 'job.finish')).toHaveLength(150);
    expect(store.audit.verify().ok).toBe(true);
    store.close();
    workstation.close();
  });
});
