import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt } from 'node:crypto';

import { ToexError } from '../errors.js';

export const KEY_BYTES = 32;

/** scrypt cost for passphrases: 128 MiB and about half a second on a lab terminal. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** Below this a stolen keyring could be brute-forced cheaply; refused even in tests. */
const MIN_SCRYPT_N = 2 ** 14;

export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function deriveFromPassphrase(
  passphrase: string,
  salt: Buffer,
  params: ScryptParams,
): Promise<Buffer> {
  if (!Number.isInteger(params.N) || params.N < MIN_SCRYPT_N || (params.N & (params.N - 1)) !== 0) {
    throw new ToexError(
      'bad-input',
      `scrypt cost N must be a power of two of at least ${MIN_SCRYPT_N}`,
    );
  }
  const maxmem = 256 * params.N * params.r + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** The recovery key is 256 random bits already, so a fast derivation is enough. */
export function deriveFromRecoveryKey(recoveryKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', recoveryKey, salt, 'toex recovery key-encryption key', KEY_BYTES),
  );
}

export interface WrappedKey {
  iv: string;
  tag: string;
  data: string;
}

/** AES-256-GCM with a label as associated data, so a wrapped key cannot be moved to another slot. */
export function wrapKey(kek: Buffer, key: Buffer, label: string): WrappedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(label, 'utf8'));
  const data = Buffer.concat([cipher.update(key), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Returns undefined when the key-encryption key is wrong: the caller says which secret it was. */
export function unwrapKey(kek: Buffer, wrapped: WrappedKey, label: string): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(wrapped.iv, 'base64'));
    decipher.setAAD(Buffer.from(label, 'utf8'));
    decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(wrapped.data, 'base64')), decipher.final()]);
  } catch {
    return undefined;
  }
}

// Crockford's base32: no I, L, O or U, so a key read aloud or retyped survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 32 random bytes as 52 base32 digits in groups of four, for printing once at set-up. */
export function formatRecoveryKey(key: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of key) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)!.join('-');
}

export function parseRecoveryKey(text: string): Buffer {
  const digits = text.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (digits.length !== 52 || /[^0-9A-HJKMNP-TV-Z]/.test(digits)) {
    throw new ToexError('bad-input', 'a recovery key is 52 letters and digits in groups of four');
  }
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of digits) {
    value = (value << 5) | ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  return Buffer.from(bytes.slice(0, KEY_BYTES));
}
