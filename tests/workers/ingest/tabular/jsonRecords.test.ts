import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  atPointer,
  MAX_JSON_BYTES,
  readJsonRecords,
} from '../../../../workers/ingest/tabular/jsonRecords.js';
import { useTempDirs } from '../../../helpers/temp.js';
import { writeJsonExport, writeRawExport } from '../../../helpers/tabularExport.js';

describe('jsonRecords', () => {
  const tempDir = useTempDirs();

  it.each([
    ['', { a: 1 }, { a: 1 }],
    ['/a/b', { a: { b: [1] } }, [1]],
    ['/list/1', { list: ['x', 'y'] }, 'y'],
    ['/a~1b/c~0d', { 'a/b': { 'c~d': true } }, true],
    ['/missing', { a: 1 }, undefined],
    ['/list/01', { list: ['x', 'y'] }, undefined],
    ['/toString', {}, undefined],
  ])('follows the pointer %s', (pointer, value, found) => {
    expect(atPointer(value, pointer)).toEqual(found);
  });

  it('reads the array the mapping points at, past a byte-order mark', async () => {
    const path = writeRawExport(tempDir(), 'e.json', '\ufeff{"data":{"messages":[{"t":"hi"}]}}');
    expect(await readJsonRecords(path, { type: 'json', records: '/data/messages' })).toEqual([
      { t: 'hi' },
    ]);
  });

  it('says where it found no array', async () => {
    const path = writeJsonExport(tempDir(), 'e.json', { messages: {} });
    await expect(readJsonRecords(path, { type: 'json', records: '/messages' })).rejects.toThrow(
      'the JSON export holds no array at "/messages" (the mapping\'s file.records)',
    );
  });

  it('refuses text that is not JSON', async () => {
    const path = writeRawExport(tempDir(), 'e.json', '[{"a":');
    await expect(readJsonRecords(path, { type: 'json', records: '' })).rejects.toThrow(
      /^the export is not JSON: /,
    );
  });

  it('refuses a file over 256 MiB without reading it', async () => {
    const path = join(tempDir(), 'big.json');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, MAX_JSON_BYTES + 1);
    closeSync(fd);
    await expect(readJsonRecords(path, { type: 'json', records: '' })).rejects.toMatchObject({
      kind: 'bad-input',
      message: `the JSON export is ${MAX_JSON_BYTES + 1} bytes; JSON exports over ${MAX_JSON_BYTES} bytes (256 MiB) are not read`,
    });
  });
});
