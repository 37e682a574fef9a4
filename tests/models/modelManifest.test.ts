import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  identifyModel,
  loadManifest,
  whisperModels,
  manifestEntry,
  manifestProblems,
  sha256OfFile,
  siteManifestPath,
} from '../../models/modelManifest.js';
import {
  COPY_MODEL_ID,
  JFK_WAV,
  listCopyModel,
  translationModel,
  whisperModel,
} from '../helpers/models.js';
import { useTempDirs } from '../helpers/temp.js';

const raw = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'models', 'manifest.json'), 'utf8'),
) as { models: Record<string, unknown>[] };

/** The manifest with one change made to a copy of its first entry's file or entry. */
function withChange(
  change: (entry: Record<string, unknown>, file: Record<string, unknown>) => void,
) {
  const copy = structuredClone(raw);
  const entry = copy.models[0]!;
  change(entry, (entry.files as Record<string, unknown>[])[0]!);
  return copy;
}

describe('modelManifest', () => {
  const tempDir = useTempDirs();
  it('lists tiny, base and small, their .en variants and their q5_1 and q8_0 files', () => {
    const ids = whisperModels().map((e) => e.id);
    const sizes = ['tiny', 'tiny.en', 'base', 'base.en', 'small', 'small.en'];
    expect(ids.sort()).toEqual(
      sizes.flatMap((s) => [`whisper-${s}`, `whisper-${s}-q5_1`, `whisper-${s}-q8_0`]).sort(),
    );
    expect(manifestProblems(raw)).toEqual([]);
  });

  it('gives every entry the official file name, URL and language list', () => {
    for (const entry of whisperModels()) {
      const key = entry.id.slice('whisper-'.length);
      const file = entry.files[0]!;
      expect(file.name).toBe(`ggml-${key}.bin`);
      expect(file.url).toBe(
        `https://huggingface.co/ggerganov/whisper.cpp/resolve/main/${file.name}`,
      );
      expect(entry.languages).toEqual(key.includes('.en') ? ['en'] : ['multilingual']);
      expect(entry.quantisation).toBe(/-(q\d_\d)$/.exec(key)?.[1] ?? 'f16');
      expect(file.sha1 !== undefined).toBe(entry.quantisation === 'f16');
    }
  });

  it('keeps the two provisioned files byte for byte: size and sha256 of the real weights', async () => {
    for (const [id, name] of [
      ['whisper-tiny.en', 'ggml-tiny.en.bin'],
      ['whisper-base', 'ggml-base.bin'],
    ] as const) {
      const file = manifestEntry(id).files[0]!;
      expect(file.size).toBe(statSync(whisperModel(name)).size);
      expect(file.sha256).toBe(await sha256OfFile(whisperModel(name)));
      expect((await identifyModel(whisperModel(name))).entry.id).toBe(id);
    }
  });

  it('lists the translation model with its four files, each as provisioned, byte for byte', async () => {
    const { dir, id } = translationModel();
    const entry = raw.models.find((m) => m.id === id)!;
    const files = entry.files as { name: string; size: number; sha256: string }[];
    expect(files.map((f) => f.name)).toEqual([
      `${id}.encoder.onnx`,
      `${id}.decoder.onnx`,
      `${id}.spm`,
      `${id}.vocab.json`,
    ]);
    for (const f of files) {
      expect(statSync(join(dir, f.name)).size, f.name).toBe(f.size);
      expect(await sha256OfFile(join(dir, f.name)), f.name).toBe(f.sha256);
    }
  });

  it('refuses a device or a file of no model size before reading it (/dev/zero would never end)', async () => {
    await expect(identifyModel('/dev/zero')).rejects.toThrow(/not a regular file/);
    await expect(identifyModel(JFK_WAV)).rejects.toThrow(/the size of none/);
  });

  it('names an unknown id as not found, pointing at the list', () => {
    expect(() => manifestEntry('whisper-huge')).toThrow(
      'no model "whisper-huge" in the manifest (`toex models list` shows them)',
    );
  });

  it.each([
    [
      'a path in a file name',
      (_e, f) => (f.name = '../ggml-tiny.bin'),
      'name must be a bare file name',
    ],
    ['a short sha256', (_e, f) => (f.sha256 = 'abc'), 'sha256 must be 64 lower-case hex digits'],
    ['an upper-case sha1', (_e, f) => (f.sha1 = 'A'.repeat(40)), 'sha1, when given, must be 40'],
    ['a zero size', (_e, f) => (f.size = 0), 'size must be a whole number of bytes'],
    [
      'a plain-http URL',
      (_e, f) => (f.url = String(f.url).replace('https:', 'http:')),
      'url must be an https address',
    ],
    [
      'a URL for another file',
      (_e, f) => (f.url = 'https://example.org/other.bin'),
      'url must be an https address',
    ],
    ['no languages', (e) => (e.languages = []), 'languages must be'],
    [
      'multilingual mixed with codes',
      (e) => (e.languages = ['multilingual', 'en']),
      'languages must be',
    ],
    ['an unknown quantisation', (e) => (e.quantisation = 'q3'), 'quantisation must be'],
    ['another engine', (e) => (e.engine = 'onnx'), 'engine must be whisper.cpp'],
    [
      'two files',
      (e, f) => (e.files = [f, { ...f, name: 'x.bin' }]),
      'files must list exactly one file',
    ],
    ['no source', (e) => (e.source = ' '), 'source is missing'],
    ['an id of another shape', (e) => (e.id = 'Tiny Model'), 'id must look like whisper-<name>'],
  ] as [string, (e: Record<string, unknown>, f: Record<string, unknown>) => void, string][])(
    'refuses %s',
    (_what, change, problem) => {
      const problems = manifestProblems(withChange(change));
      expect(problems[0]).toContain(problem);
      expect(problems[0]).toMatch(/^model 1/);
    },
  );

  it('refuses a sha256, file name or id that two entries share', () => {
    const copy = structuredClone(raw);
    const [first, second] = copy.models as { id: string; files: Record<string, unknown>[] }[];
    second!.files[0]!.sha256 = first!.files[0]!.sha256;
    expect(manifestProblems(copy)).toEqual([
      `model 2 (${second!.id}): sha256 ${String(first!.files[0]!.sha256)} is already used by model 1 (${first!.id})`,
    ]);
    second!.id = first!.id;
    expect(manifestProblems(copy).some((p) => p.includes(`id ${first!.id} is already used`))).toBe(
      true,
    );
    expect(manifestProblems({ models: [] })).toEqual(['models must be a non-empty list']);
  });

  it("adds a site's own translation models from the data folder, checked as strictly as the manifest's", () => {
    const home = tempDir();
    expect(loadManifest(home).map((e) => e.id)).toEqual(raw.models.map((e) => e.id));

    listCopyModel(home);
    const site = loadManifest(home).find((e) => e.id === COPY_MODEL_ID)!;
    expect(site.languages).toEqual(['en', 'qtx']);
    // Its vocabulary is the Chinese model's, byte for byte: translation models may share files.
    expect(site.files[3]!.sha256).toBe(manifestEntry('opus-mt-zh-en').files[3]!.sha256);
    expect(manifestEntry(COPY_MODEL_ID, home).id).toBe(COPY_MODEL_ID);
    expect(() => manifestEntry(COPY_MODEL_ID)).toThrow(/no model "toex-copy-en-qtx"/);

    const path = siteManifestPath(home);
    const listed = JSON.parse(readFileSync(path, 'utf8')) as { models: Record<string, unknown>[] };
    const write = (models: unknown) => writeFileSync(path, JSON.stringify({ models }));
    write([{ ...listed.models[0], id: 'opus-mt-zh-en' }]);
    expect(() => loadManifest(home)).toThrow(
      /models\/site-manifest\.json is invalid: .*id opus-mt-zh-en is already used/,
    );
    write([{ ...listed.models[0], engine: 'whisper.cpp' }]);
    expect(() => loadManifest(home)).toThrow(/site-manifest\.json is invalid/);
    write([{ ...listed.models[0], languages: ['en'] }]);
    expect(() => loadManifest(home)).toThrow(
      /site model 1: only translation models \(ONNX, a language pair\) may be listed/,
    );
    writeFileSync(path, '{ not json');
    expect(() => loadManifest(home)).toThrow(
      "the data folder's models/site-manifest.json cannot be read as JSON",
    );
  });
});
