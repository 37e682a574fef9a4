import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  deriveFromPassphrase,
  formatRecoveryKey,
  parseRecoveryKey,
  unwrapKey,
  wrapKey,
} from '../../../main/store/keyCrypto.js';

describe('keyCrypto', () => {
  it('unwraps a key only with the same key-encryption key and label', () => {
    const kek = randomBytes(32);
    const key = randomBytes(32);
    const wrapped = wrapKey(kek, key, 'slot-a');

    expect(unwrapKey(kek, wrapped, 'slot-a')).toEqual(key);
    expect(unwrapKey(randomBytes(32), wrapped, 'slot-a')).toBeUndefined();
    expect(unwrapKey(kek, wrapped, 'slot-b')).toBeUndefined();
  });

  it('detects a flipped bit in a wrapped key', () => {
    const kek = randomBytes(32);
    const wrapped = wrapKey(kek, randomBytes(32), 'slot');
    const data = Buffer.from(wrapped.data, 'base64');
    data[3]! ^= 1;
    expect(unwrapKey(kek, { ...wrapped, data: data.toString('base64') }, 'slot')).toBeUndefined();
  });

  it('formats a recovery key as 13 groups of four and reads it back', () => {
    const key = randomBytes(32);
    const text = formatRecoveryKey(key);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){12}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(parseRecoveryKey(text)).toEqual(key);
  });

  it('reads a recovery key typed in lower case, with spaces, and with O for 0 and I/L for 1', () => {
    const key = Buffer.alloc(32, 0);
    key[0] = 0x08; // starts "1" in base32
    const text = formatRecoveryKey(key);
    expect(text.startsWith('1')).toBe(true);
    const retyped = text.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/^1/, 'l');
    expect(parseRecoveryKey(retyped)).toEqual(key);
  });

  it.each([
    ['too short', 'ABCD-EFGH'],
    ['a letter outside the alphabet', 'U'.repeat(52)],
    ['empty', ''],
  ])('refuses a recovery key that is %s', (_why, text) => {
    expect(() => parseRecoveryKey(text)).toThrow(/52 letters and digits/);
  });

  it('derives the same key from the same passphrase and salt, another from another salt', async () => {
    const params = { N: 2 ** 14, r: 8, p: 1 };
    const salt = randomBytes(16);
    const a = await deriveFromPassphrase('a long passphrase', salt, params);
    const b = await deriveFromPassphrase('a long passphrase', salt, params);
    const c = await deriveFromPassphrase('a long passphrase', randomBytes(16), params);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(32);
  });

  it('treats the composed and decomposed forms of an accented passphrase alike', async () => {
    const params = { N: 2 ** 14, r: 8, p: 1 };
    const salt = randomBytes(16);
    const composed = await deriveFromPassphrase('mot de passe d\u00e9j\u00e0 vu', salt, params);
    const decomposed = await deriveFromPassphrase('mot de passe de\u0301ja\u0300 vu', salt, params);
    expect(composed).toEqual(decomposed);
  });

  it('refuses an scrypt cost too low to resist brute force', () => {
    expect(() =>
      deriveFromPassphrase('a long passphrase', randomBytes(16), { N: 1024, r: 8, p: 1 }),
    ).toThrow(/power of two/);
  });
});
