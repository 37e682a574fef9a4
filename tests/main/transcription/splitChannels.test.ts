import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { type WorkerHost } from '../../../main/jobs/WorkerHost.js';
import { speechFile } from '../../helpers/audio.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS, JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { wordErrorRate } from '../../helpers/wer.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const OFFICER = 'Good morning. My name is John Smith.';
const WITNESS = 'I understand. Thank you very much.';

/** An interview-suite recording: the officer's microphone on the left, the interviewee's on the right. */
function twoMicrophones(dir: string): string {
  const left = join(dir, 'left.wav');
  const right = join(dir, 'right.wav');
  execFileSync('sox', [speechFile(dir, 'a.wav', OFFICER), '-r', '16000', left, 'pad', '0', '5']);
  execFileSync('sox', [speechFile(dir, 'b.wav', WITNESS), '-r', '16000', right, 'pad', '4.5', '0']);
  const out = join(dir, 'suite.wav');
  execFileSync('sox', ['-M', left, right, out]);
  return out;
}

describe('transcribing channels apart', () => {
  const tempDir = useTempDirs();

  async function transcribeSplit(file: string, host?: WorkerHost) {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(file);
    const queued = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
      threads: 1,
      splitChannels: true,
    });
    const job = await ctx.store.runner(host).run(queued.id);
    const t = ctx.store.transcripts.list()[0]!;
    const segments = ctx.store.transcripts.segments(t.id);
    const textOf = (channel: number) =>
      segments
        .filter((s) => s.channel === channel)
        .map((s) => s.text)
        .join(' ');
    const close = () => {
      ctx.store.close();
      ctx.workstation.close();
    };
    return { ...ctx, job, segments, textOf, close };
  }

  it("labels each microphone's speech by its channel, at the times it was said", async () => {
    const r = await transcribeSplit(twoMicrophones(tempDir()));

    expect(r.job.state).toBe('done');
    expect(wordErrorRate(OFFICER, r.textOf(1)), r.textOf(1)).toBeLessThanOrEqual(0.2);
    expect(wordErrorRate(WITNESS, r.textOf(2)), r.textOf(2)).toBeLessThanOrEqual(0.2);
    for (const s of r.segments) {
      expect(s.speakerSuggestion).toBe(`Channel ${s.channel}`);
      if (s.channel === 2) expect(s.startMs).toBeGreaterThanOrEqual(4000);
    }
    // Listed in the order they were said, across channels.
    expect(r.segments[0]!.channel).toBe(1);
    expect(r.segments.at(-1)!.channel).toBe(2);
    r.close();
  });

  it('resumes at the channel it was on when its worker was killed, repeating nothing', async () => {
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 1);
    const ctx = await workstationWithCase(tempDir());
    stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM segments').get() as { n: number }).n;
    const { item } = await ctx.store.importEvidence(twoMicrophones(tempDir()));
    const queued = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
      threads: 1,
      splitChannels: true,
    });

    const job = await ctx.store.runner(host).run(queued.id);

    expect(job).toMatchObject({ state: 'done', attempts: 2 });
    const segments = ctx.store.transcripts.segments(ctx.store.transcripts.list()[0]!.id);
    const keys = segments.map((s) => `${s.channel}:${s.startMs}`);
    expect(new Set(keys).size).toBe(keys.length);
    const text = (channel: number) =>
      segments
        .filter((s) => s.channel === channel)
        .map((s) => s.text)
        .join(' ');
    expect(wordErrorRate(OFFICER, text(1)), text(1)).toBeLessThanOrEqual(0.2);
    expect(wordErrorRate(WITNESS, text(2)), text(2)).toBeLessThanOrEqual(0.2);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('fails a one-channel recording asked to be split, with the reason', async () => {
    const r = await transcribeSplit(JFK_WAV);
    expect(r.job).toMatchObject({
      state: 'failed',
      error: { kind: 'bad-input', message: expect.stringMatching(/one channel/) },
    });
    expect(r.segments).toEqual([]);
    r.close();
  });

  const stereo = join(CORPUS, 'audio', 'en_fasterwhisper_stereo_two_speakers.wav');
  it.skipIf(!existsSync(stereo))(
    'separates the two speakers of the corpus stereo recording (faster-whisper test file)',
    async () => {
      const r = await transcribeSplit(stereo);
      expect(r.job.state).toBe('done');
      const left =
        'He began a confused complaint against the wizard, who had vanished behind the curtain on the left.';
      const right = 'The horizon seems extremely distant.';
      expect(wordErrorRate(left, r.textOf(1)), r.textOf(1)).toBeLessThanOrEqual(0.25);
      expect(wordErrorRate(right, r.textOf(2)), r.textOf(2)).toBeLessThanOrEqual(0.25);
      r.close();
    },
  );
});
