import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { type WorkerHost } from '../../../main/jobs/WorkerHost.js';
import { interview, musicFile, toneFile } from '../../helpers/audio.js';
import { waitFor } from '../../helpers/evidence.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS, JFK_TEXT, JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { wordErrorRate } from '../../helpers/wer.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/**
 * One engine thread: the suite runs two test files at once on two cores, and
 * whisper.cpp's worker threads spin while they wait for each other, so two
 * threads against a busy core slow a test many times over.
 */
const TEST_THREADS = 1;

/** toex-whisper processes left running with no parent (their worker was killed); the dead are not counted. */
function orphanRunners(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, ppid] = stat.split(') ')[1]!.split(' ');
        return stat.includes('(toex-whisper)') && ppid === '1' && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function transcribe(
  home: string,
  file: string,
  model = whisperModel('ggml-tiny.en.bin'),
  host?: WorkerHost,
  language?: string,
) {
  const ctx = await workstationWithCase(home);
  const { item } = await ctx.store.importEvidence(file);
  const job = await ctx.store.queueTranscription(item.id, model, {
    threads: TEST_THREADS,
    ...(language ? { language } : {}),
  });
  const done = await ctx.store.runner(host).run(job.id);
  const [transcript] = ctx.store.transcripts.list();
  const segments = transcript ? ctx.store.transcripts.segments(transcript.id) : [];
  return {
    ...ctx,
    item,
    job: done,
    transcript,
    segments,
    text: segments.map((s) => s.text).join(' '),
  };
}

describe('transcribeJob', () => {
  const tempDir = useTempDirs();

  it("transcribes real speech (jfk.wav) with tiny.en within 10% word error, with word timings and the model's hash", async () => {
    const r = await transcribe(tempDir(), JFK_WAV);

    expect(r.job.state).toBe('done');
    expect(wordErrorRate(JFK_TEXT, r.text)).toBeLessThanOrEqual(0.1);
    expect(r.transcript).toMatchObject({
      modelId: 'whisper-tiny.en',
      modelSha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f',
      language: 'en',
      durationMs: 11_000,
    });
    const words = r.segments.flatMap((s) => s.words);
    expect(words.map((w) => w.text).join(' ')).toMatch(/^And so my fellow Americans/);
    for (const w of words) {
      expect(w.endMs).toBeGreaterThanOrEqual(w.startMs);
      expect(w.p).toBeGreaterThan(0);
    }
    expect(words.at(-1)!.endMs).toBeLessThanOrEqual(11_000);
    expect(r.store.audit.list().at(-2)).toMatchObject({
      action: 'transcript.create',
      details: { modelSha256: r.transcript!.modelSha256, segments: r.segments.length },
    });
    r.store.close();
    r.workstation.close();
  });

  it.runIf(existsSync(CORPUS))(
    'transcribes the LibriVox clips of the shared corpus close to their reference texts',
    async () => {
      for (const clip of ['0870', '0880', '0890']) {
        const wav = join(CORPUS, 'audio', `en_pocketsphinx_librivox_${clip}.wav`);
        const reference = readFileSync(
          join(CORPUS, 'audio', `en_pocketsphinx_librivox_${clip}.txt`),
          'utf8',
        );
        const r = await transcribe(tempDir(), wav);
        expect(wordErrorRate(reference, r.text), `${clip}: ${r.text}`).toBeLessThanOrEqual(0.2);
        r.store.close();
        r.workstation.close();
      }
    },
  );

  it('skips the pauses of an interview-like recording: no segment lies in a silence', async () => {
    const dir = tempDir();
    const file = interview(
      dir,
      ['Good morning.', 'My name is John Smith.', 'I live in London.'],
      6,
    );
    const r = await transcribe(tempDir(), file);

    expect(r.job.state).toBe('done');
    expect(
      wordErrorRate('Good morning. My name is John Smith. I live in London.', r.text),
      r.text,
    ).toBeLessThanOrEqual(0.2);
    const speech = [0, 1, 2].map((i) => {
      const before = [0, 1, 2]
        .slice(0, i)
        .reduce(
          (t, j) =>
            t +
            Number(execFileSync('soxi', ['-D', join(dir, `p${j}.wav`)], { encoding: 'utf8' })) *
              1000,
          0,
        );
      const own =
        Number(execFileSync('soxi', ['-D', join(dir, `s${i}.wav`)], { encoding: 'utf8' })) * 1000;
      return { start: before, end: before + own };
    });
    for (const s of r.segments) {
      const overlaps = speech.some((sp) => s.startMs < sp.end + 500 && s.endMs > sp.start - 500);
      expect(overlaps, `segment ${s.startMs}-${s.endMs} "${s.text}" lies in a pause`).toBe(true);
    }
    r.store.close();
    r.workstation.close();
  });

  it.each([
    [
      'a silent recording',
      (dir: string) => (
        execFileSync('sox', [
          '-n',
          '-r',
          '16000',
          '-c',
          '1',
          join(dir, 'quiet.wav'),
          'trim',
          '0',
          '20',
        ]),
        join(dir, 'quiet.wav')
      ),
      /no speech was found/,
    ],
    [
      'a recording of music and nothing else',
      (dir: string) => musicFile(dir, 'music.wav', 'chords', 30),
      /no speech was found/,
    ],
    [
      'a recording of noise and nothing else',
      (dir: string) => musicFile(dir, 'noise.wav', 'noise', 30),
      /no speech was found/,
    ],
    [
      'a file that is not audio',
      (dir: string) => (
        writeFileSync(join(dir, 'notes.wav'), 'not a recording at all\n'.repeat(50)),
        join(dir, 'notes.wav')
      ),
      /cannot be read as audio/,
    ],
    [
      'an empty file',
      (dir: string) => (writeFileSync(join(dir, 'empty.m4a'), ''), join(dir, 'empty.m4a')),
      /cannot be read as audio/,
    ],
  ])('fails %s with the reason, storing no segments', async (_what, make, reason) => {
    const r = await transcribe(tempDir(), make(tempDir()));
    expect(r.job).toMatchObject({
      state: 'failed',
      error: { kind: 'bad-input', message: expect.stringMatching(reason) },
    });
    expect(r.segments).toEqual([]);
    r.store.close();
    r.workstation.close();
  });

  it('keeps the windows already stored when its worker is killed, and resumes after them without repeating any', async () => {
    // Pauses long enough that the answers fill two windows: the worker packs
    // the speech of up to a minute of recording into one.
    const file = interview(
      tempDir(),
      ['Good morning.', 'My name is John Smith.', 'I live in London.', 'Thank you very much.'],
      25,
    );
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 1);
    const ctx = await workstationWithCase(tempDir());
    stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM transcript_chunks').get() as { n: number })
        .n;
    const { item } = await ctx.store.importEvidence(file);
    const queued = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
      threads: TEST_THREADS,
    });

    const job = await ctx.store.runner(host).run(queued.id);

    expect(job).toMatchObject({ state: 'done', attempts: 2 });
    const [t] = ctx.store.transcripts.list();
    const segments = ctx.store.transcripts.segments(t!.id);
    const text = segments.map((s) => s.text).join(' ');
    expect(
      wordErrorRate(
        'Good morning. My name is John Smith. I live in London. Thank you very much.',
        text,
      ),
      text,
    ).toBeLessThanOrEqual(0.2);
    const starts = segments.map((s) => s.startMs);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    segments
      .slice(1)
      .forEach((s, i) => expect(s.startMs).toBeGreaterThanOrEqual(segments[i]!.endMs));
    // The runner of the killed worker must not go on computing for nobody.
    await waitFor(() => orphanRunners().length === 0, 5000);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('keeps a one-word answer between pauses (whisper.cpp gives nothing for under a second)', async () => {
    const file = interview(
      tempDir(),
      ['Were you at the flat on Friday night?', 'Yes.', 'Did you see the man?', 'No.'],
      3,
    );
    const r = await transcribe(tempDir(), file);
    expect(r.job.state).toBe('done');
    // Four turns, four segments; espeak's "No." is often heard as "now".
    const texts = r.segments.map((s) =>
      s.text
        .toLowerCase()
        .replace(/[^a-z ]/g, '')
        .trim(),
    );
    expect(texts).toHaveLength(4);
    expect(texts[1]).toBe('yes');
    expect(['no', 'now']).toContain(texts[3]);
    r.store.close();
    r.workstation.close();
  });

  it('refuses to resume with a model file that is no longer the one the job was queued with', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(JFK_WAV);
    const model = join(tempDir(), 'ggml-tiny.en.bin');
    writeFileSync(model, readFileSync(whisperModel('ggml-tiny.en.bin')));
    const queued = await ctx.store.queueTranscription(item.id, model, { threads: TEST_THREADS });
    writeFileSync(model, readFileSync(whisperModel('ggml-base.bin')));

    const job = await ctx.store.runner().run(queued.id);

    expect(job).toMatchObject({
      state: 'failed',
      error: {
        kind: 'bad-input',
        message:
          'the model file is no longer the whisper-tiny.en this job was queued with; nothing was transcribed with it',
      },
    });
    ctx.store.close();
    ctx.workstation.close();
  });

  it('detects the language over the speech with a multilingual model', async () => {
    const dir = tempDir();
    const german = join(dir, 'de.wav');
    execFileSync('espeak-ng', [
      '-v',
      'de',
      '-s',
      '140',
      '-w',
      german,
      'Guten Tag. Ich wohne seit drei Jahren in Hamburg und arbeite in einem Restaurant am Hafen.',
    ]);
    const r = await transcribe(tempDir(), german, whisperModel('ggml-base.bin'));
    expect(r.job.state).toBe('done');
    expect(r.transcript!.language).toBe('de');
    expect(r.text.toLowerCase()).toContain('hamburg');
    r.store.close();
    r.workstation.close();
  });

  it('refuses a model file the manifest does not know, or one cut short, before queueing anything', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(toneFile(tempDir(), 'a.wav', { seconds: 1 }));
    const cut = join(tempDir(), 'ggml-tiny.en.bin');
    writeFileSync(cut, readFileSync(whisperModel('ggml-tiny.en.bin')).subarray(0, 1_000_000));
    await expect(ctx.store.queueTranscription(item.id, cut)).rejects.toThrow(
      /matches no model in the manifest/,
    );
    await expect(
      ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), { language: 'de' }),
    ).rejects.toThrow(/whisper-tiny.en knows en only/);
    expect(ctx.store.jobs.list()).toEqual([]);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('names the speech detector that shaped the transcript, in the job result and the audit log', async () => {
    const r = await transcribe(tempDir(), JFK_WAV);
    const detector = {
      vadModelId: 'silero-vad-5',
      vadModelSha256: '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3',
    };
    expect(r.job).toMatchObject({ state: 'done', result: detector });
    expect(r.store.audit.list().at(-2)).toMatchObject({
      action: 'transcript.create',
      details: detector,
    });
    r.store.close();
    r.workstation.close();
  });

  it('fails with an engine error naming bin/setup when the speech detector file is altered, storing nothing', async () => {
    const altered = join(tempDir(), 'silero_vad.onnx');
    const bytes = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'dist', 'model-weights', 'silero_vad.onnx'),
    );
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(altered, bytes);
    process.env.TOEX_VAD_MODEL = altered;
    try {
      const r = await transcribe(tempDir(), JFK_WAV);
      expect(r.job).toMatchObject({
        state: 'failed',
        error: {
          kind: 'engine',
          message: expect.stringMatching(/speech detector.*run bin\/setup/),
        },
      });
      expect(r.segments).toEqual([]);
      r.store.close();
      r.workstation.close();
    } finally {
      delete process.env.TOEX_VAD_MODEL;
    }
  });

  it('detects the language over the speech, never over a music intro', async () => {
    const dir = tempDir();
    const german = join(dir, 'de.wav');
    execFileSync('espeak-ng', [
      '-v',
      'de',
      '-s',
      '140',
      '-w',
      german,
      'Guten Abend. Ich war zu Hause.',
    ]);
    const speech = join(dir, 'de16.wav');
    execFileSync('sox', [german, '-r', '16000', '-c', '1', speech]);
    const file = join(dir, 'intro.wav');
    execFileSync('sox', [musicFile(dir, 'intro-music.wav', 'melody', 20), speech, file]);

    const r = await transcribe(tempDir(), file, whisperModel('ggml-base.bin'));

    expect(r.job.state).toBe('done');
    expect(r.transcript!.language).toBe('de');
    for (const s of r.segments) expect(s.startMs).toBeGreaterThanOrEqual(19_500);
    r.store.close();
    r.workstation.close();
  });
});
