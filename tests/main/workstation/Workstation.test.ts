import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseDatabasePath } from '../../../main/cases/CaseStore.js';
import { Workstation } from '../../../main/workstation/Workstation.js';
import { PASSPHRASE, TEST_SCRYPT, useTempDirs } from '../../helpers/temp.js';
import { NEW_CASE, newWorkstation, workstationWithCase } from '../../helpers/workstation.js';

describe('Workstation', () => {
  const tempDir = useTempDirs();

  it('creates, lists, shows and reopens a case after the workstation is locked and unlocked again', async () => {
    const home = tempDir();
    const { workstation } = await newWorkstation(home);
    const info = workstation.createCase(NEW_CASE);
    workstation.close();

    const again = await Workstation.unlock(home, PASSPHRASE);
    expect(again.listCases()).toEqual([info]);
    expect(again.getCase('op-arctic/2026/0042')).toEqual(info);
    expect(again.getCase(info.id).classification).toBe('OFFICIAL-SENSITIVE');
    const store = again.openCase(info.reference);
    expect(store.audit.list().map((e) => e.action)).toEqual(['case.create']);
    store.close();
    expect(again.audit.list().map((e) => e.action)).toEqual(['workstation.init', 'case.create']);
    again.close();
  });

  it('gives every case a database of its own that the workstation key alone cannot open', async () => {
    const home = tempDir();
    const { workstation } = await newWorkstation(home);
    const a = workstation.createCase(NEW_CASE);
    const b = workstation.createCase({ ...NEW_CASE, reference: 'OP-2' });
    workstation.close();
    const bytesA = readFileSync(caseDatabasePath(join(home, 'cases', a.id)));
    const bytesB = readFileSync(caseDatabasePath(join(home, 'cases', b.id)));
    expect(bytesA.subarray(0, 16).equals(bytesB.subarray(0, 16))).toBe(false);
    expect(bytesA.includes(Buffer.from('OP-ARCTIC'))).toBe(false);
  });

  it.each([
    [
      'marked SECRET',
      { ...NEW_CASE, classification: 'SECRET' },
      /accredited up to OFFICIAL-SENSITIVE/,
    ],
    [
      'marked TOP SECRET',
      { ...NEW_CASE, classification: 'TOP SECRET' },
      /accredited up to OFFICIAL-SENSITIVE/,
    ],
    ['with no reference', { ...NEW_CASE, reference: '' }, /needs a reference/],
    [
      'whose reference climbs out of its folder',
      { ...NEW_CASE, reference: '../../etc' },
      /letters, digits/,
    ],
    ['with a blank title', { ...NEW_CASE, title: '   ' }, /needs a title/],
    ['with an owner name too long', { ...NEW_CASE, owner: 'x'.repeat(101) }, /longer than 100/],
  ])('refuses a case %s and registers nothing', async (_why, input, message) => {
    const { workstation } = await newWorkstation(tempDir());
    expect(() => workstation.createCase(input)).toThrow(message);
    expect(workstation.listCases()).toEqual([]);
    workstation.close();
  });

  it('refuses a second case with the same reference, whatever its case', async () => {
    const { workstation } = await newWorkstation(tempDir());
    workstation.createCase(NEW_CASE);
    expect(() =>
      workstation.createCase({ ...NEW_CASE, reference: NEW_CASE.reference.toLowerCase() }),
    ).toThrow(/already exists/);
    expect(workstation.listCases()).toHaveLength(1);
    workstation.close();
  });

  it('closes a case so it takes no evidence, and reopens it', async () => {
    const home = tempDir();
    const { workstation, info, store } = await workstationWithCase(home);
    store.close();
    const file = join(tempDir(), 'note.txt');
    writeFileSync(file, 'exhibit');

    expect(workstation.setCaseStatus(info.id, 'closed').status).toBe('closed');
    const closed = workstation.openCase(info.id);
    await expect(closed.importEvidence(file)).rejects.toThrow(
      /is closed; reopen it before adding evidence/,
    );
    closed.close();
    expect(() => workstation.setCaseStatus(info.id, 'closed')).toThrow(/already closed/);

    workstation.setCaseStatus(info.id, 'open');
    const reopened = workstation.openCase(info.id);
    expect((await reopened.importEvidence(file)).duplicate).toBe(false);
    expect(reopened.audit.list().map((e) => e.action)).toEqual([
      'case.create',
      'case.close',
      'case.reopen',
      'evidence.import',
    ]);
    reopened.close();
    workstation.close();
  });

  it('changes the passphrase without re-encrypting any database, and the recovery key still works', async () => {
    const home = tempDir();
    const { workstation, recoveryKey, info, store } = await workstationWithCase(home);
    store.close();
    const caseDb = caseDatabasePath(join(home, 'cases', info.id));
    const caseBytes = readFileSync(caseDb);

    await workstation.changePassphrase('three new random words', TEST_SCRYPT);
    workstation.close();

    expect(readFileSync(caseDb)).toEqual(caseBytes);
    await expect(Workstation.unlock(home, PASSPHRASE)).rejects.toMatchObject({ kind: 'wrong-key' });
    const unlocked = await Workstation.unlock(home, 'three new random words');
    const reopened = unlocked.openCase(info.id);
    expect(reopened.info.reference).toBe(NEW_CASE.reference);
    reopened.close();
    unlocked.close();

    const recovered = Workstation.recover(home, recoveryKey);
    await recovered.changePassphrase('after the recovery key', TEST_SCRYPT);
    recovered.close();
    const last = await Workstation.unlock(home, 'after the recovery key');
    expect(last.audit.list().map((e) => e.action)).toEqual([
      'workstation.init',
      'case.create',
      'workstation.passphrase-change',
      'workstation.recovery-key-used',
      'workstation.passphrase-change',
    ]);
    last.close();
  });

  it('refuses to set up over an existing workstation and changes nothing', async () => {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    const before = readdirSync(home).map((name) => [
      name,
      name.endsWith('.json') ? readFileSync(join(home, name), 'utf8') : '',
    ]);
    await expect(newWorkstation(home)).rejects.toMatchObject({ kind: 'conflict' });
    expect(
      readdirSync(home).map((name) => [
        name,
        name.endsWith('.json') ? readFileSync(join(home, name), 'utf8') : '',
      ]),
    ).toEqual(before);
  });

  it("records each case's audit head in the register, which catches entries cut from the case's log", async () => {
    const home = tempDir();
    const { workstation, store } = await workstationWithCase(home);
    store.jobs.enqueue('evidence.verify', {});
    store.close();

    const reopened = workstation.openCase(NEW_CASE.reference);
    expect(reopened.anchoredHead().seq).toBe(2);
    reopened.db.exec('DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2;');
    expect(reopened.audit.verify(reopened.anchoredHead()).problems).toMatchObject([
      { kind: 'truncated', seq: 2 },
    ]);
    reopened.close();
    workstation.close();
  });

  it('clears away what an interrupted set-up left (a database with no keyring) and sets up afresh', async () => {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    rmSync(join(home, 'keyring.json'));
    rmSync(join(home, 'cases'), { recursive: true });

    const { workstation } = await newWorkstation(home);
    expect(workstation.audit.list().map((e) => e.action)).toEqual(['workstation.init']);
    workstation.close();
    expect((await Workstation.unlock(home, PASSPHRASE)).listCases()).toEqual([]);
  });

  it('refuses to set up over cases whose keyring is missing, and removes nothing', async () => {
    const home = tempDir();
    const { workstation, store } = await workstationWithCase(home);
    store.close();
    workstation.close();
    rmSync(join(home, 'keyring.json'));
    const before = readFileSync(join(home, 'workstation.db'));
    await expect(newWorkstation(home)).rejects.toThrow(
      /has cases but no keyring; restore keyring.json from a backup/,
    );
    expect(readFileSync(join(home, 'workstation.db'))).toEqual(before);
  });

  it('needs an operator name at set-up', async () => {
    await expect(
      Workstation.init(tempDir(), { passphrase: PASSPHRASE, operator: '  ', scrypt: TEST_SCRYPT }),
    ).rejects.toThrow(/operator name/);
  });

  it('says the database is empty or missing when only the keyring is left', async () => {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    writeFileSync(join(home, 'workstation.db'), '');
    await expect(Workstation.unlock(home, PASSPHRASE)).rejects.toThrow(
      /workstation database is empty/,
    );
    rmSync(join(home, 'workstation.db'));
    await expect(Workstation.unlock(home, PASSPHRASE)).rejects.toThrow(
      /workstation database is missing/,
    );
  });
});
