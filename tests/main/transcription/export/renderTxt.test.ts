import { describe, expect, it } from 'vitest';

import {
  TXT_LINES_PER_PAGE,
  TXT_PAGE_WIDTH,
  renderTxt,
} from '../../../../main/transcription/export/renderTxt.js';
import { SIGN_OFF, interviewDocument, segment } from '../../../helpers/transcriptDocument.js';

const SPEAKERS = ['Interviewer', 'Interviewee', 'Solicitor', 'Interpreter'];

/** Two hundred turns of several sentences each: enough for several pages. */
function longInterview() {
  return interviewDocument({
    segments: Array.from({ length: 200 }, (_, i) =>
      segment(
        i * 10_000,
        i * 10_000 + 8000,
        SPEAKERS[i % SPEAKERS.length]!,
        `Answer number ${i + 1}. I went to the address on Station Road and knocked on the ` +
          'door twice, but nobody came, so I waited in the car for twenty minutes.',
        { needsReview: i % 17 === 0 },
      ),
    ),
  });
}

describe('renderTxt', () => {
  it('lays a short interview out as one numbered page with the record header', () => {
    const doc = interviewDocument();

    expect(renderTxt(doc).toString('utf8')).toBe(
      [
        '                               OFFICIAL-SENSITIVE',
        'OP-ARCTIC/2026/0042  transcript 3 v2                                 Page 1 of 1',
        '                     DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '-'.repeat(80),
        ' 1  TRANSCRIPT OF RECORDING',
        ' 2',
        ' 3  Classification:   OFFICIAL-SENSITIVE',
        ' 4  Case:             OP-ARCTIC/2026/0042 — Northtown county lines',
        ' 5  Exhibit:          JS/1 (evidence 7)',
        ' 6  Original file:    interview-2026-11-30.wav',
        ' 7  File SHA-256:',
        ` 8    ${doc.exhibit.sha256}`,
        ' 9  Recording length: 00:01:35',
        '10  Language:         en',
        '11  Engine:           whisper.cpp 1.5.0',
        '12  Model:            ggml-base',
        '13  Model SHA-256:',
        `14    ${doc.transcript.modelSha256}`,
        '15  Transcript:       3, version 2, made 2026-11-30 10:40:00 UTC',
        '16  Exported:         by DC Jane Smith 1234 on 2026-12-04 17:06:22 UTC',
        '17  Status:           DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '18',
        '19  Marks: [?] the machine was unsure here: check against the audio',
        '20         [E] an officer edited this text or its speaker',
        '21',
        '22  00:00:00  Interviewer: This interview is being recorded. Please state your',
        '23            name.',
        '24  00:00:06  Interviewee: Marek Kowalski. Zażółć gęślą jaźń.',
        '25  00:00:09  [?] Interviewee: I was at the shop.',
        '26  00:00:12  [E] Interpreter: مرحبا، كيف حالك؟',
        '27  00:00:15  [E] Solicitor: No comment 😶',
        '28',
        '29  END OF TRANSCRIPT (5 turns)',
        '-'.repeat(80),
        '                               OFFICIAL-SENSITIVE',
        '',
      ].join('\n'),
    );
  });

  it('breaks a long transcript into pages of 50 numbered lines with header and footer', () => {
    const pages = renderTxt(longInterview()).toString('utf8').split('\f');

    expect(pages.length).toBe(13);
    pages.forEach((page, p) => {
      const lines = page.split('\n');
      expect(lines[0]).toBe('                               OFFICIAL-SENSITIVE');
      expect(lines[1]).toMatch(new RegExp(`^OP-ARCTIC/2026/0042 .* Page ${p + 1} of 13$`));
      expect(lines[2]).toBe('                     DRAFT — NOT CHECKED AGAINST THE AUDIO');
      expect(lines.slice(-3)).toEqual([
        '-'.repeat(80),
        '                               OFFICIAL-SENSITIVE',
        '',
      ]);

      const numbers = lines.slice(4, -3).map((l) => Number(l.slice(0, 2)));
      const expected = p < 12 ? TXT_LINES_PER_PAGE : numbers.length;
      expect(numbers).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      expect(lines.every((l) => Array.from(l).length <= TXT_PAGE_WIDTH)).toBe(true);
    });
  });

  it('wraps a turn under its speaker and carries it on across a page break', () => {
    const pages = renderTxt(longInterview()).toString('utf8').split('\f');

    expect(pages[0]!.split('\n').slice(-5, -3)).toEqual([
      '49  00:01:30  Interviewee: Answer number 10. I went to the address on Station',
      '50            Road and knocked on the door twice, but nobody came, so I waited',
    ]);
    expect(pages[1]!.split('\n').slice(4, 6)).toEqual([
      ' 1            in the car for twenty minutes.',
      ' 2  00:01:40  Solicitor: Answer number 11. I went to the address on Station Road',
    ]);
    expect(pages[0]!.split('\n')[4 + 21]).toBe(
      '22  00:00:00  [?] Interviewer: Answer number 1. I went to the address on Station',
    );
  });

  it('cuts a case reference too long for the page header, keeping the page number', () => {
    const doc = interviewDocument({ caseReference: `OP-${'LONG'.repeat(30)}` });

    const header = renderTxt(doc).toString('utf8').split('\n')[1]!;

    expect(header).toMatch(/^OP-(LONG)+L?O?N?…\s+Page 1 of 1$/);
    expect(Array.from(header)).toHaveLength(80);
  });

  it('names who signed off and the statement, and drops the draft line from every page', () => {
    const doc = interviewDocument({ signOff: SIGN_OFF });

    const txt = renderTxt(doc).toString('utf8');

    expect(txt).not.toContain('DRAFT');
    expect(txt).toContain(
      '17  Status:           CHECKED AGAINST THE AUDIO by DS Priya Kaur 5678 on\n' +
        '18                    2026-12-03 09:30:00 UTC\n' +
        '19  Statement:        I have checked this transcript against the audio recording\n' +
        '20                    and it is accurate.\n',
    );
    expect(txt.split('\n')[2]).toBe('-'.repeat(80));
  });

  it('says when exhibit reference or language are missing; no legend when unmarked', () => {
    const doc = interviewDocument({
      exhibit: { ...interviewDocument().exhibit, exhibitRef: null },
      transcript: { ...interviewDocument().transcript, language: null, version: 1 },
      segments: [segment(0, 1000, null, 'Hello?')],
    });

    const txt = renderTxt(doc).toString('utf8');

    expect(txt).toContain(' 5  Exhibit:          evidence 7\n');
    expect(txt).toContain('10  Language:         not detected\n');
    expect(txt).toContain(
      "15  Transcript:       3, version 1 (the machine's own text), made 2026-11-30\n" +
        '16                    10:40:00 UTC\n',
    );
    expect(txt).toContain('20  00:00:00  Unlabelled: Hello?\n');
    expect(txt).toContain('22  END OF TRANSCRIPT (1 turn)\n');
    expect(txt).not.toContain('Marks:');
  });
});
