import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { HashInput } from '../../../workers/hash/hashWorker.js';
import {
  ForkWorkerHost,
  type WorkerHandle,
  type WorkerHost,
} from '../../../main/jobs/WorkerHost.js';
import { importFiles, waitFor } from '../../helpers/evidence.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/** The real fork host, recording each worker it starts and the input each was given. */
class RecordingHost implements WorkerHost {
  readonly inner = new ForkWorkerHost();
  readonly started: { handle: WorkerHandle; items: number[] }[] = [];
  constructor(
    private readonly onStart: (handle: WorkerHandle, attempt: number) => void = () => {},
  ) {}

  start(entry: string, name: string): WorkerHandle {
    const handle = this.inner.start(entry, name);
    const record = { handle, items: [] as number[] };
    this.started.push(record);
    this.onStart(handle, this.started.length);
    return {
      pid: handle.pid,
      send: (message) => {
        if (message.type === 'start') {
          record.items = (message.input as HashInput).items.map((i) => i.id);
        }
        handle.send(message);
      },
      onDidMessage: (l) => handle.onDidMessage(l),
      onDidExit: (l) => handle.onDidExit(l),
      kill: () => handle.kill(),
    };
  }
}

const checks = (
  store: { db: { prepare(sql: string): { get(...a: unknown[]): unknown } } },
  jobId: string,
) =>
  (
    store.db.prepare('SELECT count(*) AS n FROM evidence_checks WHERE job_id = ?').get(jobId) as {
      n: number;
    }
  ).n;

describe('JobRunner', () => {
  const tempDir = useTempDirs();

  it('re-hashes every stored copy in a worker process and finds them all intact', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 3, 1);
    const host = new RecordingHost();
    const progress: number[] = [];
    const runner = store.runner(host);
    runner.onDidProgress((p) => progress.push(p.fraction));

    const job = await runner.run(store.queueVerify().id);

    expect(job).toMatchObject({
      state: 'done',
      attempts: 1,
      progress: 1,
      result: { checked: 3, ok: 3, problems: [] },
    });
    expect(host.started).toHaveLength(1);
    expect(host.started[0]!.handle.pid).not.toBe(process.pid);
    expect(progress.at(-1)).toBe(1);
    expect(
      store.audit
        .list()
        .slice(-4)
        .map((e) => e.action),
    ).toEqual(['job.queue', 'job.start', 'evidence.verify', 'job.finish']);
    store.close();
    workstation.close();
  });

  it('reports a stored copy that was altered and one that was deleted, by item', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const [, altered, deleted] = await importFiles(store, tempDir(), 3, 1);
    const alteredPath = store.evidence.absolutePath(altered!);
    chmodSync(alteredPath, 0o644);
    writeFileSync(alteredPath, 'tampered');
    rmSync(store.evidence.absolutePath(deleted!));

    const job = await store.runner().run(store.queueVerify().id);

    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({
      checked: 3,
      ok: 1,
      problems: [
        {
          evidenceId: altered!.id,
          status: 'mismatch',
          detail: expect.stringContaining(`expected sha256 ${altered!.sha256}`),
        },
        { evidenceId: deleted!.id, status: 'missing', detail: 'the stored copy is missing' },
      ],
    });
    expect(store.audit.list().at(-2)).toMatchObject({
      action: 'evidence.verify',
      details: {
        ok: 1,
        problems: [
          { evidenceId: altered!.id, status: 'mismatch' },
          { evidenceId: deleted!.id, status: 'missing' },
        ],
      },
    });
    store.close();
    workstation.close();
  });

  it('reports what stands in place of a copy without following it: a link, a pipe, a folder; and a copy made writable', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const items = await importFiles(store, tempDir(), 5, 1);
    const [linked, piped, folder, writable, longer] = items.map((i) =>
      store.evidence.absolutePath(i),
    );
    const outside = join(tempDir(), 'same-content.bin');
    writeFileSync(outside, readFileSync(linked!));
    rmSync(linked!);
    symlinkSync(outside, linked!);
    rmSync(piped!);
    execFileSync('mkfifo', [piped!]);
    rmSync(folder!);
    mkdirSync(folder!);
    chmodSync(writable!, 0o644);
    chmodSync(longer!, 0o644);
    appendFileSync(longer!, 'one byte more and then many more'.repeat(1000));
    chmodSync(longer!, 0o444);

    const job = await store.runner().run(store.queueVerify().id);

    expect(job.state).toBe('done');
    expect((job.result as { problems: unknown[] }).problems).toEqual([
      {
        evidenceId: items[0]!.id,
        status: 'replaced',
        detail: 'the stored copy has been replaced by a symbolic link',
      },
      {
        evidenceId: items[1]!.id,
        status: 'replaced',
        detail: 'the stored copy has been replaced by a named pipe',
      },
      {
        evidenceId: items[2]!.id,
        status: 'replaced',
        detail: 'the stored copy has been replaced by a folder',
      },
      {
        evidenceId: items[3]!.id,
        status: 'unprotected',
        detail: 'the content matches, but the copy was made writable (mode 0644)',
      },
      {
        evidenceId: items[4]!.id,
        status: 'mismatch',
        detail: `expected sha256 ${items[4]!.sha256} (1048576 bytes), found a file longer than 1048576 bytes`,
      },
    ]);
    store.close();
    workstation.close();
  });

  it('names a file in the store that the register does not account for', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 1, 1);
    const stray = join('evidence', 'ab', 'ab'.repeat(32));
    mkdirSync(join(store.dir, 'evidence', 'ab'), { recursive: true });
    writeFileSync(join(store.dir, stray), 'a copy whose register row never landed');

    const job = await store.runner().run(store.queueVerify().id);

    expect(job.result).toMatchObject({ checked: 1, ok: 1, problems: [], unregistered: [stray] });
    store.close();
    workstation.close();
  });

  it('finishes at once with nothing to check', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const host = new RecordingHost();
    const job = await store.runner(host).run(store.queueVerify().id);
    expect(job).toMatchObject({
      state: 'done',
      result: { checked: 0, ok: 0, problems: [], unregistered: [] },
    });
    expect(host.started).toHaveLength(0);
    store.close();
    workstation.close();
  });

  it('cancels a running job on a request made through another connection, keeping what it checked', async () => {
    const home = tempDir();
    const { workstation, store, info } = await workstationWithCase(home);
    await importFiles(store, tempDir(), 6, 48);
    const other = workstation.openCase(info.id);
    const queued = store.queueVerify();

    const running = store.runner(new ForkWorkerHost(), { pollMs: 20 }).run(queued.id);
    await waitFor(() => checks(other, queued.id) >= 1);
    other.jobs.requestCancel(queued.id);
    const job = await running;

    expect(job.state).toBe('cancelled');
    expect(checks(store, job.id)).toBeGreaterThanOrEqual(1);
    expect(checks(store, job.id)).toBeLessThan(6);
    expect(
      store.audit
        .list()
        .slice(-2)
        .map((e) => e.action),
    ).toEqual(['job.cancel-requested', 'job.cancel']);
    other.close();
    store.close();
    workstation.close();
  });

  it('survives kill -9 of its worker: a new worker resumes from the checkpoint, nothing is checked twice', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const items = await importFiles(store, tempDir(), 6, 48);
    const queued = store.queueVerify();
    let killed = false;
    const host = new RecordingHost((handle, attempt) => {
      if (attempt !== 1) return;
      void waitFor(() => checks(store, queued.id) >= 2).then(() => {
        process.kill(handle.pid!, 'SIGKILL');
        killed = true;
      });
    });

    const job = await store.runner(host, { pollMs: 20 }).run(queued.id);

    expect(killed).toBe(true);
    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { checked: 6, ok: 6 } });
    expect(host.started).toHaveLength(2);
    const first = host.started[0]!.items;
    const second = host.started[1]!.items;
    expect(first).toEqual(items.map((i) => i.id));
    expect(second.length).toBeLessThanOrEqual(4);
    expect(second.length).toBeGreaterThan(0);
    expect(second).toEqual(items.map((i) => i.id).slice(6 - second.length));
    expect(store.audit.list().map((e) => e.action)).toContain('job.interrupted');
    store.close();
    workstation.close();
  });

  it('stops a worker that hangs (SIGSTOP) once it has sent nothing for the stall time, and resumes in a new one', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 6, 48);
    const queued = store.queueVerify();
    const host = new RecordingHost((handle, attempt) => {
      if (attempt !== 1) return;
      void waitFor(() => checks(store, queued.id) >= 1).then(() =>
        process.kill(handle.pid!, 'SIGSTOP'),
      );
    });

    const job = await store.runner(host, { pollMs: 20, stallMs: 1500 }).run(queued.id);

    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { checked: 6, ok: 6 } });
    expect(store.audit.list().find((e) => e.action === 'job.interrupted')).toMatchObject({
      details: { reason: 'the worker stopped unexpectedly (sent nothing for 2 s and was stopped)' },
    });
    store.close();
    workstation.close();
  });

  it('fails the job, with the reason, when its worker dies on every attempt', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await importFiles(store, tempDir(), 2, 1);
    const host = new RecordingHost((handle) => handle.kill());
    const queued = store.jobs.enqueue('evidence.verify', {}, { maxAttempts: 2 });

    const job = await store.runner(host).run(queued.id);

    expect(job).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: {
        kind: 'engine',
        message: 'the worker stopped unexpectedly (signal SIGKILL) on each of 2 attempts',
      },
    });
    expect(host.started).toHaveLength(2);
    store.close();
    workstation.close();
  });
});
