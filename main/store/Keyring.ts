import { existsSync, readFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';

import { ToexError, fromFsError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { writeFileAtomic } from './atomicWrite.js';
import {
  DEFAULT_SCRYPT,
  deriveFromPassphrase,
  deriveFromRecoveryKey,
  formatRecoveryKey,
  parseRecoveryKey,
  randomKey,
  unwrapKey,
  wrapKey,
  type ScryptParams,
  type WrappedKey,
} from './keyCrypto.js';

const log = getLogger('store');

const FORMAT = 'toex-keyring';
const PASSPHRASE_SLOT = 'toex-keyring-v1:passphrase';
const RECOVERY_SLOT = 'toex-keyring-v1:recovery';
export const MIN_PASSPHRASE_LENGTH = 10;

/**
 * The keyring file: the workstation's random master key, wrapped twice, once
 * under a key derived from the passphrase and once under the recovery key.
 * Changing the passphrase rewrites only this small file; the databases keep
 * their keys and are never re-encrypted.
 */
interface KeyringFile {
  format: typeof FORMAT;
  version: 1;
  /** HMAC of a fixed label under the master key: lets a re-wrap prove it holds the right key. */
  keyCheck: string;
  createdAt: string;
  changedAt: string;
  passphrase: { kdf: 'scrypt'; N: number; r: number; p: number; salt: string; wrapped: WrappedKey };
  recovery: { kdf: 'hkdf-sha256'; salt: string; wrapped: WrappedKey };
}

export interface CreatedKeyring {
  masterKey: Buffer;
  /** Shown to the user once and never stored in the clear. */
  recoveryKey: string;
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.trim().length < MIN_PASSPHRASE_LENGTH) {
    throw new ToexError(
      'bad-input',
      `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters (three random words work well)`,
    );
  }
}

async function passphraseSlot(
  passphrase: string,
  masterKey: Buffer,
  params: ScryptParams,
): Promise<KeyringFile['passphrase']> {
  const salt = randomBytes(16);
  const kek = await deriveFromPassphrase(passphrase, salt, params);
  return {
    kdf: 'scrypt',
    ...params,
    salt: salt.toString('base64'),
    wrapped: wrapKey(kek, masterKey, PASSPHRASE_SLOT),
  };
}

function keyCheck(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update('toex-keyring-v1:key-check').digest('base64');
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isWrapped = (v: unknown): v is WrappedKey => {
  const w = v as Partial<WrappedKey> | null;
  return !!w && isText(w.iv) && isText(w.tag) && isText(w.data);
};
const inRange = (v: unknown, min: number, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** Every field checked before use: a damaged keyring is reported as damaged, not as a crash. */
function isKeyringFile(value: unknown): value is KeyringFile {
  const f = value as Partial<KeyringFile> | null;
  if (!f || f.format !== FORMAT || f.version !== 1 || !isText(f.keyCheck)) return false;
  const p = f.passphrase;
  const r = f.recovery;
  return (
    !!p &&
    p.kdf === 'scrypt' &&
    inRange(p.N, 2 ** 14, 2 ** 24) &&
    (p.N & (p.N - 1)) === 0 &&
    inRange(p.r, 1, 32) &&
    inRange(p.p, 1, 16) &&
    isText(p.salt) &&
    isWrapped(p.wrapped) &&
    !!r &&
    r.kdf === 'hkdf-sha256' &&
    isText(r.salt) &&
    isWrapped(r.wrapped)
  );
}

function readKeyring(path: string): KeyringFile {
  if (!existsSync(path)) {
    throw new ToexError(
      'not-found',
      'no workstation is set up in this data folder (run `toex init`)',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) {
      throw fromFsError(err, 'reading the keyring');
    }
    throw new ToexError(
      'storage',
      'the keyring file is damaged (not valid JSON); restore it from a backup',
    );
  }
  if (!isKeyringFile(parsed)) {
    throw new ToexError(
      'storage',
      'the keyring file is not a TOEX keyring or is damaged; restore it from a backup',
    );
  }
  return parsed;
}

export interface NewKeyring extends CreatedKeyring {
  /** Writes the keyring; refuses to replace one that exists. */
  write(path: string): void;
}

/**
 * Makes a master key, a recovery key and the keyring that wraps the first
 * under the passphrase and the second, without writing anything yet: set-up
 * writes the keyring last, once the database it unlocks exists.
 */
export async function newKeyring(
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<NewKeyring> {
  checkPassphrase(passphrase);
  const masterKey = randomKey();
  const recoveryKey = randomKey();
  const recoverySalt = randomBytes(16);
  const now = new Date().toISOString();
  const file: KeyringFile = {
    format: FORMAT,
    version: 1,
    keyCheck: keyCheck(masterKey),
    createdAt: now,
    changedAt: now,
    passphrase: await passphraseSlot(passphrase, masterKey, params),
    recovery: {
      kdf: 'hkdf-sha256',
      salt: recoverySalt.toString('base64'),
      wrapped: wrapKey(deriveFromRecoveryKey(recoveryKey, recoverySalt), masterKey, RECOVERY_SLOT),
    },
  };
  return {
    masterKey,
    recoveryKey: formatRecoveryKey(recoveryKey),
    write(path) {
      if (existsSync(path)) {
        throw new ToexError(
          'conflict',
          'a workstation keyring already exists here; it was left as it is',
        );
      }
      writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n');
      log.info({ scryptN: params.N }, 'keyring created');
    },
  };
}

export async function unlockWithPassphrase(path: string, passphrase: string): Promise<Buffer> {
  const file = readKeyring(path);
  const slot = file.passphrase;
  const kek = await deriveFromPassphrase(passphrase, Buffer.from(slot.salt, 'base64'), slot);
  const masterKey = unwrapKey(kek, slot.wrapped, PASSPHRASE_SLOT);
  if (!masterKey) {
    log.warn({}, 'unlock refused: wrong passphrase');
    throw new ToexError('wrong-key', 'wrong passphrase');
  }
  return masterKey;
}

export function unlockWithRecoveryKey(path: string, recoveryKeyText: string): Buffer {
  const file = readKeyring(path);
  const recoveryKey = parseRecoveryKey(recoveryKeyText);
  const kek = deriveFromRecoveryKey(recoveryKey, Buffer.from(file.recovery.salt, 'base64'));
  const masterKey = unwrapKey(kek, file.recovery.wrapped, RECOVERY_SLOT);
  if (!masterKey) {
    log.warn({}, 'unlock refused: wrong recovery key');
    throw new ToexError('wrong-key', 'wrong recovery key');
  }
  return masterKey;
}

/**
 * Re-wraps the master key under a new passphrase. The recovery slot is kept
 * as it is, and the file is replaced atomically, so a crash leaves the old
 * passphrase or the new one working, never neither.
 */
export async function changePassphrase(
  path: string,
  masterKey: Buffer,
  newPassphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  checkPassphrase(newPassphrase);
  const file = readKeyring(path);
  if (keyCheck(masterKey) !== file.keyCheck) {
    throw new ToexError(
      'wrong-key',
      'that key does not belong to this keyring; the passphrase was not changed',
    );
  }
  const next: KeyringFile = {
    ...file,
    changedAt: new Date().toISOString(),
    passphrase: await passphraseSlot(newPassphrase, masterKey, params),
  };
  writeFileAtomic(path, JSON.stringify(next, null, 2) + '\n');
  log.info({ scryptN: params.N }, 'passphrase changed');
}
