import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { vadModel } from '../../../main/transcription/vadModel.js';
import { useTempDirs } from '../../helpers/temp.js';

const INSTALLED = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'dist',
  'model-weights',
  'silero_vad.onnx',
);
const SHA256 = '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3';

describe('vadModel', () => {
  const tempDir = useTempDirs();
  afterEach(() => {
    delete process.env.TOEX_VAD_MODEL;
  });

  it('names the installed Silero VAD by its manifest id and sha256', async () => {
    expect(await vadModel()).toEqual({ path: INSTALLED, id: 'silero-vad-5', sha256: SHA256 });
  });

  it('fails a missing detector with an engine error that says to run bin/setup', async () => {
    process.env.TOEX_VAD_MODEL = join(tempDir(), 'silero_vad.onnx');
    await expect(vadModel()).rejects.toMatchObject({
      kind: 'engine',
      message: 'the speech detector model (silero-vad-5) is not installed; run bin/setup',
    });
  });

  it('fails an altered detector file, even by one byte, rather than using it', async () => {
    const altered = join(tempDir(), 'silero_vad.onnx');
    copyFileSync(INSTALLED, altered);
    const bytes = readFileSync(altered);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 1;
    writeFileSync(altered, bytes);
    process.env.TOEX_VAD_MODEL = altered;

    await expect(vadModel()).rejects.toMatchObject({
      kind: 'engine',
      message:
        'the speech detector model file is not the silero-vad-5 the manifest names; run bin/setup to reinstall it',
    });
  });
});
