import { Workstation } from '../../main/workstation/Workstation.js';
import { PASSPHRASE, TEST_SCRYPT } from './temp.js';

export const NEW_CASE = {
  reference: 'OP-ARCTIC/2026/0042',
  title: 'County lines, Northtown',
  owner: 'DS Kaur',
  classification: 'OFFICIAL-SENSITIVE',
};

export async function newWorkstation(home: string) {
  return Workstation.init(home, {
    passphrase: PASSPHRASE,
    operator: 'DC Test 0001',
    scrypt: TEST_SCRYPT,
  });
}

/** A workstation with one open case, for tests that start from a case. */
export async function workstationWithCase(home: string) {
  const { workstation, recoveryKey } = await newWorkstation(home);
  const info = workstation.createCase(NEW_CASE);
  return { workstation, recoveryKey, info, store: workstation.openCase(info.id) };
}
