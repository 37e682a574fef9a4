import { describe, expect, it } from 'vitest';

import { speakerTurns } from '../../../../main/transcription/export/speakerTurns.js';
import { segment } from '../../../helpers/transcriptDocument.js';

describe('speakerTurns', () => {
  it('joins consecutive segments of one speaker into one turn', () => {
    const turns = speakerTurns([
      segment(0, 2000, 'Interviewer', 'Right.'),
      segment(2500, 5000, 'Interviewer', 'Tell me about Friday.'),
      segment(5200, 9000, 'Interviewee', 'I was at work.'),
    ]);

    expect(turns.map((t) => [t.speaker, t.startMs, t.endMs, t.text, t.segmentCount])).toEqual([
      ['Interviewer', 0, 5000, 'Right. Tell me about Friday.', 2],
      ['Interviewee', 5200, 9000, 'I was at work.', 1],
    ]);
  });

  it('starts a new turn after a pause of more than three seconds', () => {
    const turns = speakerTurns([
      segment(0, 2000, 'Interviewer', 'One.'),
      segment(5000, 6000, 'Interviewer', 'Two.'),
      segment(9001, 10_000, 'Interviewer', 'Three.'),
    ]);

    expect(turns.map((t) => t.text)).toEqual(['One. Two.', 'Three.']);
  });

  it('cuts a turn at a minute so its time still points into the audio', () => {
    const turns = speakerTurns(
      Array.from({ length: 13 }, (_, i) =>
        segment(i * 5000, i * 5000 + 4000, 'Interviewee', `${i}`),
      ),
    );

    expect(turns.map((t) => [t.startMs, t.segmentCount])).toEqual([
      [0, 12],
      [60_000, 1],
    ]);
  });

  it('never joins marked and unmarked segments, so a mark covers only its own words', () => {
    const turns = speakerTurns([
      segment(0, 1000, 'Interviewee', 'Yes.'),
      segment(1000, 2000, 'Interviewee', 'Maybe.', { needsReview: true }),
      segment(2000, 3000, 'Interviewee', 'Perhaps.', { needsReview: true }),
      segment(3000, 4000, 'Interviewee', 'No.', { edited: true }),
    ]);

    expect(turns.map((t) => [t.text, t.needsReview, t.edited])).toEqual([
      ['Yes.', false, false],
      ['Maybe. Perhaps.', true, false],
      ['No.', false, true],
    ]);
  });

  it('skips segments with no words and treats unlabelled speech as one speaker', () => {
    const turns = speakerTurns([
      segment(0, 1000, null, 'Hello?'),
      segment(1000, 2000, null, ' \n '),
      segment(2000, 3000, null, 'Anyone?'),
    ]);

    expect(turns.map((t) => [t.speaker, t.text])).toEqual([[null, 'Hello? Anyone?']]);
  });
});
