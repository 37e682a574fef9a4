import { describe, expect, it } from 'vitest';

import {
  transcriptionReport,
  type TranscribedJob,
} from '../../../main/cli/commands/transcribeCommands.js';
import { jobExitCode } from '../../../main/cli/runJobs.js';

function job(evidenceId: number, over: Partial<TranscribedJob>): TranscribedJob {
  return {
    id: `${evidenceId}`.repeat(8) + '-0000-4000-8000-000000000000',
    kind: 'transcribe',
    state: 'done',
    params: { evidenceId, modelId: 'whisper-base', language: 'auto' },
    progress: 1,
    stage: null,
    checkpoint: null,
    attempts: 1,
    maxAttempts: 3,
    cancelRequested: false,
    pauseRequested: false,
    ownerPid: null,
    workerPid: null,
    heartbeatAt: null,
    error: null,
    result: { transcriptId: evidenceId, segments: 1, flagged: 0, language: 'pl', durationMs: 900 },
    createdBy: 'DC Test',
    createdAt: '2026-12-04T17:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    segments: [],
    ...over,
  };
}

const SEGMENT = {
  id: 1,
  startMs: 0,
  endMs: 900,
  text: 'Nie wiem.',
  words: [],
  avgLogprob: -0.2,
  flags: [],
} as unknown as TranscribedJob['segments'][number];

describe('transcribeCommands', () => {
  it("prints each recording's segments under its item, then every job's outcome", () => {
    const jobs = [
      job(1, { segments: [SEGMENT] }),
      job(2, {
        state: 'failed',
        result: null,
        error: { kind: 'bad-input', message: 'the file cannot be read as audio' },
      }),
      job(3, { state: 'paused', result: null, progress: 0.42 }),
      job(4, { state: 'queued', result: null, progress: 0 }),
    ];

    expect(transcriptionReport(jobs)).toEqual([
      '== item 1 ==',
      '[00:00:00.000 --> 00:00:00.900]  Nie wiem.',
      '',
      '4 recordings:',
      '  11111111  item 1: done, 1 segments (0 flagged for review); language pl; model whisper-base.',
      '  22222222  item 2: failed: the file cannot be read as audio.',
      '  33333333  item 3: paused at 42%; `toex jobs resume` goes on from there.',
      '  44444444  item 4: not started (still queued; `toex jobs run` runs it).',
    ]);
    expect(jobs.map(jobExitCode)).toEqual([0, 2, 8, 8]);
    expect(jobExitCode(job(5, { state: 'failed', error: { kind: 'engine', message: 'x' } }))).toBe(
      10,
    );
  });
});
