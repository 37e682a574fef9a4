import { describe, expect, it } from 'vitest';

import { readCsv } from '../../../../workers/ingest/tabular/csvReader.js';
import { CsvSplitter, MAX_ROW_BYTES } from '../../../../workers/ingest/tabular/csvSplitter.js';
import type { CsvFile } from '../../../../workers/ingest/tabular/exportMapping.js';
import { useTempDirs } from '../../../helpers/temp.js';
import {
  csvText,
  encodeText,
  writeRawExport,
  type FixtureEncoding,
} from '../../../helpers/tabularExport.js';

const CSV: CsvFile = {
  type: 'csv',
  delimiter: ',',
  quote: '"',
  encoding: 'auto',
  headerRow: 1,
  trim: false,
};

describe('csvReader', () => {
  const tempDir = useTempDirs();

  async function read(bytes: Buffer | string, file: Partial<CsvFile> = {}) {
    const path = writeRawExport(tempDir(), 'export.csv', bytes);
    const head = Buffer.from(bytes).subarray(0, 65536);
    const out: unknown[] = [];
    for await (const r of readCsv(path, head, { ...CSV, ...file }, new AbortController().signal)) {
      out.push('problem' in r ? r : { line: r.line, fields: r.fields, flags: r.flags });
    }
    return out;
  }

  const quirky = csvText(
    ['who', 'text'],
    [
      ['Ana', 'two\nlines'],
      ['Bob', 'say "hi", then go'],
      ['Ștefan', 'vine mâine 🚉'],
    ],
  );

  it.each<FixtureEncoding>(['utf-8', 'utf-8-bom', 'utf-16le-bom', 'utf-16be-bom'])(
    'reads quoted fields, line breaks and doubled quotes in %s',
    async (encoding) => {
      expect(await read(encodeText(quirky, encoding))).toEqual([
        { line: 1, fields: ['who', 'text'], flags: [] },
        { line: 2, fields: ['Ana', 'two\nlines'], flags: [] },
        { line: 4, fields: ['Bob', 'say "hi", then go'], flags: [] },
        { line: 5, fields: ['Ștefan', 'vine mâine 🚉'], flags: [] },
      ]);
    },
  );

  it('reads UTF-16LE without a mark when the mapping says so', async () => {
    const rows = await read(encodeText('a,b\r\nç,😀\r\n', 'utf-16le'), { encoding: 'utf-16le' });
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'], flags: [] },
      { line: 2, fields: ['ç', '😀'], flags: [] },
    ]);
  });

  it('reads windows-1252 when the mapping says so', async () => {
    const rows = await read(encodeText('a\r\ncafé\r\n', 'windows-1252'), {
      encoding: 'windows-1252',
    });
    expect(rows[1]).toEqual({ line: 2, fields: ['café'], flags: [] });
  });

  it('reads LF, CRLF and bare CR line ends in one file, and skips blank lines', async () => {
    expect(await read('a,b\nc,d\r\n\r\ne,f\rg,h')).toEqual([
      { line: 1, fields: ['a', 'b'], flags: [] },
      { line: 2, fields: ['c', 'd'], flags: [] },
      { line: 4, fields: ['e', 'f'], flags: [] },
      { line: 5, fields: ['g', 'h'], flags: [] },
    ]);
  });

  it('keeps a CRLF inside quotes as written, counting it as a line', async () => {
    expect(await read('a\r\n"x\r\ny"\r\nz\r\n')).toEqual([
      { line: 1, fields: ['a'], flags: [] },
      { line: 2, fields: ['x\r\ny'], flags: [] },
      { line: 4, fields: ['z'], flags: [] },
    ]);
  });

  it('replaces invalid UTF-8 and flags the row', async () => {
    const bytes = Buffer.concat([
      Buffer.from('a,b\nok,'),
      Buffer.from([0x3f, 0x98, 0x91]),
      Buffer.from('\n'),
    ]);
    expect(await read(bytes)).toEqual([
      { line: 1, fields: ['a', 'b'], flags: [] },
      { line: 2, fields: ['ok', '?\ufffd\ufffd'], flags: ['invalid-utf8'] },
    ]);
  });

  it('replaces an unpaired UTF-16 surrogate and flags the row', async () => {
    const bytes = Buffer.concat([
      encodeText('a\r\n', 'utf-16le-bom'),
      Buffer.from([0x00, 0xd8, 0x0d, 0x00, 0x0a, 0x00]),
    ]);
    expect((await read(bytes))[1]).toEqual({
      line: 2,
      fields: ['\ufffd'],
      flags: ['invalid-utf16'],
    });
  });

  it('reports a quote never closed and goes on from the next line', async () => {
    const text = 'a,b\n1,"one\nline"\n2,"open\n3,three\r\n4,four\n';
    expect(await read(text)).toEqual([
      { line: 1, fields: ['a', 'b'], flags: [] },
      { line: 2, fields: ['1', 'one\nline'], flags: [] },
      { line: 4, problem: 'a quoted field is never closed; the record is skipped' },
      { line: 5, fields: ['3', 'three'], flags: [] },
      { line: 6, fields: ['4', 'four'], flags: [] },
    ]);
  });

  it('keeps text after a closing quote, flagged', async () => {
    expect((await read('a\n"x"y\n'))[1]).toEqual({
      line: 2,
      fields: ['xy'],
      flags: ['text-after-quote'],
    });
  });

  it('trims padded fields, quoted or not, when the mapping says so', async () => {
    const rows = await read('a , b\n 1618158296487.00 , "x, y" \n', { trim: true });
    expect(rows[1]).toEqual({ line: 2, fields: ['1618158296487.00', 'x, y'], flags: [] });
  });

  it('reads tab-separated text with no quoting', async () => {
    const rows = await read('a\tb\n"x\ty"\n', { delimiter: '\t', quote: null });
    expect(rows[1]).toEqual({ line: 2, fields: ['"x', 'y"'], flags: [] });
  });

  it('gives the same records whatever the slices the bytes arrive in', () => {
    const bytes = encodeText(quirky, 'utf-16le');
    const whole = new CsvSplitter(CSV, 'utf-16le', 0);
    const expected = [...whole.push(bytes), ...whole.end().rows];
    const split = new CsvSplitter(CSV, 'utf-16le', 0);
    const got = [...bytes].flatMap((b) => split.push(Buffer.from([b])));
    expect([...got, ...split.end().rows]).toEqual(expected);
    expect(expected.map((r) => r.fields[0])).toEqual(['who', 'Ana', 'Bob', 'Ștefan']);
  });

  it('cuts a record past the size limit and flags it', () => {
    const splitter = new CsvSplitter(CSV, 'utf-8', 0);
    splitter.push(Buffer.from('"'));
    splitter.push(Buffer.alloc(MAX_ROW_BYTES + 10, 0x61));
    const rows = [...splitter.push(Buffer.from('"\nnext\n')), ...splitter.end().rows];
    expect(rows.map((r) => [r.fields[0]!.length, r.flags])).toEqual([
      [MAX_ROW_BYTES, ['row-truncated']],
      [4, []],
    ]);
  });
});
