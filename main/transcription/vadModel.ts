import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError } from '../errors.js';
import { installRoot } from '../installRoot.js';
import { loadManifest, sha256OfFile } from '../../models/modelManifest.js';

/** The speech detector that decides which parts of a recording Whisper hears. */
export interface VadModel {
  path: string;
  id: string;
  sha256: string;
}

/** The manifest's entry for the speech detector. */
export const VAD_MODEL_ID = 'silero-vad-5';

/**
 * Finds Silero VAD where models/vad/provision put it (or at TOEX_VAD_MODEL)
 * and checks it against the manifest. A missing or altered file fails the
 * job: transcribing without the detector would hand Whisper music and noise
 * to invent text over, so there is no quiet fallback to loudness.
 */
export async function vadModel(): Promise<VadModel> {
  const entry = loadManifest().find((e) => e.id === VAD_MODEL_ID);
  const file = entry?.files[0];
  if (!entry || !file) {
    throw new ToexError('internal', 'the model manifest names no speech detector');
  }
  const path =
    process.env.TOEX_VAD_MODEL ?? join(installRoot(), 'dist', 'model-weights', file.name);
  if (!existsSync(path)) {
    throw new ToexError(
      'engine',
      `the speech detector model (${entry.id}) is not installed; run bin/setup`,
    );
  }
  if ((await sha256OfFile(path)) !== file.sha256) {
    throw new ToexError(
      'engine',
      `the speech detector model file is not the ${entry.id} the manifest names; run bin/setup to reinstall it`,
    );
  }
  return { path, id: entry.id, sha256: file.sha256 };
}
