import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { probeAudio } from '../../../main/transcription/probeAudio.js';
import { amrFile, toneFile } from '../../helpers/audio.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('probeAudio', () => {
  const tempDir = useTempDirs();

  it.each([
    ['WAV, 44.1 kHz stereo', 'a.wav', 2, [] as string[]],
    ['MP3', 'a.mp3', 1, ['-c:a', 'libmp3lame']],
    ['M4A (AAC)', 'a.m4a', 1, ['-c:a', 'aac']],
    ['OGG Opus, as WhatsApp voice notes are', 'a.opus', 1, ['-c:a', 'libopus']],
    ['FLAC', 'a.flac', 1, ['-c:a', 'flac']],
  ])('reads the length and channels of %s', async (_what, name, channels, codec) => {
    const path = toneFile(tempDir(), name, { seconds: 3, channels, codec });
    const info = await probeAudio(path);
    expect(info.channels).toBe(channels);
    expect(Math.abs(info.durationMs - 3000)).toBeLessThan(100);
  });

  it('reads an AMR narrowband recording, as phones make', async () => {
    const info = await probeAudio(amrFile(tempDir(), 'call.amr', 3));
    expect(info).toMatchObject({ channels: 1, codec: 'amr_nb' });
    expect(Math.abs(info.durationMs - 3000)).toBeLessThan(100);
  });

  it.each([
    ['an empty file', ''],
    ['a text file', 'this is not a recording\n'.repeat(100)],
    [
      'random bytes named .wav',
      Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)),
    ],
  ])('refuses %s as not readable audio', async (_what, content) => {
    const path = join(tempDir(), 'x.wav');
    writeFileSync(path, content);
    await expect(probeAudio(path)).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/cannot be read as audio|no audio stream/),
    });
  });
});
