import { spawn } from 'node:child_process';

import { ToexError } from '../../main/errors.js';
import { SAMPLE_RATE } from './WhisperEngine.js';

/**
 * Decodes the first audio stream to 16 kHz mono float samples, from
 * `startMs` on, as a stream: a recording of any length passes through in
 * constant memory. `channel` (1, 2...) takes that channel alone instead of
 * mixing them down. Ends with an error if ffmpeg fails part-way.
 */
export async function* decodeAudio(
  path: string,
  options: { startMs?: number; channel?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Float32Array> {
  const args = ['-nostdin', '-v', 'error'];
  if (options.startMs) args.push('-ss', (options.startMs / 1000).toFixed(3));
  args.push(
    '-i',
    path,
    '-map',
    '0:a:0',
    ...(options.channel ? ['-af', `pan=mono|c0=c${options.channel - 1}`] : ['-ac', '1']),
    '-ar',
    String(SAMPLE_RATE),
    '-f',
    'f32le',
    'pipe:1',
  );
  const ffmpeg = spawn('ffmpeg', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let errorText = '';
  ffmpeg.stderr.on(
    'data',
    (d: Buffer) => (errorText = (errorText + d.toString('utf8')).slice(-4000)),
  );
  const exited = new Promise<number | null>((resolve) => ffmpeg.on('close', resolve));
  ffmpeg.on('error', () => {});

  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of ffmpeg.stdout as AsyncIterable<Buffer>) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 4);
    carry = bytes.subarray(whole);
    if (whole === 0) continue;
    const copy = new Float32Array(whole / 4);
    Buffer.from(copy.buffer).set(bytes.subarray(0, whole));
    yield copy;
  }
  const code = await exited;
  if (options.signal?.aborted) throw new ToexError('cancelled', 'cancelled');
  // With -v error ffmpeg writes only errors, and it can write them and still
  // exit 0 on a file cut short ("partial file"): either way the recording is damaged.
  if (code !== 0 || errorText.trim() !== '') {
    // ffmpeg's own words name the input path; only whether it was damage is passed on.
    const damaged = /invalid data|error while decoding|truncat|corrupt/i.test(errorText);
    throw new ToexError(
      'bad-input',
      damaged || code === 0
        ? 'the recording is damaged: decoding stopped part-way'
        : `ffmpeg could not decode the recording (exit code ${code})`,
    );
  }
}
