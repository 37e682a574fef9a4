import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  importModels,
  listModels,
  modelPathFor,
  modelsDir,
  verifyModels,
} from '../../models/modelStore.js';
import { manifestEntry, sha256OfFile } from '../../models/modelManifest.js';
import { translationModel as findTranslationModel } from '../../main/translation/translationModel.js';
import { flipByte } from '../helpers/flipByte.js';
import { translationModel, whisperModel } from '../helpers/models.js';
import { useTempDirs } from '../helpers/temp.js';

const TINY_EN_SHA256 = '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f';
/** The translation model bin/setup built, verified where it put it. */
const SETUP_TRANSLATION_OK = {
  id: 'opus-mt-zh-en',
  file: "4 files (bin/setup's copy)",
  state: 'ok',
};

describe('modelStore', () => {
  const tempDir = useTempDirs();

  it('imports a folder: the real model by content, and refuses a tampered copy, junk and a link by name', async () => {
    const home = tempDir();
    const usb = tempDir();
    copyFileSync(whisperModel('ggml-tiny.en.bin'), join(usb, 'renamed model.bin'));
    mkdirSync(join(usb, 'sub'));
    copyFileSync(whisperModel('ggml-tiny.en.bin'), join(usb, 'sub', 'ggml-tiny.en.bin'));
    flipByte(join(usb, 'sub', 'ggml-tiny.en.bin'), 40_000_000);
    writeFileSync(join(usb, 'junk.txt'), 'not a model');
    symlinkSync(whisperModel('ggml-base.bin'), join(usb, 'link.bin'));

    const outcomes = await importModels(home, usb);

    expect(outcomes).toEqual([
      { file: 'link.bin', state: 'refused', reason: 'not a regular file' },
      { file: 'junk.txt', state: 'refused', reason: 'not a model file the manifest lists' },
      {
        file: 'renamed model.bin',
        state: 'imported',
        id: 'whisper-tiny.en',
        sha256: TINY_EN_SHA256,
      },
      {
        file: join('sub', 'ggml-tiny.en.bin'),
        state: 'refused',
        reason: expect.stringMatching(
          /^sha256 [0-9a-f]{64} is not the manifest's for ggml-tiny\.en\.bin \(altered or corrupt\)$/,
        ) as string,
      },
    ]);
    const installed = join(modelsDir(home), 'ggml-tiny.en.bin');
    expect(await sha256OfFile(installed)).toBe(TINY_EN_SHA256);
    expect(statSync(installed).mode & 0o222).toBe(0);
    expect(readdirSync(modelsDir(home))).toEqual(['ggml-tiny.en.bin']);
    expect(
      listModels(home)
        .filter((m) => m.installed)
        .map((m) => m.id),
    ).toEqual(['whisper-tiny.en', 'opus-mt-zh-en']);
  });

  it('keeps the installed copy when a later import of the same model is altered or truncated', async () => {
    const home = tempDir();
    await importModels(home, whisperModel('ggml-tiny.en.bin'));
    const usb = tempDir();
    const bad = join(usb, 'ggml-tiny.en.bin');
    copyFileSync(whisperModel('ggml-tiny.en.bin'), bad);
    truncateSync(bad, 1_000_000);

    expect(await importModels(home, bad)).toEqual([
      {
        file: 'ggml-tiny.en.bin',
        state: 'refused',
        reason: '1000000 bytes, but ggml-tiny.en.bin is 77704715 bytes (truncated or altered)',
      },
    ]);
    expect(await verifyModels(home)).toEqual([
      { id: 'whisper-tiny.en', file: 'ggml-tiny.en.bin', state: 'ok' },
      SETUP_TRANSLATION_OK,
    ]);
  });

  it('says so when a folder holds nothing, and names a source that is not there', async () => {
    const home = tempDir();
    await expect(importModels(home, tempDir('empty-'))).rejects.toThrow(
      /holds no files to import$/,
    );
    await expect(importModels(home, join(tempDir(), 'absent'))).rejects.toMatchObject({
      kind: 'not-found',
      message: 'reading absent: no such file or folder',
    });
  });

  it('verifies installed models: ok, then altered when a byte changes, missing when removed', async () => {
    const home = tempDir();
    expect(await verifyModels(home)).toEqual([SETUP_TRANSLATION_OK]);
    await importModels(home, whisperModel('ggml-tiny.en.bin'));
    const installed = join(modelsDir(home), 'ggml-tiny.en.bin');

    flipByte(installed, 123);
    const [altered] = await verifyModels(home);
    expect(altered).toMatchObject({ id: 'whisper-tiny.en', state: 'altered' });
    expect(altered!.detail).toMatch(/^sha256 [0-9a-f]{64}$/);
    expect(altered!.detail).not.toContain(TINY_EN_SHA256);

    truncateSync(installed, 10);
    expect((await verifyModels(home, 'whisper-tiny.en'))[0]).toMatchObject({
      state: 'altered',
      detail: '10 bytes, expected 77704715',
    });

    unlinkSync(installed);
    expect(await verifyModels(home, 'whisper-tiny.en')).toEqual([
      {
        id: 'whisper-tiny.en',
        file: 'ggml-tiny.en.bin',
        state: 'missing',
        detail: 'not in the models folder',
      },
    ]);
    expect(await verifyModels(home)).toEqual([SETUP_TRANSLATION_OK]);
  });

  it('imports a translation model file by file, verifies each copy, and translates with the imported one', async () => {
    const home = tempDir();
    const usb = tempDir();
    const { dir, id } = translationModel();
    const parts = ['encoder.onnx', 'decoder.onnx', 'spm', 'vocab.json'];
    for (const part of parts) copyFileSync(join(dir, `${id}.${part}`), join(usb, `${id}.${part}`));

    const outcomes = await importModels(home, usb);
    expect(outcomes.map((o) => [o.file, o.state])).toEqual(
      [...parts].sort().map((part) => [`${id}.${part}`, 'imported']),
    );
    const entry = manifestEntry(id);
    expect((await findTranslationModel(entry, { home })).dir).toBe(modelsDir(home));
    expect(await verifyModels(home, id)).toEqual([
      { id, file: '4 files', state: 'ok' },
      SETUP_TRANSLATION_OK,
    ]);

    const spm = join(modelsDir(home), `${id}.spm`);
    chmodSync(spm, 0o644);
    flipByte(spm, 1000);
    const [altered] = await verifyModels(home, id);
    expect(altered).toMatchObject({ id, file: '4 files', state: 'altered' });
    expect(altered!.detail).toMatch(new RegExp(`^${id}\\.spm: sha256 [0-9a-f]{64}$`));
    await expect(findTranslationModel(entry, { home })).rejects.toThrow(
      `${id}.spm of ${id} does not match the manifest's SHA-256; it was altered or damaged (run bin/setup)`,
    );
    unlinkSync(spm);
    expect((await findTranslationModel(entry, { home })).dir).toBe(dir);
  });

  it('resolves --model: an installed id to its file, an id not installed to a clear error, a path as given', async () => {
    const home = tempDir();
    expect(() => modelPathFor('whisper-base', home)).toThrow(
      'model whisper-base is not installed; add it with `toex models import <file or folder>` or `toex models fetch whisper-base`',
    );
    expect(modelPathFor('/some/where/model.bin', home)).toBe('/some/where/model.bin');
    await importModels(home, whisperModel('ggml-tiny.en.bin'));
    expect(modelPathFor('whisper-tiny.en', home)).toBe(join(modelsDir(home), 'ggml-tiny.en.bin'));
  });

  it('clears partial copies that a crashed import left, and only those', async () => {
    const home = tempDir();
    mkdirSync(modelsDir(home));
    const crashed = join(modelsDir(home), '.import-999999999-abcdef.partial');
    const running = join(modelsDir(home), `.import-${process.pid}-abcdef.partial`);
    writeFileSync(crashed, 'x');
    writeFileSync(running, 'x');
    await importModels(home, whisperModel('ggml-tiny.en.bin'));
    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });
});
