import { readFileSync } from 'node:fs';

/**
 * Samples of a 16 kHz mono 16-bit PCM WAV file as floats in [-1, 1), the
 * form whisper.cpp's API takes. The bench makes every input in this format,
 * so anything else is refused rather than converted.
 */
export function readPcm16kMono(path: string): Float32Array {
  const file = readFileSync(path);
  if (file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error(`${path} is not a WAV file`);
  }

  let offset = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        channels: file.readUInt16LE(body + 2),
        rate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format || format.channels !== 1 || format.rate !== 16_000 || format.bits !== 16) {
        throw new Error(`${path} is not 16 kHz mono 16-bit PCM`);
      }
      const count = Math.floor(Math.min(size, file.length - body) / 2);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) samples[i] = file.readInt16LE(body + i * 2) / 32_768;
      return samples;
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path} has no data chunk`);
}
