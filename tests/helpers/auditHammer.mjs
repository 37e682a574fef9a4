// Appends audit entries to a case from a second process for a while, so a
// test can check that two processes writing one case never collide.
import { Workstation } from '../../dist/main/workstation/Workstation.js';

const [home, ref, count] = process.argv.slice(2);
const ws = await Workstation.unlock(home, 'correct horse battery staple');
const store = ws.openCase(ref);
for (let i = 0; i < Number(count); i++) {
  store.audit.append({ actor: 'second process', action: 'test.hammer', details: { i } });
  store.jobs.enqueue('evidence.verify', { hammer: i });
}
store.close();
ws.close();
process.stdout.write('done');
