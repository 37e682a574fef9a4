import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderTranslationDocx } from '../../../main/translation/export/renderTranslationDocx.js';
import { renderTranslationXlsx } from '../../../main/translation/export/renderTranslationXlsx.js';
import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { useTempDirs } from '../../helpers/temp.js';

// Debian's python3-docx and python3-openpyxl live with Debian's python; bin/test installs them.
const PYTHON = '/usr/bin/python3';
const HELPERS = join(import.meta.dirname, '..', '..', 'helpers');
const REF = 'OP-ARCTIC/2026/0042';
const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const BODIES = ['明天我去火车站', '=HYPERLINK("http://example.org") 钱已经转到你账户了'];

/** A table of one translation, for the renderers alone. */
function oneRow(original: string, status = 'machine translation (opus-mt-zh-en)') {
  return {
    caseReference: REF,
    classification: 'OFFICIAL',
    exportedAt: '2026-01-01T00:00:00.000Z',
    exportedBy: 'DC Test 0001',
    of: 'messages' as const,
    about: 'Messages',
    rows: [
      {
        kind: 'message' as const,
        translationId: 1,
        item: 1,
        time: '(no time)',
        sender: '(unknown)',
        original,
        translation: 'x',
        languages: 'zh -> en',
        confidence: 0.5,
        flags: [],
        status,
      },
    ],
  };
}

function read(reader: string, file: string): Record<string, unknown> {
  const run = spawnSync(PYTHON, [join(HELPERS, reader), file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${reader}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('translation export', () => {
  const tempDir = useTempDirs();
  let home: string;

  // One translated case for every test: translating it is the slow part.
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'toex-test-'));
    const db = androidSmsDb(home, {
      threads: [{ id: 1, addresses: ['07700 900123'] }],
      sms: BODIES.map((body, i) => ({
        thread: 1,
        address: '07700 900123',
        date: T0 + i * 60_000,
        type: 1,
        body,
      })),
    });
    await toexSteps(home, [...newCaseSteps(REF, [db]), ['ingest', REF, '1'], ['translate', REF]]);
  }, 120_000);
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  async function exported(name: string): Promise<string> {
    const out = join(tempDir(), name);
    const run = await toex(home, ['translation', 'export', REF, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(
        `^Wrote 2 translations as ${name.split('.')[1]!.toUpperCase()} to .*, marked as machine translation\\.\\nSHA-256 [0-9a-f]{64}`,
      ),
    );
    return out;
  }

  it('writes CSV a spreadsheet opens as text: a header, each row marked, no formula that runs', async () => {
    const text = readFileSync(await exported('t.csv'), 'utf8');
    expect(
      text.startsWith(
        '\ufeffMessage,Time (UTC),Sender,Original,Translation,Languages,Confidence,Status\r\n',
      ),
    ).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^1,2024-03-09 21:00:00Z,'\+447700900123,明天我去火车站,.*station.*,zh -> en,0\.\d+,machine translation \(opus-mt-zh-en\)$/i,
    );
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://example.org"") 钱已经转到你账户了"`);
  });

  it('writes XLSX a real reader opens: marking and notice above a frozen header, a filter, no formulas', async () => {
    const sheet = read('readXlsx.py', await exported('t.xlsx'));
    const rows = sheet.rows as (string | number | null)[][];
    expect(rows[0]![0]).toBe('OFFICIAL');
    expect(rows[1]![0]).toMatch(/^MACHINE TRANSLATION: /);
    expect(rows[4]).toEqual([
      'Message',
      'Time (UTC)',
      'Sender',
      'Original',
      'Translation',
      'Languages',
      'Confidence',
      'Status',
    ]);
    expect(rows[5]!.slice(0, 4)).toEqual([1, '2024-03-09 21:00:00Z', '+447700900123', BODIES[0]]);
    expect(rows[6]![3]).toBe(BODIES[1]);
    expect(rows[6]![7]).toBe('machine translation (opus-mt-zh-en)');
    expect(sheet.formulas).toEqual([]);
    expect(sheet.frozen).toBe('A6');
    expect(sheet.filter).toBe('A5:H7');
  });

  it('writes DOCX a real reader opens: the banner on every page, the notice and the table', async () => {
    const doc = read('readDocx.py', await exported('t.docx'));
    expect(doc.header).toEqual(['OFFICIAL', 'MACHINE TRANSLATION']);
    expect(doc.footer).toEqual(['Page 1 of 1', 'OFFICIAL']);
    expect(doc.page).toEqual([297, 210]);
    const table = doc.table as string[][];
    expect(table[0]).toEqual([
      'Message',
      'Time (UTC)',
      'Sender',
      'Original',
      'Translation',
      'Languages',
      'Confidence',
      'Status',
    ]);
    expect(table[1]![3]).toBe(BODIES[0]);
    expect(table[1]![4]).toMatch(/station/i);
    expect(table[2]![7]).toBe('machine translation (opus-mt-zh-en)');
    expect((doc.paragraphs as [string, string][])[1]![1]).toMatch(/^MACHINE TRANSLATION: /);
  });

  it('keeps control characters from a phone as escapes a spreadsheet reads, in XML that parses', () => {
    const file = join(tempDir(), 'controls.xlsx');
    writeFileSync(file, renderTranslationXlsx(oneRow('a\u001bb\u0000 _x0041_')));
    const rows = read('readXlsx.py', file).rows as string[][];
    expect(rows[5]![3]).toBe('a_x001B_b_x0000_ _x005F_x0041_');
  });

  it('cuts a cell past what Excel holds, saying so, and marks hidden characters in Word', () => {
    const table = oneRow(
      `abc\u202Edef ${'x'.repeat(40_000)}`,
      "machine translation (opus-mt-zh-en); cut at the model's length limit",
    );
    const xlsx = join(tempDir(), 'long.xlsx');
    writeFileSync(xlsx, renderTranslationXlsx(table));
    const cell = (read('readXlsx.py', xlsx).rows as string[][])[5]![3]!;
    expect(cell).toHaveLength(32_767);
    expect(
      cell.endsWith('[cut here: a cell holds 32,767 characters; the whole text is in the case]'),
    ).toBe(true);
    const docx = join(tempDir(), 'marks.docx');
    writeFileSync(docx, renderTranslationDocx(table));
    const row = (read('readDocx.py', docx).table as string[][])[1]!;
    expect(row[3]!.startsWith('abc[U+202E]def x')).toBe(true);
    expect(row[7]).toBe("machine translation (opus-mt-zh-en); cut at the model's length limit");
  });

  it('never overwrites a file, and refuses a format it does not write', async () => {
    const out = await exported('once.csv');
    const again = await toex(home, ['translation', 'export', REF, '--out', out]);
    expect(again.code).toBe(5);
    expect(again.stderr).toBe(`toex: ${out} already exists\n`);
    const pdf = await toex(home, ['translation', 'export', REF, '--out', join(tempDir(), 'x.pdf')]);
    expect(pdf.stderr).toBe('toex: --out must end in .csv, .xlsx or .docx\n');
    const audit = JSON.parse((await toex(home, ['--json', 'audit', 'show', REF])).stdout) as {
      action: string;
    }[];
    expect(audit.filter((e) => e.action === 'translation.export').length).toBeGreaterThanOrEqual(1);
  });
});
