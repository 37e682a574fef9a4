import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { renderVtt } from '../../../../main/transcription/export/renderVtt.js';
import { SIGN_OFF, interviewDocument, segment } from '../../../helpers/transcriptDocument.js';
import { useTempDirs } from '../../../helpers/temp.js';

describe('renderVtt', () => {
  const tempDir = useTempDirs();

  it('writes the record header as NOTEs, a visible draft cue, and voice-tagged cues', () => {
    const doc = interviewDocument({
      segments: [
        segment(1500, 4200, 'Interviewer', 'Please state your name for the tape.'),
        segment(4800, 6250, 'Interviewee', 'Marek Kowalski.', { edited: true }),
      ],
    });

    expect(renderVtt(doc).toString('utf8')).toBe(
      [
        'WEBVTT',
        '',
        'NOTE DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '',
        'NOTE',
        'Classification: OFFICIAL-SENSITIVE',
        'Case: OP-ARCTIC/2026/0042 — Northtown county lines',
        'Exhibit: JS/1 (evidence 7)',
        'Original file: interview-2026-11-30.wav',
        `File SHA-256: ${doc.exhibit.sha256}`,
        'Recording length: 00:01:35',
        'Language: en',
        'Engine: whisper.cpp 1.5.0',
        'Model: ggml-base',
        `Model SHA-256: ${doc.transcript.modelSha256}`,
        'Transcript: 3, version 2, made 2026-11-30 10:40:00 UTC',
        'Exported: by DC Jane Smith 1234 on 2026-12-04 17:06:22 UTC',
        'Status: DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '',
        'NOTE Marks',
        '[?] the machine was unsure here: check against the audio',
        '[E] an officer edited this text or its speaker',
        '',
        '1',
        '00:00:00.000 --> 00:00:05.000',
        'OFFICIAL-SENSITIVE',
        'OP-ARCTIC/2026/0042 · JS/1 (evidence 7)',
        'DRAFT — NOT CHECKED AGAINST THE AUDIO',
        '[?] check against the audio · [E] edited',
        'by an officer',
        '',
        '2',
        '00:00:01.500 --> 00:00:04.200',
        '<v Interviewer>Please state your name for the tape.',
        '',
        '3',
        '00:00:04.800 --> 00:00:06.250',
        '<v Interviewee>[E] Marek Kowalski.',
        '',
      ].join('\n'),
    );
  });

  it('escapes &, < and > in cue text and voice names: no arrow or tag from evidence', () => {
    const doc = interviewDocument({
      segments: [segment(1000, 2000, 'Smith & <Jones>', 'A & B <i>not a tag</i> --> 00:00:09.000')],
    });

    const cue = renderVtt(doc).toString('utf8').trimEnd().split('\n\n').at(-1)!;

    expect(cue.split('\n')).toEqual([
      '2',
      '00:00:01.000 --> 00:00:02.000',
      '<v Smith &amp; &lt;Jones&gt;>A &amp; B &lt;i&gt;not a tag&lt;/i&gt; --&gt; 00:00:09.000',
    ]);
  });

  it('leaves the voice tag off a segment nobody labelled', () => {
    const doc = interviewDocument({ segments: [segment(1000, 2000, null, 'Hello?')] });

    expect(renderVtt(doc).toString('utf8').trimEnd().split('\n').at(-1)).toBe('Hello?');
  });

  it('says who signed off, when, and the statement, instead of the draft notice', () => {
    const doc = interviewDocument({
      signOff: SIGN_OFF,
      segments: [segment(1000, 2000, 'Interviewer', 'Thank you.')],
    });

    const vtt = renderVtt(doc).toString('utf8');

    expect(vtt).not.toContain('DRAFT');
    expect(vtt).toContain(
      'NOTE CHECKED AGAINST THE AUDIO by DS Priya Kaur 5678 on 2026-12-03 09:30:00 UTC\n',
    );
    expect(vtt).toContain(`\nStatement: ${SIGN_OFF.statement}\n`);
    expect(vtt).not.toContain('NOTE Marks');
  });

  it('keeps an arrow in a case title out of the NOTE it would end', () => {
    const doc = interviewDocument({ caseTitle: 'Alpha --> Beta' });

    const notes = renderVtt(doc).toString('utf8').split('\n\n1\n')[0]!;

    expect(notes).toContain('Case: OP-ARCTIC/2026/0042 — Alpha —> Beta');
    expect(notes).not.toContain('-->');
  });

  it('is read by a real subtitle parser (Debian ffmpeg) cue for cue, with the same times', () => {
    const doc = interviewDocument({
      segments: [
        segment(1500, 4200, 'Interviewer', 'Please state your name for the tape.'),
        segment(4800, 6250, 'Interviewee', 'Marek Kowalski. Zażółć gęślą jaźń.', { edited: true }),
        segment(3_600_250, 3_601_999, null, 'Still recording? 😶'),
      ],
    });
    const file = join(tempDir(), 'transcript.vtt');
    writeFileSync(file, renderVtt(doc));

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
