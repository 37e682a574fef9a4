import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { renderDocx } from '../../../../main/transcription/export/renderDocx.js';
import type { TranscriptDocument } from '../../../../main/transcription/export/TranscriptDocument.js';
import { useTempDirs } from '../../../helpers/temp.js';
import { SIGN_OFF, interviewDocument, segment } from '../../../helpers/transcriptDocument.js';

// Debian's python3-docx lives with Debian's python; bin/test installs it.
const PYTHON = '/usr/bin/python3';
const READER = join(import.meta.dirname, '../../../helpers/readDocx.py');

interface DocxReading {
  parts: string[];
  times: string[];
  paragraphs: [string, string][];
  table: string[][];
  header: string[];
  footer: string[];
  page: [number, number];
  core: [string, string, string];
}

describe('renderDocx', () => {
  const tempDir = useTempDirs();

  function read(doc: TranscriptDocument): DocxReading {
    const file = join(tempDir(), 'transcript.docx');
    writeFileSync(file, renderDocx(doc));
    const reader = spawnSync(PYTHON, [READER, file], { encoding: 'utf8' });
    expect(reader.stderr).toBe('');
    return JSON.parse(reader.stdout) as DocxReading;
  }

  function part(doc: TranscriptDocument, name: string): string {
    return strFromU8(unzipSync(renderDocx(doc))[name]!);
  }

  it('holds every required part, each well-formed XML, stamped with the export time', () => {
    const reading = read(interviewDocument());

    expect(reading.parts).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'docProps/core.xml',
      'docProps/app.xml',
      'word/document.xml',
      'word/_rels/document.xml.rels',
      'word/styles.xml',
      'word/settings.xml',
      'word/header1.xml',
      'word/footer1.xml',
    ]);
    expect(reading.times).toEqual(['2026-12-04 17:06:22']);
    expect(reading.page).toEqual([210, 297]);
    expect(reading.core).toEqual([
      'TRANSCRIPT OF RECORDING: OP-ARCTIC/2026/0042, JS/1 (evidence 7)',
      'DC Jane Smith 1234',
      '2026-12-04T17:06:22',
    ]);
  });

  it('reads as an interview record: draft banner, header table, marked turns', () => {
    const doc = interviewDocument();
    const reading = read(doc);

    expect(reading.header).toEqual([
      'OFFICIAL-SENSITIVE',
      'OP-ARCTIC/2026/0042 · JS/1 (evidence 7) · transcript 3 v2',
      'DRAFT — NOT CHECKED AGAINST THE AUDIO',
    ]);
    expect(reading.footer).toEqual(['Page 1 of 1', 'OFFICIAL-SENSITIVE']);
    expect(reading.table.map((row) => row[0])).toEqual([
      'Classification',
      'Case',
      'Exhibit',
      'Original file',
      'File SHA-256',
      'Recording length',
      'Language',
      'Engine',
      'Model',
      'Model SHA-256',
      'Transcript',
      'Exported',
      'Status',
    ]);
    expect(reading.table[4]).toEqual(['File SHA-256', doc.exhibit.sha256]);
    expect(reading.table[9]).toEqual(['Model SHA-256', doc.transcript.modelSha256]);
    expect(reading.paragraphs).toEqual([
      ['Title', 'TRANSCRIPT OF RECORDING'],
      ['Normal', ''],
      ['Normal', 'Marks: [?] the machine was unsure here: check against the audio'],
      ['Normal', 'Marks: [E] an officer edited this text or its speaker'],
      ['Normal', ''],
      ['Turn', '00:00:00\tInterviewer: This interview is being recorded. Please state your name.'],
      ['Turn', '00:00:06\tInterviewee: Marek Kowalski. Zażółć gęślą jaźń.'],
      ['Turn', '00:00:09\t[?] Interviewee: I was at the shop.'],
      ['Turn', '00:00:12\t[E] Interpreter: مرحبا، كيف حالك؟'],
      ['Turn', '00:00:15\t[E] Solicitor: No comment 😶'],
      ['Normal', 'END OF TRANSCRIPT (5 turns)'],
    ]);
  });

  it('numbers lines restarting each page and counts pages with PAGE and NUMPAGES fields', () => {
    const doc = interviewDocument();

    expect(part(doc, 'word/document.xml')).toContain(
      '<w:lnNumType w:countBy="1" w:distance="284" w:restart="newPage"/></w:sectPr>',
    );
    const footer = part(doc, 'word/footer1.xml');
    expect(footer).toContain('<w:instrText xml:space="preserve"> PAGE </w:instrText>');
    expect(footer).toContain('<w:instrText xml:space="preserve"> NUMPAGES </w:instrText>');
    expect(footer.match(/w:fldCharType="(begin|separate|end)"/g)).toHaveLength(6);
  });

  it('highlights words to review, sets hashes in a fixed face and lays Arabic out right to left', () => {
    const doc = interviewDocument();
    const xml = part(doc, 'word/document.xml');

    expect(xml).toContain(
      '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>' +
        `<w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr><w:t xml:space="preserve">${doc.exhibit.sha256}`,
    );
    expect(xml).toContain(
      '<w:r><w:rPr><w:highlight w:val="yellow"/></w:rPr>' +
        '<w:t xml:space="preserve">I was at the shop.</w:t></w:r>',
    );
    expect(xml).toContain(
      '<w:r><w:rPr><w:rtl/></w:rPr><w:t xml:space="preserve">مرحبا، كيف حالك؟</w:t></w:r>',
    );
  });

  it('cuts a turn into runs where the writing direction changes between words', () => {
    const doc = interviewDocument({
      segments: [segment(0, 1000, 'Interpreter', 'قال Marek Kowalski 2024 في المحطة.')],
    });

    const turn = part(doc, 'word/document.xml').match(
      /<w:p><w:pPr><w:pStyle w:val="Turn"\/>.*?<\/w:p>/,
    )!;

    expect(turn[0]).toContain(
      '<w:r><w:rPr><w:rtl/></w:rPr><w:t xml:space="preserve">قال </w:t></w:r>' +
        '<w:r><w:t xml:space="preserve">Marek Kowalski 2024 </w:t></w:r>' +
        '<w:r><w:rPr><w:rtl/></w:rPr><w:t xml:space="preserve">في المحطة.</w:t></w:r>',
    );
    expect(read(doc).paragraphs[2]).toEqual([
      'Turn',
      '00:00:00\tInterpreter: قال Marek Kowalski 2024 في المحطة.',
    ]);
  });

  it('escapes XML in evidence text and reads it back unchanged', () => {
    const doc = interviewDocument({
      caseTitle: 'Smith & "Jones" <Ltd>',
      segments: [segment(0, 1000, 'Interviewer', "It's <b>not</b> a tag & ]]> neither")],
    });

    const reading = read(doc);

    expect(reading.table[1]).toEqual(['Case', 'OP-ARCTIC/2026/0042 — Smith & "Jones" <Ltd>']);
    expect(reading.paragraphs[2]).toEqual([
      'Turn',
      "00:00:00\tInterviewer: It's <b>not</b> a tag & ]]> neither",
    ]);
  });

  it('drops the draft banner once signed off and says who, when and what was stated', () => {
    const reading = read(interviewDocument({ signOff: SIGN_OFF }));

    expect(reading.header).toEqual([
      'OFFICIAL-SENSITIVE',
      'OP-ARCTIC/2026/0042 · JS/1 (evidence 7) · transcript 3 v2',
    ]);
    expect(reading.paragraphs.flat().join('\n')).not.toContain('DRAFT');
    expect(reading.table.slice(-2)).toEqual([
      ['Status', 'CHECKED AGAINST THE AUDIO by DS Priya Kaur 5678 on 2026-12-03 09:30:00 UTC'],
      ['Statement', SIGN_OFF.statement],
    ]);
  });

  it('writes the same bytes in any time zone', () => {
    const zone = process.env.TZ;
    const doc = interviewDocument();
    try {
      process.env.TZ = 'UTC';
      const utc = renderDocx(doc);
      process.env.TZ = 'Pacific/Auckland';
      const auckland = renderDocx(doc);

      expect(auckland.equals(utc)).toBe(true);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
