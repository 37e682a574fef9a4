import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { renderSrt } from '../../../../main/transcription/export/renderSrt.js';
import {
  SIGN_OFF,
  interviewDocument,
  segment,
  timedWords,
} from '../../../helpers/transcriptDocument.js';
import { useTempDirs } from '../../../helpers/temp.js';

const LONG_ANSWER =
  'So on the night of the fifth I left the flat at about nine, walked down to the station ' +
  'with my cousin, and we waited there for the last train, which never came, so we got a ' +
  'taxi home instead.';

const TIMING = /^\d{2,}:\d{2}:\d{2},\d{3} --> \d{2,}:\d{2}:\d{2},\d{3}$/;

/** Cues as a strict reader sees them: blocks split at blank lines. */
function cues(srt: string) {
  return srt
    .trimEnd()
    .split('\n\n')
    .map((block) => {
      const [index, timing, ...text] = block.split('\n');
      return { index, timing, text };
    });
}

describe('renderSrt', () => {
  const tempDir = useTempDirs();

  it('writes the opening cue, then one cue per segment with its speaker and marks', () => {
    const doc = interviewDocument({
      segments: [
        segment(1500, 4200, 'Interviewer', 'Please state your name for the tape.'),
        segment(4800, 6250, 'Interviewee', 'Marek Kowalski.', { needsReview: true }),
      ],
    });

    expect(renderSrt(doc).toString('utf8')).toBe(
      [
        '1',
        '00:00:00,000 --> 00:00:05,000',
        'OFFICIAL-SENSITIVE',
        'OP-ARCTIC/2026/0042 · JS/1 (evidence 7)',
        'DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '[?] check against the audio · [E] edited',
        'by an officer',
        '',
        '2',
        '00:00:01,500 --> 00:00:04,200',
        'Interviewer: Please state your name for',
        'the tape.',
        '',
        '3',
        '00:00:04,800 --> 00:00:06,250',
        'Interviewee: [?] Marek Kowalski.',
        '',
      ].join('\n'),
    );
  });

  it('names the sign-off and statement in the opening cue, no legend when unmarked', () => {
    const doc = interviewDocument({
      signOff: SIGN_OFF,
      segments: [segment(1000, 2000, 'Interviewer', 'Thank you.')],
    });

    expect(cues(renderSrt(doc).toString('utf8'))[0]!.text).toEqual([
      'OFFICIAL-SENSITIVE',
      'OP-ARCTIC/2026/0042 · JS/1 (evidence 7)',
      'CHECKED AGAINST THE AUDIO by DS Priya Kaur',
      '5678 on 2026-12-03 09:30:00 UTC',
      '“I have checked this transcript against',
      'the audio recording and it is accurate.”',
    ]);
  });

  it('splits a long answer at clause ends, timed from the engine words', () => {
    const doc = interviewDocument({
      segments: [
        segment(61_000, 79_000, 'Interviewee', LONG_ANSWER, {
          words: timedWords(LONG_ANSWER, 61_000, 79_000),
        }),
      ],
    });

    const [, ...answer] = cues(renderSrt(doc).toString('utf8'));

    expect(answer.map((c) => c.timing)).toEqual([
      '00:01:01,000 --> 00:01:07,300',
      '00:01:07,300 --> 00:01:10,900',
      '00:01:10,900 --> 00:01:15,850',
      '00:01:15,850 --> 00:01:19,000',
    ]);
    expect(answer.map((c) => c.text.join(' '))).toEqual([
      'Interviewee: So on the night of the fifth I left the flat at about nine,',
      'Interviewee: walked down to the station with my cousin,',
      'Interviewee: and we waited there for the last train, which never came,',
      'Interviewee: so we got a taxi home instead.',
    ]);
    expect(answer.every((c) => c.text.length <= 2)).toBe(true);
  });

  it('shares the time out by characters when an edit left the engine words behind', () => {
    const doc = interviewDocument({
      segments: [
        segment(61_000, 79_000, 'Interviewee', LONG_ANSWER, {
          edited: true,
          words: timedWords('So on the night', 61_000, 63_000),
        }),
      ],
    });

    const [, ...answer] = cues(renderSrt(doc).toString('utf8'));

    expect(answer.map((c) => c.timing)).toEqual([
      '00:01:01,000 --> 00:01:06,654',
      '00:01:06,654 --> 00:01:10,707',
      '00:01:10,707 --> 00:01:16,173',
      '00:01:16,173 --> 00:01:19,000',
    ]);
    expect(answer[0]!.text[0]).toBe('Interviewee: [E] So on the night of the');
  });

  it('never lets evidence text end a cue early or pass for a timing line', () => {
    const doc = interviewDocument({
      segments: [
        segment(1000, 3000, 'Interviewer', 'First line.\n\n\nSecond line.'),
        segment(3000, 5000, 'Interviewee', '00:00:01,000 --> 00:00:02,000'),
        segment(5000, 6000, 'Solicitor --> Clerk', '--->'),
        segment(6000, 7000, 'Interviewer', '   '),
      ],
    });

    const parsed = cues(renderSrt(doc).toString('utf8'));

    expect(parsed.map((c) => c.index)).toEqual(['1', '2', '3', '4']);
    expect(parsed.every((c) => TIMING.test(c.timing!))).toBe(true);
    expect(parsed.flatMap((c) => c.text).filter((l) => l.includes('-->') || l === '')).toEqual([]);
    expect(parsed.slice(1).map((c) => c.text.join(' | '))).toEqual([
      'Interviewer: First line. Second line.',
      'Interviewee: 00:00:01,000 —> 00:00:02,000',
      'Solicitor —> Clerk: -—>',
    ]);
  });

  it('writes times past ten hours and keeps milliseconds exact', () => {
    const doc = interviewDocument({
      segments: [segment(36_000_001, 36_061_999, null, 'Still going.', { words: [] })],
    });

    expect(cues(renderSrt(doc).toString('utf8'))[1]).toEqual({
      index: '2',
      timing: '10:00:00,001 --> 10:01:01,999',
      text: ['Unlabelled: Still going.'],
    });
  });

  it('is read by a real subtitle parser (Debian ffmpeg) cue for cue, with the same times', () => {
    const doc = interviewDocument({
      segments: [
        segment(1500, 4200, 'Interviewer', 'Please state your name for the tape.'),
        segment(4800, 6250, 'Interviewee', 'Marek Kowalski. Zażółć gęślą jaźń.', { edited: true }),
        segment(3_600_250, 3_601_999, null, 'Still recording? 😶'),
      ],
    });
    const file = join(tempDir(), 'transcript.srt');
    writeFileSync(file, renderSrt(doc));

    const read = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'srt', '-'], {
      encoding: 'utf8',
    });

    expect(read.match(/^.* --> .*$/gm)).toEqual([
      '00:00:00,000 --> 00:00:05,000',
      '00:00:01,500 --> 00:00:04,200',
      '00:00:04,800 --> 00:00:06,250',
      '01:00:00,250 --> 01:00:01,999',
    ]);
    expect(read).toContain('Still recording? 😶');
  });
});
