import { describe, expect, it } from 'vitest';

import {
  MEL_CHANNELS,
  hzToMel,
  melFilterbank,
  melSpectrogram,
  melToHz,
} from '../../../workers/speakers/melSpectrogram.js';

/** Three tones (440, 1700 and 5200 Hz) for a quarter of a second at 16 kHz. */
function tones(): Float32Array {
  return Float32Array.from(
    { length: 4000 },
    (_, n) =>
      0.3 * Math.sin((2 * Math.PI * 440 * n) / 16_000) +
      0.2 * Math.sin((2 * Math.PI * 1700 * n) / 16_000 + 0.5) +
      0.05 * Math.sin((2 * Math.PI * 5200 * n) / 16_000),
  );
}

// Values from librosa 0.10.2: feature.melspectrogram(y=tones, sr=16000, n_fft=400,
// hop_length=160, n_mels=40, pad_mode='reflect') and filters.mel(sr=16000, n_fft=400, n_mels=40).
const LIBROSA_MEL: [frame: number, channel: number, value: number][] = [
  [0, 4, 5.998926162719727],
  [0, 5, 4.564103126525879],
  [0, 3, 1.4475634098052979],
  [12, 5, 14.787947654724121],
  [12, 20, 2.590315341949463],
  [12, 19, 2.058955192565918],
  [25, 4, 6.7051005363464355],
  [25, 30, 0.0018542527686804533],
];
const LIBROSA_FILTERS: [channel: number, bin: number, value: number][] = [
  [0, 1, 0.007390209473669529],
  [0, 2, 0.012404520995914936],
  [7, 15, 0.011479087173938751],
  [19, 41, 0.007215872406959534],
  [39, 185, 0.0017249403754249215],
  [39, 190, 0.0012151539558544755],
  [5, 9, 0],
  [39, 200, 0],
];

describe('melSpectrogram', () => {
  it("uses Slaney's mel scale: linear to 1 kHz, logarithmic above, and back again", () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 10);
    expect(hzToMel(500)).toBeCloseTo(7.5, 10);
    expect(hzToMel(8000)).toBeCloseTo(15 + (27 * Math.log(8)) / Math.log(6.4), 10);
    for (const hz of [0, 130, 999, 1000, 2500, 8000]) {
      expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 6);
    }
  });

  it.each(LIBROSA_FILTERS)("matches librosa's filterbank at channel %i, bin %i", (c, k, v) => {
    expect(melFilterbank()[c]![k]!).toBeCloseTo(v, 9);
  });

  it('gives one frame per hop plus one, centred, with 40 channels each', () => {
    expect(melSpectrogram(tones()).length).toBe(26 * MEL_CHANNELS);
    expect(melSpectrogram(new Float32Array(16_000)).length).toBe(101 * MEL_CHANNELS);
  });

  it.each(LIBROSA_MEL)(
    "matches librosa's power mel spectrogram at frame %i, channel %i",
    (t, c, v) => {
      const got = melSpectrogram(tones())[t * MEL_CHANNELS + c]!;
      expect(Math.abs(got - v) / v).toBeLessThan(1e-5);
    },
  );

  it('is silent for silence and four times the power for twice the amplitude', () => {
    expect(melSpectrogram(new Float32Array(800)).every((v) => v === 0)).toBe(true);
    const once = melSpectrogram(tones());
    const twice = melSpectrogram(tones().map((s) => 2 * s));
    expect(twice[12 * MEL_CHANNELS + 5]! / once[12 * MEL_CHANNELS + 5]!).toBeCloseTo(4, 5);
  });
});
