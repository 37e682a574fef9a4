import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError, fromFsError } from '../main/errors.js';
import { installRoot } from '../main/installRoot.js';

export interface ModelFile {
  name: string;
  size: number;
  sha256: string;
  /** The SHA-1 whisper.cpp publishes, where there is one. */
  sha1?: string;
  /** The SHA-256 of the file it was converted from, where it was converted. */
  sourceSha256?: string;
}

export interface ModelEntry {
  id: string;
  engine: 'whisper.cpp' | 'onnxruntime';
  languages: string[];
  licence: string;
  files: ModelFile[];
  /** Where the file can be had, and how it was checked against the original. */
  source: string;
}

export function loadManifest(): ModelEntry[] {
  const path = join(installRoot(), 'models', 'manifest.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { models: ModelEntry[] }).models;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  } catch (err) {
    throw fromFsError(err, 'reading the model file');
  }
  return hash.digest('hex');
}

/**
 * Names a model file by its SHA-256 against the manifest. A file the manifest
 * does not know (altered, truncated, or simply another model) is refused
 * before any engine loads it.
 */
export async function identifyModel(path: string): Promise<{ entry: ModelEntry; file: ModelFile }> {
  const sha256 = await sha256OfFile(path);
  for (const entry of loadManifest()) {
    const file = entry.files.find((f) => f.sha256 === sha256);
    if (file) return { entry, file };
  }
  throw new ToexError(
    'bad-input',
    `the model file matches no model in the manifest (sha256 ${sha256}); it was not used`,
  );
}
