import { describe, expect, it } from 'vitest';

import { isToexError } from '../../../../main/errors.js';
import {
  JSON_FORMAT,
  parseTranscriptJson,
  renderJson,
} from '../../../../main/transcription/export/renderJson.js';
import { SIGN_OFF, interviewDocument, segment } from '../../../helpers/transcriptDocument.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isToexError(err, 'bad-input')) return err.message;
    throw err;
  }
  throw new Error('expected a bad-input refusal');
}

describe('renderJson', () => {
  it('writes the versioned schema with its parts in a fixed order and the draft status', () => {
    const json = JSON.parse(renderJson(interviewDocument()).toString('utf8'));

    expect(Object.keys(json)).toEqual([
      'format',
      'status',
      'classification',
      'case',
      'exhibit',
      'transcript',
      'signOff',
      'exportedBy',
      'exportedAt',
      'segments',
    ]);
    expect(json.format).toBe('toex-transcript/1');
    expect(json.status).toBe('draft');
    expect(json.signOff).toBeNull();
    expect(json.case).toEqual({
      reference: 'OP-ARCTIC/2026/0042',
      title: 'Northtown county lines',
    });
    expect(json.segments[3]).toEqual({
      startMs: 9000,
      endMs: 11_000,
      speaker: 'Interviewee',
      text: 'I was at the shop.',
      needsReview: true,
      edited: false,
      words: [
        { text: 'I', startMs: 9000, endMs: 9400, p: 0.9 },
        { text: 'was', startMs: 9400, endMs: 9800, p: 0.9 },
        { text: 'at', startMs: 9800, endMs: 10_200, p: 0.9 },
        { text: 'the', startMs: 10_200, endMs: 10_600, p: 0.9 },
        { text: 'shop.', startMs: 10_600, endMs: 11_000, p: 0.9 },
      ],
    });
  });

  it('says signed-off and carries who, when and the statement once signed', () => {
    const json = JSON.parse(renderJson(interviewDocument({ signOff: SIGN_OFF })).toString('utf8'));

    expect(json.status).toBe('signed-off');
    expect(json.signOff).toEqual(SIGN_OFF);
  });

  it('reads back into the very document it was made from', () => {
    const doc = interviewDocument({ signOff: SIGN_OFF });

    expect(parseTranscriptJson(renderJson(doc))).toEqual(doc);
  });

  it('keeps bidi controls in the data but writes them as escapes', () => {
    const doc = interviewDocument({
      segments: [segment(0, 1000, 'Interviewee', 'file\u202Egnp.exe and \u2066isolate\u2069')],
    });

    const raw = renderJson(doc).toString('utf8');

    expect(raw).toContain('"text": "file\\u202egnp.exe and \\u2066isolate\\u2069"');
    expect(raw).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(parseTranscriptJson(Buffer.from(raw)).segments[0]!.text).toBe(
      'file\u202Egnp.exe and \u2066isolate\u2069',
    );
  });

  it('refuses a file that is not a toex-transcript/1 export, saying why in one line', () => {
    expect(refusal(() => parseTranscriptJson(Buffer.from('{"format": ')))).toBe(
      'not a transcript export: the file is not valid JSON',
    );
    expect(refusal(() => parseTranscriptJson(Buffer.from('{"format": "srt"}')))).toBe(
      `not a transcript export: expected "format": "${JSON_FORMAT}"`,
    );
    expect(refusal(() => parseTranscriptJson(Buffer.from(`{"format": "${JSON_FORMAT}"}`)))).toBe(
      'transcript export is incomplete: a required part is missing',
    );
  });

  it('refuses a file whose fields do not hold, such as a segment ending before it starts', () => {
    const json = JSON.parse(renderJson(interviewDocument()).toString('utf8'));
    json.segments[1].endMs = 100;

    expect(refusal(() => parseTranscriptJson(Buffer.from(JSON.stringify(json))))).toBe(
      'transcript export is not valid: segment 2 ends before it starts',
    );
  });
});
