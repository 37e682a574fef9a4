import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { ToexError } from '../errors.js';

const run = promisify(execFile);

export interface AudioInfo {
  durationMs: number;
  channels: number;
  codec: string;
}

/**
 * What ffprobe says of a file's first audio stream. A file ffmpeg cannot
 * read, or one with no audio stream, is refused here, before any job work.
 */
export async function probeAudio(path: string): Promise<AudioInfo> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'a:0',
        '-show_entries',
        'stream=codec_name,channels,duration:format=duration',
        '-of',
        'json',
        path,
      ],
      { maxBuffer: 1 << 20 },
    ));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToexError('internal', 'ffprobe is not installed (run bin/setup)');
    }
    throw new ToexError(
      'bad-input',
      'the file cannot be read as audio (damaged, empty, or not a recording)',
    );
  }
  const info = JSON.parse(stdout) as {
    streams?: { codec_name?: string; channels?: number; duration?: string }[];
    format?: { duration?: string };
  };
  const stream = info.streams?.[0];
  if (!stream) throw new ToexError('bad-input', 'the file holds no audio stream (not a recording)');
  const seconds = Number(stream.duration ?? info.format?.duration ?? NaN);
  return {
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    channels: stream.channels ?? 1,
    codec: stream.codec_name ?? 'unknown',
  };
}
