import { describe, expect, it } from 'vitest';

import { outsideArchive, wordsFromTokens } from '../../../workers/transcribe/WhisperEngine.js';

const token = (text: string | Buffer, t0: number, t1: number, p = 0.9) => ({
  hex: (typeof text === 'string' ? Buffer.from(text) : text).toString('hex'),
  p,
  t0,
  t1,
});

describe('WhisperEngine', () => {
  it('joins tokens into words at leading spaces, with the span and the weakest probability of each', () => {
    const words = wordsFromTokens([
      token(' And', 320, 400),
      token(' fel', 500, 600, 0.7),
      token('low', 600, 700, 0.95),
      token('.', 700, 710),
    ]);
    expect(words).toEqual([
      { text: 'And', startMs: 320, endMs: 400, p: 0.9 },
      { text: 'fellow.', startMs: 500, endMs: 710, p: 0.7 },
    ]);
  });

  it('keeps a character whose bytes are split across two tokens whole', () => {
    const zloty = Buffer.from(' złoty');
    const split = zloty.indexOf(0xc5) + 1; // inside the two bytes of ł
    const words = wordsFromTokens([
      token(zloty.subarray(0, split), 0, 100),
      token(zloty.subarray(split), 100, 200),
    ]);
    expect(words).toEqual([{ text: 'złoty', startMs: 0, endMs: 200, p: 0.9 }]);
  });

  it.each([
    [
      '/opt/TOEX Workstation/resources/app.asar/dist/native/toex-whisper',
      '/opt/TOEX Workstation/resources/app.asar.unpacked/dist/native/toex-whisper',
    ],
    [
      'C:\\TOEX Workstation\\resources\\app.asar\\dist\\native\\toex-whisper',
      'C:\\TOEX Workstation\\resources\\app.asar.unpacked\\dist\\native\\toex-whisper',
    ],
    ['/work/toex/dist/native/toex-whisper', '/work/toex/dist/native/toex-whisper'],
    [
      '/home/me/app.asar.d/dist/native/toex-whisper',
      '/home/me/app.asar.d/dist/native/toex-whisper',
    ],
  ])('starts the runner of the packaged app from outside its archive: %s', (path, expected) => {
    expect(outsideArchive(path)).toBe(expected);
  });
});
