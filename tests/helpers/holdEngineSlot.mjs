// Takes an engine slot in a workstation from a process of its own and holds
// it: until stdin closes (then releases it and exits) or until it is killed.
import { Workstation } from '../../dist/main/workstation/Workstation.js';

const [home, jobId] = process.argv.slice(2);
const workstation = await Workstation.unlock(home, 'correct horse battery staple');
const slot = workstation.engines.tryAcquire(jobId);
process.stdout.write(slot ? 'held\n' : 'taken\n');
const beat = setInterval(() => slot?.heartbeat(), 1000);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(beat);
  slot?.release();
  workstation.close();
  process.exit(0);
});
