import { describe, expect, it } from 'vitest';

import type { SpeechClip } from '../../../workers/transcribe/SpeechDetector.js';
import type { EngineSegment } from '../../../workers/transcribe/WhisperEngine.js';
import { WindowPacker, toRecordingTimes } from '../../../workers/transcribe/WindowPacker.js';

/** A region whose every sample holds its own start time, so where it lands can be read back. */
function clip(startMs: number, endMs: number): SpeechClip {
  const samples = new Float32Array((endMs - startMs) * 16).fill(startMs);
  return { startMs, endMs, startSample: startMs * 16, endSample: endMs * 16, samples };
}

function pack(clips: SpeechClip[], packer = new WindowPacker()) {
  return [...clips.flatMap((c) => packer.add(c)), ...packer.end()];
}

const word = (text: string, startMs: number, endMs: number) => ({ text, startMs, endMs, p: 0.9 });

describe('WindowPacker', () => {
  it('lays neighbouring regions end to end with a second of silence between them, and after a short last one', () => {
    const [window, ...rest] = pack([clip(2000, 3500), clip(20_000, 22_000), clip(40_000, 41_000)]);

    expect(rest).toEqual([]);
    expect(window!.pieces).toEqual([
      { windowMs: 0, startMs: 2000, endMs: 3500 },
      { windowMs: 2500, startMs: 20_000, endMs: 22_000 },
      { windowMs: 5500, startMs: 40_000, endMs: 41_000 },
    ]);
    const s = window!.samples;
    expect(window!.contentMs).toBe(6500);
    expect(s.length).toBe(7500 * 16);
    expect([s[0], s[1500 * 16 - 1], s[1500 * 16], s[2500 * 16 - 1]]).toEqual([2000, 2000, 0, 0]);
    expect([s[2500 * 16], s[4500 * 16 - 1], s[5500 * 16], s[6500 * 16 - 1], s.at(-1)]).toEqual([
      20_000, 20_000, 40_000, 40_000, 0,
    ]);
  });

  it('never fills a window past 30 s, nor holds it open past a minute of recording', () => {
    const full = pack([clip(0, 14_000), clip(15_000, 29_000), clip(30_000, 32_000)]);
    expect(full.map((w) => w.pieces.map((p) => p.startMs))).toEqual([[0, 15_000], [30_000]]);
    for (const w of full) expect(w.samples.length).toBeLessThanOrEqual(30_000 * 16);

    const late = pack([clip(0, 1000), clip(59_000, 60_000), clip(61_000, 62_000)]);
    expect(late.map((w) => w.pieces.map((p) => p.startMs))).toEqual([[0, 59_000], [61_000]]);
  });

  it("maps segment and word times back to the recording's clock exactly", () => {
    const [window] = pack([clip(2000, 3500), clip(20_000, 22_000)]);
    const segments: EngineSegment[] = [
      {
        startMs: 0,
        endMs: 1400,
        text: 'Good morning.',
        avgLogprob: -0.2,
        words: [word('Good', 120, 600), word('morning.', 600, 1400)],
      },
      {
        startMs: 2500,
        endMs: 4300,
        text: 'My name is John.',
        avgLogprob: -0.3,
        words: [word('My', 2600, 2800), word('name', 2800, 3100), word('is John.', 3100, 4300)],
      },
    ];

    expect(toRecordingTimes(window!, segments)).toEqual([
      {
        startMs: 2000,
        endMs: 3400,
        text: 'Good morning.',
        avgLogprob: -0.2,
        words: [word('Good', 2120, 2600), word('morning.', 2600, 3400)],
      },
      {
        startMs: 20_000,
        endMs: 21_800,
        text: 'My name is John.',
        avgLogprob: -0.3,
        words: [
          word('My', 20_100, 20_300),
          word('name', 20_300, 20_600),
          word('is John.', 20_600, 21_800),
        ],
      },
    ]);
  });

  it('splits a segment that runs across the silence between two regions at its words', () => {
    const [window] = pack([clip(2000, 3500), clip(20_000, 22_000)]);
    const across: EngineSegment = {
      startMs: 100,
      endMs: 3900,
      text: 'Yes. Did you see him?',
      avgLogprob: -0.4,
      words: [
        word('Yes.', 300, 1200),
        word('Did', 2400, 2900),
        word('you', 2900, 3100),
        word('see', 3100, 3400),
        word('him?', 3400, 3900),
      ],
    };

    const out = toRecordingTimes(window!, [across]);

    expect(out.map((s) => [s.startMs, s.endMs, s.text])).toEqual([
      [2100, 3200, 'Yes.'],
      // "Did" starts in the gap before the second region: held at the region's start.
      [20_000, 21_400, 'Did you see him?'],
    ]);
    expect(out[1]!.words[0]).toEqual(word('Did', 20_000, 20_400));
    // Nothing lands in the pause the recording had between 3.5 s and 20 s.
    for (const s of out) {
      for (const t of [s.startMs, s.endMs, ...s.words.flatMap((w) => [w.startMs, w.endMs])]) {
        expect(t <= 3500 || t >= 20_000, `${t}`).toBe(true);
      }
    }
  });

  it('holds a time Whisper put past the audio inside the region it belongs to', () => {
    const [window] = pack([clip(5000, 6000)]);
    const [s] = toRecordingTimes(window!, [
      { startMs: 0, endMs: 1700, text: 'Yes.', avgLogprob: -0.1, words: [word('Yes.', 200, 1700)] },
    ]);
    expect(s).toMatchObject({
      startMs: 5000,
      endMs: 6000,
      words: [{ startMs: 5200, endMs: 6000 }],
    });
  });

  it('keeps the first word of an answer in the answer when whisper.cpp times it early', () => {
    // Real tiny.en output for "Yes." and "Did you see the man?" packed with a 1 s gap:
    // "Did" was timed at 4640 ms, inside the gap and nearer the "Yes." region.
    const [window] = pack([clip(0, 2348), clip(5108, 6156), clip(8916, 10_700)]);
    const out = toRecordingTimes(window!, [
      {
        startMs: 2000,
        endMs: 4100,
        text: 'Yes.',
        avgLogprob: -0.3,
        words: [word('Yes.', 2000, 4100)],
      },
      {
        startMs: 4100,
        endMs: 6800,
        text: 'Did you see the man?',
        avgLogprob: -0.3,
        words: [
          word('Did', 4640, 4640),
          word('you', 4640, 5180),
          word('see', 5670, 5720),
          word('the', 5720, 6250),
          word('man?', 6270, 6800),
        ],
      },
    ]);
    expect(out.map((s) => [s.startMs, s.endMs, s.text])).toEqual([
      [5108, 5860, 'Yes.'],
      [8916, 10_320, 'Did you see the man?'],
    ]);
  });

  it('drops text heard only in the silence after the last region', () => {
    const [window] = pack([clip(5000, 7000)]);
    const out = toRecordingTimes(window!, [
      { startMs: 0, endMs: 1800, text: 'No.', avgLogprob: -0.2, words: [word('No.', 100, 1800)] },
      {
        startMs: 1800,
        endMs: 4000,
        text: 'Board on.',
        avgLogprob: -1.4,
        words: [word('Board', 2600, 2600), word('on.', 2600, 2600)],
      },
    ]);
    expect(out.map((s) => s.text)).toEqual(['No.']);

    // Real tiny.en output for a LibriVox clip whose speech ends at 7020 ms.
    const [clipWindow] = pack([clip(52, 7072)]);
    const stock = toRecordingTimes(clipWindow!, [
      {
        startMs: 7000,
        endMs: 12_280,
        text: 'subscribe to our channel',
        avgLogprob: -0.9,
        words: [word('subscribe', 7000, 7020), word('to', 8010, 8010), word('our', 8010, 8010)],
      },
    ]);
    expect(stock).toEqual([]);
  });
});
