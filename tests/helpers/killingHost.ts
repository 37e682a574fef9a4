import { ForkWorkerHost, type WorkerHandle, type WorkerHost } from '../../main/jobs/WorkerHost.js';
import { waitFor } from './evidence.js';

/**
 * Real worker processes, of which the first is killed with SIGKILL as soon
 * as `ready()` holds (say, once some results are stored): a crash mid-job,
 * for tests of resuming. Later workers run undisturbed.
 */
export function killFirstWorkerWhen(ready: () => boolean): WorkerHost {
  const inner = new ForkWorkerHost();
  let killed = false;
  return {
    start(entry: string, name: string): WorkerHandle {
      const handle = inner.start(entry, name);
      if (!killed) {
        killed = true;
        void waitFor(ready, 60_000).then(() => process.kill(handle.pid!, 'SIGKILL'));
      }
      return handle;
    },
  };
}
