import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeAudio } from '../../../workers/transcribe/decodeAudio.js';
import { SileroVad } from '../../../workers/transcribe/SileroVad.js';
import { SpeechDetector } from '../../../workers/transcribe/SpeechDetector.js';
import { musicFile, speechFile } from '../../helpers/audio.js';
import { CORPUS } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const VAD_MODEL = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'dist',
  'model-weights',
  'silero_vad.onnx',
);
const PHONE = join(CORPUS, 'audio', 'en_pyannote_phone_conversation');

const seconds = (path: string) => Number(execFileSync('soxi', ['-D', path], { encoding: 'utf8' }));

async function samplesOf(path: string): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const s of decodeAudio(path)) parts.push(s);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** Sentences of espeak-ng speech, each followed by a pause; where each sentence lies, in ms. */
function withPauses(dir: string, sentences: string[], pauseSeconds: number) {
  const speech: { startMs: number; endMs: number }[] = [];
  let at = 0;
  const parts = sentences.map((text, i) => {
    const raw = speechFile(dir, `s${i}.wav`, text);
    const padded = join(dir, `p${i}.wav`);
    execFileSync('sox', [raw, '-r', '16000', padded, 'pad', '0', String(pauseSeconds)]);
    speech.push({ startMs: at, endMs: at + seconds(raw) * 1000 });
    at += seconds(padded) * 1000;
    return padded;
  });
  const path = join(dir, 'pauses.wav');
  execFileSync('sox', [...parts, path]);
  return { path, speech };
}

describe('SpeechDetector', () => {
  const tempDir = useTempDirs();
  let vad: SileroVad;

  beforeAll(async () => {
    vad = await SileroVad.load(VAD_MODEL);
  });
  afterAll(async () => {
    await vad.close();
  });

  async function regionsOf(samples: Float32Array, feed = 16_000) {
    const detector = new SpeechDetector(vad);
    const clips = [];
    for (let i = 0; i < samples.length; i += feed) {
      clips.push(...(await detector.push(samples.slice(i, i + feed))));
    }
    clips.push(...detector.end());
    for (const c of clips) expect(c.samples.length).toBe((c.endMs - c.startMs) * 16);
    return clips.map((c) => ({ startMs: c.startMs, endMs: c.endMs }));
  }

  it.each(['chords', 'melody', 'noise'] as const)(
    'finds no speech in %s made with sox',
    async (kind) => {
      const music = await samplesOf(musicFile(tempDir(), `${kind}.wav`, kind, 20));
      expect(music.length).toBe(20 * 16_000);
      expect(await regionsOf(music)).toEqual([]);
    },
  );

  it('finds speech between long pauses where the recording put it', async () => {
    const { path, speech } = withPauses(
      tempDir(),
      ['Good morning.', 'My name is John Smith.', 'I live in London, near the river.'],
      8,
    );
    const regions = await regionsOf(await samplesOf(path));

    expect(regions).toHaveLength(3);
    regions.forEach((r, i) => {
      // The region holds its sentence, with the 300 ms pad and espeak's own silences.
      expect(Math.abs(r.startMs - speech[i]!.startMs), `start ${i}`).toBeLessThanOrEqual(500);
      expect(Math.abs(r.endMs - speech[i]!.endMs), `end ${i}`).toBeLessThanOrEqual(500);
    });
  });

  it('still finds speech over background music, and not the music around it', async () => {
    const dir = tempDir();
    const { path, speech } = withPauses(
      dir,
      ['Where were you on Friday night?', 'I was at home with my brother.'],
      8,
    );
    const music = musicFile(dir, 'bed.wav', 'chords', seconds(path));
    const mixed = join(dir, 'mixed.wav');
    execFileSync('sox', ['-m', '-v', '1', path, '-v', '0.3', music, mixed]);

    const regions = await regionsOf(await samplesOf(mixed));

    for (const s of speech) {
      const heard = regions.filter((r) => r.startMs < s.endMs && r.endMs > s.startMs);
      const covered = heard.reduce(
        (ms, r) => ms + Math.min(r.endMs, s.endMs) - Math.max(r.startMs, s.startMs),
        0,
      );
      expect(covered / (s.endMs - s.startMs)).toBeGreaterThan(0.8);
    }
    const total = regions.reduce((ms, r) => ms + r.endMs - r.startMs, 0);
    expect(total / (seconds(mixed) * 1000)).toBeLessThan(0.5);
  });

  it('gives the same regions however the samples are fed in, the stream reset each time', async () => {
    const { path } = withPauses(tempDir(), ['Yes.', 'No, I did not see him.'], 2);
    const samples = await samplesOf(path);
    const once = await regionsOf(samples, 100);
    expect(once.length).toBeGreaterThan(0);
    expect(await regionsOf(samples, 48_000)).toEqual(once);
    expect(await regionsOf(samples, 777)).toEqual(once);
  });

  it('reads a two-hour stream in bounded memory and finds each bit of speech in it', async () => {
    const speech = await samplesOf(speechFile(tempDir(), 'bit.wav', 'I was at home that night.'));
    const detector = new SpeechDetector(vad);
    const block = new Float32Array(16_000);
    const found = [];
    const rss: number[] = [];
    let noise = 12_345;
    for (let second = 0; second < 2 * 3600; second++) {
      // A faint noise floor, and the sentence once every 20 minutes.
      for (let i = 0; i < block.length; i++) {
        noise = (noise * 1_103_515_245 + 12_345) % 2 ** 31;
        block[i] = (noise / 2 ** 31 - 0.5) * 0.002;
      }
      const into = (second % 1200) - 600;
      if (into >= 0 && into * 16_000 < speech.length) {
        const part = speech.subarray(into * 16_000, (into + 1) * 16_000);
        for (let i = 0; i < part.length; i++) block[i] = block[i]! + part[i]!;
      }
      found.push(...(await detector.push(block.slice())));
      if (second % 600 === 599) rss.push(process.memoryUsage().rss);
    }
    found.push(...detector.end());

    expect(found.map((c) => Math.round(c.startMs / 1000))).toEqual([
      600, 1800, 3000, 4200, 5400, 6600,
    ]);
    // After the first ten minutes, the process grows by no more than a few MB however long it reads.
    expect(Math.max(...rss) - rss[0]!).toBeLessThan(32 * 1024 * 1024);
  }, 600_000);

  it.runIf(existsSync(`${PHONE}.wav`) && existsSync(`${PHONE}.rttm`))(
    "agrees with the phone conversation's reference speaker turns, frame by frame",
    async () => {
      const samples = await samplesOf(`${PHONE}.wav`);
      const regions = await regionsOf(samples);
      const turns = readFileSync(`${PHONE}.rttm`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('SPEAKER'))
        .map((l) => l.split(/\s+/))
        .map((f) => ({
          startMs: Number(f[3]) * 1000,
          endMs: (Number(f[3]) + Number(f[4])) * 1000,
        }));

      // 10 ms frames: speech by the reference, speech by the detector.
      const frames = Math.floor(samples.length / 160);
      const inside = (list: { startMs: number; endMs: number }[], ms: number) =>
        list.some((r) => ms >= r.startMs && ms < r.endMs);
      let agree = 0;
      for (let f = 0; f < frames; f++) {
        if (inside(turns, f * 10 + 5) === inside(regions, f * 10 + 5)) agree += 1;
      }
      expect(agree / frames).toBeGreaterThan(0.9);
    },
  );
});
