import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { randomKey } from '../../../main/store/keyCrypto.js';
import {
  changePassphrase,
  newKeyring,
  unlockWithPassphrase,
  unlockWithRecoveryKey,
} from '../../../main/store/Keyring.js';
import { PASSPHRASE, TEST_SCRYPT, useTempDirs } from '../../helpers/temp.js';

async function createKeyring(path: string, passphrase: string) {
  const keyring = await newKeyring(passphrase, TEST_SCRYPT);
  keyring.write(path);
  return keyring;
}

describe('Keyring', () => {
  const tempDir = useTempDirs();

  async function keyring() {
    const path = join(tempDir(), 'keyring.json');
    const created = await createKeyring(path, PASSPHRASE);
    return { path, ...created };
  }

  it('unlocks the same master key with the passphrase and with the recovery key', async () => {
    const { path, masterKey, recoveryKey } = await keyring();
    expect(await unlockWithPassphrase(path, PASSPHRASE)).toEqual(masterKey);
    expect(unlockWithRecoveryKey(path, recoveryKey)).toEqual(masterKey);
  });

  it('stores neither the passphrase, the master key nor the recovery key in the file', async () => {
    const { path, masterKey, recoveryKey } = await keyring();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(PASSPHRASE);
    expect(text).not.toContain(masterKey.toString('base64'));
    expect(text).not.toContain(masterKey.toString('hex'));
    expect(text).not.toContain(recoveryKey.replace(/-/g, ''));
  });

  it('refuses a wrong passphrase with a clear error and leaves the file untouched', async () => {
    const { path } = await keyring();
    const before = readFileSync(path);
    await expect(unlockWithPassphrase(path, 'not the passphrase at all')).rejects.toMatchObject({
      kind: 'wrong-key',
      message: 'wrong passphrase',
    });
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a wrong recovery key', async () => {
    const { path } = await keyring();
    const other = await keyring();
    expect(() => unlockWithRecoveryKey(path, other.recoveryKey)).toThrow(/wrong recovery key/);
  });

  it('changes the passphrase: the new one unlocks, the old one does not, the recovery key still does', async () => {
    const { path, masterKey, recoveryKey } = await keyring();
    await changePassphrase(path, masterKey, 'a brand new passphrase', TEST_SCRYPT);

    expect(await unlockWithPassphrase(path, 'a brand new passphrase')).toEqual(masterKey);
    await expect(unlockWithPassphrase(path, PASSPHRASE)).rejects.toMatchObject({
      kind: 'wrong-key',
    });
    expect(unlockWithRecoveryKey(path, recoveryKey)).toEqual(masterKey);
  });

  it("refuses to re-wrap under a key that is not the keyring's own, so nobody is locked out", async () => {
    const { path } = await keyring();
    const before = readFileSync(path);
    await expect(
      changePassphrase(path, randomKey(), 'a brand new passphrase', TEST_SCRYPT),
    ).rejects.toMatchObject({ kind: 'wrong-key' });
    expect(readFileSync(path)).toEqual(before);
    expect(await unlockWithPassphrase(path, PASSPHRASE)).toHaveLength(32);
  });

  it.each([
    ['empty', ''],
    ['short', 'short'],
    ['only spaces', '            '],
  ])('refuses an %s passphrase at set-up', async (_why, passphrase) => {
    const path = join(tempDir(), 'keyring.json');
    await expect(createKeyring(path, passphrase)).rejects.toMatchObject({ kind: 'bad-input' });
  });

  it('never overwrites an existing keyring', async () => {
    const { path } = await keyring();
    const before = readFileSync(path);
    await expect(createKeyring(path, PASSPHRASE)).rejects.toMatchObject({ kind: 'conflict' });
    expect(readFileSync(path)).toEqual(before);
  });

  it.each([
    ['damaged JSON', '{"format": "toex-keyr'],
    ["another program's JSON", '{"name": "something else"}'],
    ['binary junk', '\u0000\u0001\u0002'],
    ['a keyring whose salt is a number', 'SALT_NUMBER'],
    ['a keyring whose scrypt cost is absurd', 'HUGE_N'],
  ])('refuses a keyring file that is %s', async (_why, content) => {
    const path = join(tempDir(), 'keyring.json');
    if (content === 'SALT_NUMBER' || content === 'HUGE_N') {
      await createKeyring(path, PASSPHRASE);
      const file = JSON.parse(readFileSync(path, 'utf8'));
      if (content === 'SALT_NUMBER') file.passphrase.salt = 12345;
      else file.passphrase.N = 2 ** 40;
      writeFileSync(path, JSON.stringify(file));
    } else {
      writeFileSync(path, content);
    }
    await expect(unlockWithPassphrase(path, PASSPHRASE)).rejects.toMatchObject({ kind: 'storage' });
  });

  it('says there is no workstation when the keyring is missing', async () => {
    await expect(
      unlockWithPassphrase(join(tempDir(), 'keyring.json'), PASSPHRASE),
    ).rejects.toMatchObject({ kind: 'not-found' });
  });
});
