import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SileroVad, VAD_WINDOW } from '../../../workers/transcribe/SileroVad.js';
import { whisperModel } from '../../helpers/models.js';
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

/** A 16 kHz signal whose loudness and pitch wander, so each window differs from the last. */
function wobble(samples: number): Float32Array {
  return Float32Array.from(
    { length: samples },
    (_, i) => 0.3 * Math.sin(i / 7 + Math.sin(i / 900) * 40) * Math.sin(i / 3000),
  );
}

describe('SileroVad', () => {
  const tempDir = useTempDirs();

  it('gives one probability per 512 samples, carrying a part window over to the next call', async () => {
    const vad = await SileroVad.load(VAD_MODEL);
    const signal = wobble(VAD_WINDOW * 40);

    const whole = await vad.push(signal);
    vad.reset();
    const pieces = [];
    for (const [from, to] of [
      [0, 700],
      [700, 1024],
      [1024, 5000],
      [5000, signal.length],
    ]) {
      pieces.push(...(await vad.push(signal.subarray(from, to))));
    }

    expect(whole.length).toBe(40);
    expect(pieces).toEqual([...whole]);
    for (const p of whole) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    await vad.close();
  });

  it('carries its state across windows: the same window scores differently after other audio', async () => {
    const vad = await SileroVad.load(VAD_MODEL);
    const window = wobble(VAD_WINDOW * 3).subarray(VAD_WINDOW * 2);
    const fresh = (await vad.push(window))[0]!;
    vad.reset();
    await vad.push(wobble(VAD_WINDOW * 50));
    const after = (await vad.push(window))[0]!;
    vad.reset();

    expect((await vad.push(window))[0]).toBe(fresh);
    expect(after).not.toBe(fresh);
    await vad.close();
  });

  it.each([
    [
      'a file that is not a model',
      (dir: string) => (writeFileSync(join(dir, 'x.onnx'), 'no'), join(dir, 'x.onnx')),
    ],
    ['a missing file', (dir: string) => join(dir, 'absent.onnx')],
    ['a Whisper model', () => whisperModel('ggml-tiny.en.bin')],
  ])('refuses %s with an engine error naming the fix', async (_what, make) => {
    await expect(SileroVad.load(make(tempDir()))).rejects.toMatchObject({
      kind: 'engine',
      message: 'the speech detector model could not be loaded (run bin/setup to install it)',
    });
  });
});
