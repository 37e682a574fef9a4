/**
 * The features the GE2E speaker encoder was trained on: a power mel
 * spectrogram (not log) of 16 kHz audio, 40 channels on the Slaney mel scale
 * with Slaney area normalisation, a 25 ms Hann window every 10 ms, frames
 * centred on their hop with the signal mirrored at both ends: librosa's
 * melspectrogram as Resemblyzer's audio.py calls it, with the "reflect"
 * padding that was librosa's default before 0.10, when the encoder was trained.
 */
export const MEL_SAMPLE_RATE = 16_000;
export const MEL_CHANNELS = 40;
export const N_FFT = 400;
export const HOP = 160;
const BINS = N_FFT / 2 + 1;

/** Slaney's mel scale: linear below 1 kHz, logarithmic above. */
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

export function melToHz(mel: number): number {
  return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

/** Triangular filters from 0 Hz to Nyquist, each scaled to unit area: [channel][bin]. */
export function melFilterbank(): Float64Array[] {
  const top = hzToMel(MEL_SAMPLE_RATE / 2);
  const edges = Array.from({ length: MEL_CHANNELS + 2 }, (_, i) =>
    melToHz((top * i) / (MEL_CHANNELS + 1)),
  );
  const binHz = Array.from({ length: BINS }, (_, k) => (k * MEL_SAMPLE_RATE) / N_FFT);
  return Array.from({ length: MEL_CHANNELS }, (_, m) => {
    const [lo, mid, hi] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    const area = 2 / (hi - lo);
    const row = new Float64Array(BINS);
    for (let k = 0; k < BINS; k += 1) {
      const rising = (binHz[k]! - lo) / (mid - lo);
      const falling = (hi - binHz[k]!) / (hi - mid);
      row[k] = Math.max(0, Math.min(rising, falling)) * area;
    }
    return row;
  });
}

const FILTERS = melFilterbank();
/** Periodic Hann window (scipy's get_window('hann', n), as librosa uses). */
const WINDOW = Float64Array.from(
  { length: N_FFT },
  (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT),
);
// A mixed-radix FFT for N_FFT = 400 = 2^4 * 5^2: twiddles W^k = e^(-2 pi i k / N_FFT).
const RADICES = [2, 2, 2, 2, 5, 5];
const W_RE = Float64Array.from({ length: N_FFT }, (_, k) => Math.cos((2 * Math.PI * k) / N_FFT));
const W_IM = Float64Array.from({ length: N_FFT }, (_, k) => -Math.sin((2 * Math.PI * k) / N_FFT));

/**
 * Decimation in time: the `n` inputs taken every `stride` from `from` are
 * split into `p` interleaved sub-sequences, each transformed into its own
 * block of `out`, and the blocks are combined in place, one output index k at
 * a time (the p values read for k are exactly the p values written for it).
 */
function fftInto(
  input: Float64Array,
  from: number,
  stride: number,
  n: number,
  outRe: Float64Array,
  outIm: Float64Array,
  at: number,
  level: number,
): void {
  if (n === 1) {
    outRe[at] = input[from]!;
    outIm[at] = 0;
    return;
  }
  const p = RADICES[level]!;
  const m = n / p;
  for (let q = 0; q < p; q += 1) {
    fftInto(input, from + q * stride, stride * p, m, outRe, outIm, at + q * m, level + 1);
  }
  const step = N_FFT / n;
  const tRe = new Float64Array(p);
  const tIm = new Float64Array(p);
  for (let k = 0; k < m; k += 1) {
    for (let q = 0; q < p; q += 1) {
      const w = (q * k * step) % N_FFT;
      const yr = outRe[at + q * m + k]!;
      const yi = outIm[at + q * m + k]!;
      tRe[q] = yr * W_RE[w]! - yi * W_IM[w]!;
      tIm[q] = yr * W_IM[w]! + yi * W_RE[w]!;
    }
    for (let r = 0; r < p; r += 1) {
      let re = 0;
      let im = 0;
      for (let q = 0; q < p; q += 1) {
        const w = (q * r * m * step) % N_FFT;
        re += tRe[q]! * W_RE[w]! - tIm[q]! * W_IM[w]!;
        im += tRe[q]! * W_IM[w]! + tIm[q]! * W_RE[w]!;
      }
      outRe[at + k + r * m] = re;
      outIm[at + k + r * m] = im;
    }
  }
}

/** The sample at `i` of the signal mirrored at both ends (numpy's "reflect" padding). */
function reflected(samples: Float32Array, i: number): number {
  const n = samples.length;
  if (n === 1) return samples[0]!;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return samples[j]!;
}

/** Frames of the power mel spectrogram, `1 + floor(n / HOP)` of them, each MEL_CHANNELS long. */
export function melSpectrogram(samples: Float32Array): Float32Array {
  const frames = 1 + Math.floor(samples.length / HOP);
  const out = new Float32Array(frames * MEL_CHANNELS);
  const frame = new Float64Array(N_FFT);
  const re = new Float64Array(N_FFT);
  const im = new Float64Array(N_FFT);
  const power = new Float64Array(BINS);
  for (let t = 0; t < frames; t += 1) {
    const start = t * HOP - N_FFT / 2;
    for (let n = 0; n < N_FFT; n += 1) {
      const i = start + n;
      const value = i >= 0 && i < samples.length ? samples[i]! : reflected(samples, i);
      frame[n] = value * WINDOW[n]!;
    }
    fftInto(frame, 0, 1, N_FFT, re, im, 0, 0);
    for (let k = 0; k < BINS; k += 1) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    for (let m = 0; m < MEL_CHANNELS; m += 1) {
      const filter = FILTERS[m]!;
      let sum = 0;
      for (let k = 0; k < BINS; k += 1) sum += filter[k]! * power[k]!;
      out[t * MEL_CHANNELS + m] = sum;
    }
  }
  return out;
}
