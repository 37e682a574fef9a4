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

/**
 * Speech from espeak-ng, the Debian package, for tests that need words.
 * `voice` is an espeak-ng voice: Debian's Mandarin voice reads Chinese
 * characters badly, so Mandarin is given as pinyin to `cmn-latn-pinyin`.
 */
export function speechFile(dir: string, name: string, text: string, voice = 'en-gb'): string {
  const path = join(dir, name);
  execFileSync('espeak-ng', [
    '-v',
    voice,
    '-s',
    voice === 'en-gb' ? '150' : '130',
    '-w',
    path,
    text,
  ]);
  return path;
}

/** Speech from espeak-ng with real silence between the sentences, like an interview's pauses. */
export function interview(
  dir: string,
  sentences: string[],
  pauseSeconds: number,
  voice = 'en-gb',
): string {
  const parts = sentences.map((s, i) => speechFile(dir, `s${i}.wav`, s, voice));
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

/**
 * Music with no voice in it, made with sox: a bar of plucked chords on the
 * beat (C, A minor, F, G) or of a square-wave melody, repeated, or pink noise;
 * 16 kHz mono.
 */
export function musicFile(
  dir: string,
  name: string,
  kind: 'chords' | 'melody' | 'noise',
  seconds: number,
): string {
  const path = join(dir, name);
  const bar = join(dir, `${name}.bar.wav`);
  if (kind === 'noise') {
    execFileSync('sox', [
      '-n',
      '-r',
      '16000',
      '-c',
      '1',
      path,
      'synth',
      String(seconds),
      'pinknoise',
      'vol',
      '0.4',
    ]);
    return path;
  }
  const beats =
    kind === 'chords'
      ? [
          ['C3', 'E3', 'G3'],
          ['A2', 'C3', 'E3'],
          ['F2', 'A2', 'C3'],
          ['G2', 'B2', 'D3'],
        ].flatMap((chord) => [chord, chord])
      : ['C5', 'E5', 'G5', 'E5', 'A5', 'G5', 'E5', 'D5'].map((note) => [note]);
  const chains = beats.flatMap((notes, i) => [
    ...(i > 0 ? [':'] : []),
    'synth',
    '0.25',
    ...notes.flatMap((n) => [kind === 'chords' ? 'pluck' : 'square', n]),
    ...(kind === 'melody' ? ['fade', '0', '0.25', '0.1', 'vol', '0.3'] : []),
  ]);
  execFileSync('sox', ['-n', '-r', '16000', '-c', String(beats[0]!.length), bar, ...chains]);
  const repeats = Math.max(0, Math.ceil(seconds / 2) - 1);
  execFileSync('sox', [
    bar,
    '-c',
    '1',
    path,
    'repeat',
    String(repeats),
    'trim',
    '0',
    String(seconds),
  ]);
  return path;
}
