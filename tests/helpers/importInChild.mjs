// Imports one file into a fresh workstation in this process and prints the
// result with the process's peak memory, so a test can hold intake to a
// memory bound without measuring itself.
import { Workstation } from '../../dist/main/workstation/Workstation.js';

const [home, file] = process.argv.slice(2);
const { workstation } = await Workstation.init(home, {
  passphrase: 'correct horse battery staple',
  operator: 'DC Test 0001',
  scrypt: { N: 2 ** 14, r: 8, p: 1 },
});
const info = workstation.createCase({
  reference: 'OP-BIG',
  title: 'big file',
  owner: 'DS Test',
  classification: 'OFFICIAL',
});
const store = workstation.openCase(info.id);
const { item } = await store.importEvidence(file);
store.close();
workstation.close();
process.stdout.write(JSON.stringify({ item, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
