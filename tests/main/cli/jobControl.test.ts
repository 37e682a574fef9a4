import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Workstation } from '../../../main/workstation/Workstation.js';
import { speechFile } from '../../helpers/audio.js';
import { CLI_PASSPHRASE, TOEX, startToex, toex, type CliResult } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/evidence.js';
import { JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';
const TINY = whisperModel('ggml-tiny.en.bin');
/** One engine thread, as in every test: the suite shares two cores. */
const TRANSCRIBE = ['--model', TINY, '--threads', '1'];
/** Real transcriptions on a shared machine: minutes, not the suite's two. */
const SLOW = 600_000;

interface JobJson {
  id: string;
  state: string;
  attempts: number;
  stage: string | null;
  params: { evidenceId: number };
  error: { kind: string; message: string } | null;
  result: { segments: number } | null;
  segments: { startMs: number; endMs: number; text: string }[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('toex job control', () => {
  const tempDir = useTempDirs();

  async function homeWithCase(): Promise<string> {
    const home = tempDir();
    expect((await toex(home, ['init', '--operator', 'DC Test 0001'])).code).toBe(0);
    const created = await toex(home, [
      'case',
      'create',
      '--reference',
      REF,
      '--title',
      'County lines',
      '--owner',
      'DS Kaur',
      '--classification',
      'OFFICIAL-SENSITIVE',
    ]);
    expect(created.code).toBe(0);
    return home;
  }

  /** jfk.wav ten times over: two minutes of real speech in several chunks, to act on mid-way. */
  function longRecording(): string {
    const out = join(tempDir(), 'long interview.wav');
    execFileSync('sox', [...Array(10).fill(JFK_WAV), out]);
    return out;
  }

  /** The test's own look into the case, as a second process would have. */
  async function openCase(home: string) {
    const ws = await Workstation.unlock(home, CLI_PASSPHRASE);
    const store = ws.openCase(REF);
    return {
      ws,
      store,
      chunks: (jobId: string) =>
        store.db
          .prepare(
            `SELECT c.start_ms, c.end_ms FROM transcript_chunks c JOIN transcripts t ON t.id = c.transcript_id
             WHERE t.job_id = ? ORDER BY c.start_ms`,
          )
          .all(jobId) as { start_ms: number; end_ms: number }[],
      close: () => {
        store.close();
        ws.close();
      },
    };
  }

  it(
    'checks every item, the model and the language before queueing any, then runs several files in turn with the worst exit code',
    async () => {
      const home = await homeWithCase();
      const notes = join(tempDir(), 'notes.txt');
      writeFileSync(notes, 'not a recording');
      const answer = speechFile(tempDir(), 'answer.wav', 'I was at home all evening.');
      expect((await toex(home, ['evidence', 'add', REF, JFK_WAV, notes, answer])).code).toBe(0);

      const refusals: [string[], number, RegExp][] = [
        [['1', '9'], 3, /^toex: no evidence item 9 in this case\n$/],
        [['1', 'two'], 2, /^toex: "two" is not an evidence item number .*nothing was queued\n$/],
        [['1', '3', '1'], 2, /^toex: item 1 is given twice; nothing was queued\n$/],
        [['1', '--language', 'xx'], 2, /^toex: Whisper knows no language "xx": give auto or one/],
        [['1', '--language', 'auto'], 2, /^toex: whisper-tiny\.en knows en only and cannot detect/],
      ];
      for (const [args, code, stderr] of refusals) {
        const refused = await toex(home, ['transcribe', REF, ...args, ...TRANSCRIBE]);
        expect(refused.code, args.join(' ')).toBe(code);
        expect(refused.stderr).toMatch(stderr);
        expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      }
      const none = await toex(home, ['--json', 'jobs', 'list', REF]);
      expect(JSON.parse(none.stdout)).toEqual([]);

      const run = await toex(home, ['--json', 'transcribe', REF, '1', '2', '3', ...TRANSCRIBE]);

      expect(run.code).toBe(2);
      const jobs = JSON.parse(run.stdout) as JobJson[];
      expect(jobs.map((j) => [j.params.evidenceId, j.state, j.error?.kind ?? null])).toEqual([
        [1, 'done', null],
        [2, 'failed', 'bad-input'],
        [3, 'done', null],
      ]);
      expect(jobs[0]!.segments.map((s) => s.text).join(' ')).toContain('ask not what your country');
      expect(jobs[2]!.segments.length).toBeGreaterThan(0);
      const labels = run.stderr
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { label: string }).label);
      expect(labels).toContain('file 1 of 3 (item 1): transcribing');
      expect(labels).toContain('file 3 of 3 (item 3): transcribing');
      const [a, , c] = JSON.parse(
        (await toex(home, ['--json', 'jobs', 'list', REF])).stdout,
      ) as (JobJson & { startedAt: string; finishedAt: string })[];
      expect(Date.parse(c!.startedAt)).toBeGreaterThanOrEqual(Date.parse(a!.finishedAt));
    },
    SLOW,
  );

  it(
    'pauses a running transcription from a second terminal and resumes it from its last stored chunk',
    async () => {
      const home = await homeWithCase();
      expect((await toex(home, ['evidence', 'add', REF, longRecording()])).code).toBe(0);
      const look = await openCase(home);

      const first = startToex(home, ['transcribe', REF, '1', ...TRANSCRIBE]);
      await waitFor(() => {
        const [job] = look.store.jobs.list(['running']);
        return job !== undefined && look.chunks(job.id).length >= 1;
      }, SLOW);
      const [job] = look.store.jobs.list(['running']);
      const short = job!.id.slice(0, 8);
      const pause = await toex(home, ['jobs', 'pause', REF, short]);
      expect(pause).toMatchObject({
        code: 0,
        stdout: `Job ${short} asked to pause; it stops at its next checkpoint, with its results so far kept.\n`,
      });

      const paused = await first.done;
      expect(paused.code).toBe(8);
      expect(paused.stdout).toBe('Transcription paused; `toex jobs resume` goes on from there.\n');
      const listed = await toex(home, ['jobs', 'list', REF]);
      expect(listed.stdout).toMatch(new RegExp(`${short} +transcribe +paused `));
      const before = look.chunks(job!.id);
      expect(before.length).toBeGreaterThanOrEqual(2);
      expect(look.store.jobs.get(job!.id)).toMatchObject({ state: 'paused', ownerPid: null });
      expect((await toex(home, ['jobs', 'run', REF])).stdout).toBe('No jobs to run.\n');
      expect(look.store.jobs.get(job!.id).state).toBe('paused');

      const resumed = await toex(home, ['--json', 'jobs', 'resume', REF, short]);

      expect(resumed.code).toBe(0);
      const [done] = JSON.parse(resumed.stdout) as JobJson[];
      expect(done).toMatchObject({ id: job!.id, state: 'done', attempts: 2 });
      const after = look.chunks(job!.id);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.length).toBeGreaterThan(before.length);
      for (let i = 1; i < after.length; i++) {
        expect(after[i]!.start_ms).toBeGreaterThanOrEqual(after[i - 1]!.end_ms);
      }
      const actions = look.store.audit
        .list()
        .filter((e) => e.subject === `job:${job!.id}`)
        .map((e) => e.action);
      expect(actions).toEqual([
        'job.queue',
        'job.start',
        'job.pause-requested',
        'job.pause',
        'job.resume',
        'job.start',
        'job.finish',
      ]);
      look.close();
    },
    SLOW,
  );

  it(
    'lets one engine run at a time across two toex processes: the second waits in the queue, then runs',
    async () => {
      const home = await homeWithCase();
      const answer = speechFile(tempDir(), 'answer.wav', 'I was at home all evening.');
      expect((await toex(home, ['evidence', 'add', REF, longRecording(), answer])).code).toBe(0);
      expect((await toex(home, ['engines', '--limit', '1'])).stdout).toBe(
        'Engine limit: 1.\nNo engine is running.\n',
      );
      const look = await openCase(home);

      const a = startToex(home, ['transcribe', REF, '1', ...TRANSCRIBE]);
      await waitFor(() => look.store.jobs.list(['running']).length === 1, SLOW);
      const [jobA] = look.store.jobs.list(['running']);
      const engines = await toex(home, ['engines']);
      expect(engines.stdout).toBe(
        `Engine limit: 1.\nRunning: job ${jobA!.id.slice(0, 8)} (process ${a.child.pid}).\n`,
      );
      const b = startToex(home, ['transcribe', REF, '2', ...TRANSCRIBE]);
      await waitFor(() => {
        const jobB = look.store.jobs.list().find((j) => j.id !== jobA!.id);
        return jobB?.stage === 'waiting for a free engine' || a.child.exitCode !== null;
      }, SLOW);
      const jobB = look.store.jobs.list().find((j) => j.id !== jobA!.id)!;
      expect(look.store.jobs.get(jobA!.id).state).toBe('running');
      expect(jobB).toMatchObject({ state: 'queued', attempts: 0 });
      const listed = await toex(home, ['jobs', 'list', REF]);
      expect(listed.stdout).toMatch(
        new RegExp(`${jobB.id.slice(0, 8)} +transcribe +queued \\(waiting for a free engine\\)`),
      );

      const [doneA, doneB]: CliResult[] = await Promise.all([a.done, b.done]);

      expect([doneA.code, doneB.code]).toEqual([0, 0]);
      const endA = look.store.jobs.get(jobA!.id);
      const endB = look.store.jobs.get(jobB.id);
      expect([endA.attempts, endB.attempts]).toEqual([1, 1]);
      expect(Date.parse(endB.startedAt!)).toBeGreaterThanOrEqual(Date.parse(endA.finishedAt!));
      look.close();
    },
    SLOW,
  );

  it(
    'cancels on Ctrl-C at the terminal without the worker dying of it, and on a second Ctrl-C leaves with exit code 8 to resume next run',
    async () => {
      const home = await homeWithCase();
      expect((await toex(home, ['evidence', 'add', REF, longRecording()])).code).toBe(0);
      const look = await openCase(home);

      // As a terminal does: its own process group, and each Ctrl-C goes to the whole group.
      const started = (): { pid: number; done: Promise<CliResult> } => {
        const child = spawn(process.execPath, [TOEX, 'transcribe', REF, '1', ...TRANSCRIBE], {
          env: { PATH: process.env.PATH, TOEX_HOME: home, TOEX_PASSPHRASE: CLI_PASSPHRASE },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        return {
          pid: child.pid!,
          done: new Promise((resolve) =>
            child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
          ),
        };
      };
      const runningWithAChunk = () => {
        const [job] = look.store.jobs.list(['running']);
        return job !== undefined && look.chunks(job.id).length >= 1 ? job : undefined;
      };

      const twice = started();
      await waitFor(() => runningWithAChunk() !== undefined, SLOW);
      const job = runningWithAChunk()!;
      process.kill(-twice.pid, 'SIGINT');
      // Signals of one kind do not queue: the second is sent once the first has been acted on.
      await waitFor(() => look.store.jobs.get(job.id).cancelRequested);
      process.kill(-twice.pid, 'SIGINT');
      const left = await twice.done;

      expect(left.code).toBe(8);
      expect(left.stderr).toBe(
        'toex: whisper-tiny.en knows English only: transcribing as English (a multilingual model detects the language)\n' +
          `toex: stopped; job ${job.id.slice(0, 8)} will resume from its checkpoint on the next run (toex jobs run ${REF})\n`,
      );
      const requeued = look.store.jobs.get(job.id);
      expect(requeued).toMatchObject({ state: 'queued', cancelRequested: false, attempts: 1 });
      await waitFor(() => !isAlive(job.workerPid!), 10_000);
      const kept = look.chunks(job.id);
      expect(kept.length).toBeGreaterThanOrEqual(1);

      const next = await toex(home, ['--json', 'jobs', 'run', REF]);
      expect(next.code).toBe(0);
      expect(JSON.parse(next.stdout)).toMatchObject([{ id: job.id, state: 'done', attempts: 2 }]);
      expect(look.chunks(job.id).slice(0, kept.length)).toEqual(kept);

      const once = started();
      await waitFor(() => runningWithAChunk() !== undefined, SLOW);
      const third = runningWithAChunk()!;
      process.kill(-once.pid, 'SIGINT');
      const cancelled = await once.done;

      expect(cancelled).toMatchObject({ code: 8, stdout: 'Transcription cancelled.\n' });
      expect(look.store.jobs.get(third.id)).toMatchObject({ state: 'cancelled', attempts: 1 });
      expect(
        look.store.audit
          .list()
          .filter((e) => e.subject === `job:${third.id}`)
          .map((e) => e.action),
      ).toEqual(['job.queue', 'job.start', 'job.cancel-requested', 'job.cancel']);
      look.close();
    },
    SLOW,
  );
});
