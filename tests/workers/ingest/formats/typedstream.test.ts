import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  attributedBodyText,
  TypedStreamError,
} from '../../../../workers/ingest/formats/typedstream.js';
import { attributedBody } from '../../../helpers/iosSmsDb.js';
import { CORPUS } from '../../../helpers/models.js';

const BLOBS = join(CORPUS, 'mobile', 'ios', 'imessage_blobs');

describe('typedstream', () => {
  it.each([
    ['a short message', 'meet at 9'],
    ['an empty string', ''],
    ['a 200-byte text (2-byte length, 0x81)', 'x'.repeat(200)],
    ['a 40,000-byte text (4-byte length, 0x82)', 'ab'.repeat(20_000)],
    ['emoji and Romanian', 'Ștefan 🙂 mâine'],
  ])('reads back %s', (_what, text) => {
    expect(attributedBodyText(attributedBody(text))).toBe(text);
  });

  it.each([
    ['an empty blob', Buffer.alloc(0), /ends early/],
    ['a binary plist', Buffer.from('bplist00\xd1\x01\x02', 'latin1'), /not a typedstream/],
    [
      'a stream with no NSString',
      attributedBody('hello').subarray(0, 80),
      /no NSString in the stream/,
    ],
    [
      'a length past the end',
      (() => {
        const b = attributedBody('hello');
        b[b.indexOf('hello') - 1] = 0x7f;
        return b;
      })(),
      /runs past the end/,
    ],
    [
      'invalid UTF-8 in the string',
      (() => {
        const b = attributedBody('hello');
        b[b.indexOf('hello')] = 0xff;
        return b;
      })(),
      /not valid UTF-8/,
    ],
  ])('refuses %s with a TypedStreamError', (_what, blob, reason) => {
    expect(() => attributedBodyText(blob)).toThrow(TypedStreamError);
    expect(() => attributedBodyText(blob)).toThrow(reason);
  });

  it.skipIf(!existsSync(BLOBS)).each([
    ['AttributedBodyTextOnly', 'Noter test'],
    ['MultiPart', '\uFFFCtest 1\uFFFCtest 2 \uFFFCtest 3'],
    ['URL', 'https://github.com/ReagentX/Logria'],
    ['WeirdText', '𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉'],
  ])('reads the corpus blob %s as Messages wrote it', (name, text) => {
    const blob = readFileSync(join(BLOBS, `attributedBody_${name}.typedstream`));
    expect(attributedBodyText(blob)).toBe(text);
  });
});
