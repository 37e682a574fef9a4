import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Makes a recording with ffmpeg's own tone generator: real files in each container and codec. */
export function toneFile(
  dir: string,
  name: string,
  options: { seconds: number; rate?: number; channels?: number; codec?: string[] },
): string {
  const path = join(dir, name);
  const channels = options.channels ?? 1;
  const sources = Array.from({ length: channels }, (_, i) => [
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${220 * (i + 1)}:sample_rate=${options.rate ?? 44_100}:duration=${options.seconds}`,
  ]).flat();
  const merge =
    channels > 1
      ? [
          '-filter_complex',
          `${Array.from({ length: channels }, (_, i) => `[${i}:a]`).join('')}amerge=inputs=${channels}`,
        ]
      : [];
  execFileSync('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    ...sources,
    ...merge,
    ...(options.codec ?? []),
    '-y',
    path,
  ]);
  return path;
}

/** AMR narrowband as a phone records it: Debian's ffmpeg decodes AMR but cannot encode it; sox can. */
export function amrFile(dir: string, name: string, seconds: number): string {
  const path = join(dir, name);
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-t',
    'amr-nb',
    path,
    'synth',
    String(seconds),
    'sine',
    '300',
  ]);
  return path;
}

/** Speech from espeak-ng, the Debian package, for tests that need words. */
export function speechFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  execFileSync('espeak-ng', ['-v', 'en-gb', '-s', '150', '-w', path, text]);
  return path;
}

/** Speech from espeak-ng with real silence between the sentences, like an interview's pauses. */
export function interview(dir: string, sentences: string[], pauseSeconds: number): string {
  const parts = sentences.map((s, i) => speechFile(dir, `s${i}.wav`, s));
  const out = join(dir, 'interview.wav');
  const pad = ['pad', '0', String(pauseSeconds)];
  const padded = parts.map((p, i) => {
    const q = join(dir, `p${i}.wav`);
    execFileSync('sox', [p, '-r', '16000', q, ...pad]);
    return q;
  });
  execFileSync('sox', [...padded, out]);
  return out;
}
