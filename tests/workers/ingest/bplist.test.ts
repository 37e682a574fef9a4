import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { PlistError, readBinaryPlist } from '../../../workers/ingest/bplist.js';
import { summaryInfo } from '../../../workers/ingest/formats/iosEdits.js';
import { attributedBody } from '../../helpers/iosSmsDb.js';
import { CORPUS } from '../../helpers/models.js';
import { binaryPlist } from '../../helpers/plist.js';

describe('binary property lists', () => {
  it("reads what Python's plistlib writes: nesting, numbers, text in any script, data, dates", () => {
    const data = binaryPlist({
      name: 'Ștefan 🚚 مرحبا',
      n: [0, 255, 65_536, -1, 2 ** 40],
      x: 0.5,
      yes: true,
      no: false,
      blob: { $bytes: '00ff10' },
      at: { $date: '2022-11-19T01:17:54Z' },
      deep: { a: [{ b: ['c'] }] },
    });
    const copy = Buffer.from(data);
    expect(readBinaryPlist(data)).toEqual({
      name: 'Ștefan 🚚 مرحبا',
      n: [0, 255, 65_536, -1, 2 ** 40],
      x: 0.5,
      yes: true,
      no: false,
      blob: Buffer.from([0, 0xff, 0x10]),
      at: new Date('2022-11-19T01:17:54Z'),
      deep: { a: [{ b: ['c'] }] },
    });
    // Reading leaves the caller's bytes as they were (UTF-16 text is swapped in a copy).
    expect(data.equals(copy)).toBe(true);
  });

  it('refuses a list that holds itself, offsets past the end, and a cut-off file', () => {
    const list = binaryPlist(['a']);
    // The array (object 0) refers to object 1; pointing that reference at object 0 makes a loop.
    const looped = Buffer.from(list);
    looped[looped.indexOf(0xa1) + 1] = 0;
    expect(() => readBinaryPlist(looped)).toThrow(PlistError);
    const beyond = Buffer.from(list);
    beyond.writeBigUInt64BE(99n, beyond.length - 32 + 8);
    expect(() => readBinaryPlist(beyond)).toThrow(/outside the data/);
    expect(() => readBinaryPlist(list.subarray(0, list.length - 5))).toThrow(PlistError);
    expect(() => readBinaryPlist(Buffer.from('<plist></plist>'))).toThrow(/not a binary/);
    // An array claiming 2^62 elements in a 50-byte file is refused, not allocated.
    const trailer = Buffer.alloc(32);
    trailer[6] = 1;
    trailer[7] = 1;
    trailer.writeBigUInt64BE(1n, 8);
    trailer.writeBigUInt64BE(18n, 24);
    const claim = Buffer.concat([
      Buffer.from('bplist00', 'latin1'),
      Buffer.from([0xaf, 0x13, 0x40, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from([8]),
      trailer,
    ]);
    expect(() => readBinaryPlist(claim)).toThrow(PlistError);
  });
});

describe('iOS message_summary_info', () => {
  it('gives every version of an edited message, oldest first, with when it was written', () => {
    const info = summaryInfo(
      binaryPlist({
        amc: 0,
        ec: {
          '0': [
            { t: { $bytes: attributedBody('see you at 8').toString('hex') }, d: 690_513_474.5 },
            { t: { $bytes: attributedBody('see you at 9').toString('hex') }, d: 690_513_480 },
          ],
        },
      }),
    );
    expect(info).toEqual({
      history: [
        {
          part: 0,
          at: { utc: '2022-11-19T01:17:54.500Z', offsetMinutes: null },
          text: 'see you at 8',
        },
        {
          part: 0,
          at: { utc: '2022-11-19T01:18:00.000Z', offsetMinutes: null },
          text: 'see you at 9',
        },
      ],
      flags: ['edited'],
    });
    expect(summaryInfo(binaryPlist({ rp: [0] }))).toEqual({ history: [], flags: ['unsent-part'] });
    expect(summaryInfo(Buffer.from('garbage'))).toEqual({
      history: [],
      flags: ['summary-info-unreadable'],
    });
    expect(summaryInfo(null)).toEqual({ history: [], flags: [] });
  });

  const edited = join(CORPUS, 'mobile/ios/imessage_blobs/message_summary_info_Edited.plist');
  it.skipIf(!existsSync(edited))(
    "reads the corpus edited message's four versions (imessage-exporter's Edited.plist)",
    () => {
      const info = summaryInfo(readFileSync(edited));
      expect(info.flags).toEqual(['edited']);
      expect(info.history.map((h) => [h.at?.utc, h.text])).toEqual([
        ['2022-11-19T01:17:54.273Z', 'First message  '],
        ['2022-11-19T01:18:00.469Z', 'Edit 1'],
        ['2022-11-19T01:18:05.972Z', 'Edit 2'],
        ['2022-11-19T01:18:14.012Z', 'Edited message'],
      ]);
    },
  );
});
