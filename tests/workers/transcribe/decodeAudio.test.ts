import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { decodeAudio } from '../../../workers/transcribe/decodeAudio.js';
import { amrFile, toneFile } from '../../helpers/audio.js';
import { useTempDirs } from '../../helpers/temp.js';

async function samplesOf(path: string, startMs = 0): Promise<number> {
  let n = 0;
  for await (const chunk of decodeAudio(path, { startMs })) n += chunk.length;
  return n;
}

describe('decodeAudio', () => {
  const tempDir = useTempDirs();

  it.each([
    ['44.1 kHz stereo WAV', 'a.wav', { seconds: 2, channels: 2 }],
    ['48 kHz Opus', 'a.opus', { seconds: 2, rate: 48_000, codec: ['-c:a', 'libopus'] }],
  ])('turns %s into 16 kHz mono samples', async (_what, name, options) => {
    const path = toneFile(tempDir(), name, options);
    const n = await samplesOf(path);
    expect(Math.abs(n - 32_000)).toBeLessThan(800);
  });

  it('turns 8 kHz AMR into 16 kHz mono samples', async () => {
    expect(Math.abs((await samplesOf(amrFile(tempDir(), 'a.amr', 2))) - 32_000)).toBeLessThan(800);
  });

  it('starts part-way through when resuming', async () => {
    const path = toneFile(tempDir(), 'a.flac', { seconds: 4, codec: ['-c:a', 'flac'] });
    expect(Math.abs((await samplesOf(path, 1500)) - 2.5 * 16_000)).toBeLessThan(400);
  });

  it('fails a streamable M4A cut short, though ffmpeg exits 0 on it', async () => {
    const whole = toneFile(tempDir(), 'fast.m4a', {
      seconds: 8,
      codec: ['-c:a', 'aac', '-movflags', '+faststart'],
    });
    const cut = join(tempDir(), 'cut.m4a');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(samplesOf(cut)).rejects.toMatchObject({
      kind: 'bad-input',
      message: 'the recording is damaged: decoding stopped part-way',
    });
  });

  it('fails with a clear reason, not an early end, on a recording cut off mid-stream', async () => {
    const whole = toneFile(tempDir(), 'a.m4a', { seconds: 5, codec: ['-c:a', 'aac'] });
    const cut = join(tempDir(), 'cut.m4a');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(samplesOf(cut)).rejects.toMatchObject({ kind: 'bad-input' });
  });
});
