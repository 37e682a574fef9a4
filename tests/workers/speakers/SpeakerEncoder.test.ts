import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  EMBEDDING_SIZE,
  SpeakerEncoder,
  normaliseVolume,
  partialStarts,
} from '../../../workers/speakers/SpeakerEncoder.js';
import { SPEAKER_REFERENCE, speakerModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

/** Sixteen kHz samples of a sentence spoken by one espeak-ng voice. */
function spoken(dir: string, voice: string, text: string): Float32Array {
  const wav = join(dir, `${voice}-${text.length}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', wav, text]);
  const raw = execFileSync('sox', [wav, '-r', '16000', '-t', 'f32', '-']);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
}

const cosine = (a: Float32Array | null, b: Float32Array | null) =>
  a!.reduce((s, x, i) => s + x * b![i]!, 0);

describe('SpeakerEncoder', () => {
  const tempDir = useTempDirs();
  let encoder: SpeakerEncoder;
  beforeAll(async () => {
    encoder = await SpeakerEncoder.load(speakerModel(), 1);
  });
  afterAll(async () => {
    await encoder.close();
  });

  it("gives the provisioning's numpy forward pass for its fixed input, through onnxruntime", async () => {
    const ref = JSON.parse(readFileSync(SPEAKER_REFERENCE, 'utf8')) as {
      shape: [number, number, number];
      mels: number[];
      embedding: number[];
    };
    const got = await encoder.run(Float32Array.from(ref.mels), ref.shape[0], ref.shape[1]);
    expect(got.length).toBe(ref.shape[0] * EMBEDDING_SIZE);
    const worst = Math.max(...ref.embedding.map((v, i) => Math.abs(got[i]! - v)));
    expect(worst).toBeLessThan(1e-5);
  });

  it.each([
    [4800, [0]],
    [25_600, [0]],
    [40_000, [0, 77]],
    [48_000, [0, 77, 154]],
    [100_000, [0, 77, 154, 231, 308, 385, 462]],
  ])('cuts %i samples into 1.6 s partials starting at frames %j', (samples, starts) => {
    expect(partialStarts(samples)).toEqual(starts);
  });

  it('raises quiet audio to -30 dBFS and leaves loud audio and silence alone', () => {
    const quiet = new Float32Array(1000).fill(0.001);
    const raised = normaliseVolume(quiet);
    expect(20 * Math.log10(raised[0]!)).toBeCloseTo(-30, 6);
    const loud = new Float32Array(1000).fill(0.5);
    expect(normaliseVolume(loud)).toBe(loud);
    const silence = new Float32Array(1000);
    expect(normaliseVolume(silence)).toBe(silence);
  });

  it("tells two voices apart: one voice's sentences are closer to each other than to the other voice's", async () => {
    const dir = tempDir();
    const a1 = await encoder.embed(
      spoken(dir, 'en-gb', 'Where were you on the night of the fourteenth of March?'),
    );
    const a2 = await encoder.embed(
      spoken(dir, 'en-gb', 'Can anyone confirm that you stayed in the house the whole time?'),
    );
    const b1 = await encoder.embed(
      spoken(dir, 'en-us+f3', 'I was at home with my sister watching television all evening.'),
    );
    const b2 = await encoder.embed(
      spoken(dir, 'en-us+f3', 'My neighbour saw me when I took the bins out at about ten.'),
    );
    expect(cosine(a1, a1)).toBeCloseTo(1, 5);
    const same = Math.min(cosine(a1, a2), cosine(b1, b2));
    const other = Math.max(cosine(a1, b1), cosine(a1, b2), cosine(a2, b1), cosine(a2, b2));
    expect(same).toBeGreaterThan(0.8);
    expect(other).toBeLessThan(0.75);
  });

  it('refuses a file that is not a model with one line, as an engine error', async () => {
    const path = join(tempDir(), 'not-a-model.onnx');
    writeFileSync(path, 'this is not an ONNX model');
    await expect(SpeakerEncoder.load(path, 1)).rejects.toMatchObject({ kind: 'engine' });
    await expect(SpeakerEncoder.load(path, 1)).rejects.toThrow(
      /^onnxruntime could not load the speaker model \([^\n]*\)$/,
    );
  });
});
