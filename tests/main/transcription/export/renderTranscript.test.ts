import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { isToexError } from '../../../../main/errors.js';
import { renderTranscript } from '../../../../main/transcription/export/renderTranscript.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type TranscriptDocument,
} from '../../../../main/transcription/export/TranscriptDocument.js';
import { SIGN_OFF, interviewDocument, segment } from '../../../helpers/transcriptDocument.js';

/** What a reader of each format sees as text: DOCX by its document and header parts. */
function visibleText(doc: TranscriptDocument, format: ExportFormat): string {
  const bytes = renderTranscript(doc, format);
  if (format !== 'docx') return bytes.toString('utf8');
  const parts = unzipSync(bytes);
  return ['word/document.xml', 'word/header1.xml'].map((n) => strFromU8(parts[n]!)).join('\n');
}

/** The same, with line wrapping undone, to look for words a cue may have wrapped. */
const unwrapped = (doc: TranscriptDocument, format: ExportFormat) =>
  visibleText(doc, format).replace(/\s+/g, ' ');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isToexError(err, 'bad-input')) return err.message;
    throw err;
  }
  throw new Error('expected a bad-input refusal');
}

const doc = interviewDocument();
const withSegment = (patch: object) =>
  interviewDocument({ segments: [{ ...segment(1000, 2000, 'Interviewer', 'Hello.'), ...patch }] });

describe('renderTranscript', () => {
  it('writes every format twice to the very same bytes', () => {
    for (const format of EXPORT_FORMATS) {
      const first = renderTranscript(doc, format);
      expect(first.length).toBeGreaterThan(500);
      expect(renderTranscript(structuredClone(doc), format).equals(first)).toBe(true);
    }
  });

  it('marks every format as a draft until signed off, and none once signed', () => {
    const signed = interviewDocument({ signOff: SIGN_OFF });
    for (const format of EXPORT_FORMATS) {
      expect(visibleText(doc, format)).toMatch(
        format === 'json' ? /"status": "draft"/ : /DRAFT — NOT CHECKED AGAINST THE AUDIO/,
      );
      expect(visibleText(signed, format)).not.toContain('DRAFT');
      expect(unwrapped(signed, format)).toContain('DS Priya Kaur 5678');
    }
  });

  it.each([
    [
      'an unknown format',
      doc,
      'pdf',
      'unknown export format "pdf" (use txt, srt, vtt, json, docx)',
    ],
    [
      'a segment ending before it starts',
      withSegment({ startMs: 5000, endMs: 4000 }),
      'txt',
      'cannot export the transcript: segment 1 ends before it starts',
    ],
    [
      'a negative time',
      withSegment({ startMs: -1 }),
      'srt',
      "cannot export the transcript: segment 1's start is not a time in milliseconds",
    ],
    [
      'a word probability over 1',
      withSegment({ words: [{ text: 'Hello.', startMs: 1000, endMs: 2000, p: 7 }] }),
      'json',
      'cannot export the transcript: word 1 of segment 1 has no probability between 0 and 1',
    ],
    [
      'a model hash that is not SHA-256',
      interviewDocument({ transcript: { ...doc.transcript, modelSha256: 'abc' } }),
      'docx',
      "cannot export the transcript: the model's hash is not a SHA-256 in hex",
    ],
    [
      'an export time that is not a time',
      interviewDocument({ exportedAt: 'yesterday' }),
      'docx',
      'cannot export the transcript: the export time is not a date and time',
    ],
    [
      'a classification above the accreditation',
      interviewDocument({ classification: 'SECRET' as never }),
      'vtt',
      'cannot export the transcript: the classification is not one this terminal may hold',
    ],
    [
      'a text that is not text',
      withSegment({ text: 42 }),
      'txt',
      "cannot export the transcript: segment 1's text is missing",
    ],
  ])('refuses %s with a one-line bad-input', (_, input, format, message) => {
    expect(refusal(() => renderTranscript(input, format as ExportFormat))).toBe(message);
  });

  it('strips control characters in every format, keeping tabs and newlines in JSON', () => {
    const dirty = interviewDocument({
      caseTitle: 'North\u0000town\u001b[31m',
      segments: [
        segment(0, 2000, 'Inter\u0007viewer', 'Bell\u0007 here\u0085,\ttab\r\nnext\u000c', {
          words: [],
        }),
      ],
    });

    for (const format of EXPORT_FORMATS) {
      const text = visibleText(dirty, format);
      // eslint-disable-next-line no-control-regex -- the controls are what is looked for
      expect(text.replace(/[\n\f]/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(unwrapped(dirty, format)).toContain('Interviewer');
      expect(unwrapped(dirty, format)).toMatch(/Bell here,\s?(\\t)?tab/);
      if (format !== 'srt') expect(text).toContain('Northtown[31m');
    }
    const json = JSON.parse(renderTranscript(dirty, 'json').toString('utf8'));
    expect(json.segments[0].speaker).toBe('Interviewer');
    expect(json.segments[0].text).toBe('Bell here,\ttab\nnext');
    expect(renderTranscript(dirty, 'txt').toString('utf8')).toContain(
      'Interviewer: Bell here, tab next\n',
    );
  });

  it('keeps Arabic, Polish and emoji intact in every format', () => {
    for (const format of EXPORT_FORMATS) {
      const text = unwrapped(doc, format);
      for (const words of ['مرحبا، كيف حالك؟', 'Zażółć gęślą jaźń.', 'No comment 😶']) {
        expect(text).toContain(words);
      }
    }
  });

  it('drops bidi overrides from what a reader sees, so a name cannot show reversed', () => {
    const spoofed = interviewDocument({
      exhibit: { ...doc.exhibit, originalName: 'interview\u202Evaw.exe' },
      segments: [segment(0, 1000, 'Interviewee', 'I said \u2067no\u2069 to him.')],
    });

    for (const format of ['txt', 'srt', 'vtt', 'docx'] as const) {
      expect(visibleText(spoofed, format)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    }
    expect(visibleText(spoofed, 'txt')).toContain('interviewvaw.exe');
    expect(visibleText(spoofed, 'txt')).toContain('Interviewee: I said no to him.');
    expect(visibleText(spoofed, 'json')).toContain('"originalName": "interview\\u202evaw.exe"');
  });

  it('writes a transcript with no words as a record that says so', () => {
    const empty = interviewDocument({ segments: [segment(0, 1000, 'Interviewer', ' ')] });

    expect(renderTranscript(empty, 'txt').toString('utf8')).toContain(
      '18\n19\n20  END OF TRANSCRIPT (0 turns)\n',
    );
    expect(renderTranscript(empty, 'srt').toString('utf8')).not.toContain('\n2\n');
    expect(renderTranscript(empty, 'vtt').toString('utf8')).not.toContain('\n2\n');
    const docx = strFromU8(unzipSync(renderTranscript(empty, 'docx'))['word/document.xml']!);
    expect(docx).toContain('END OF TRANSCRIPT (0 turns)');
    expect(JSON.parse(renderTranscript(empty, 'json').toString('utf8')).segments).toHaveLength(1);
  });

  it('refuses a missing sign-off field rather than taking it for a draft', () => {
    const unsigned: Partial<TranscriptDocument> = interviewDocument();
    delete unsigned.signOff;

    expect(refusal(() => renderTranscript(unsigned as TranscriptDocument, 'txt'))).toBe(
      'cannot export the transcript: the sign-off is not valid',
    );
  });

  it('puts segments in time order whatever order they came in', () => {
    const shuffled = interviewDocument({
      segments: [
        segment(5000, 6000, 'Interviewee', 'Second.'),
        segment(1000, 2000, 'Interviewer', 'First.'),
      ],
    });

    const json = JSON.parse(renderTranscript(shuffled, 'json').toString('utf8'));

    expect(json.segments.map((s: { text: string }) => s.text)).toEqual(['First.', 'Second.']);
    expect(renderTranscript(shuffled, 'srt').toString('utf8')).toMatch(
      /00:00:01,000 --> 00:00:02,000\nInterviewer: First\.\n\n3\n00:00:05,000/,
    );
  });
});
