import { fork } from 'node:child_process';

import type { MainToWorker, WorkerToMain } from '../../workers/protocol.js';
import { getLogger } from '../log/log.js';

const log = getLogger('jobs');

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

/** A running worker process, whatever started it. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: MainToWorker): void;
  onDidMessage(listener: (message: WorkerToMain) => void): void;
  onDidExit(listener: (exit: WorkerExit) => void): void;
  /** Ends the worker at once (SIGKILL). */
  kill(): void;
}

/**
 * Starts worker processes. Under Node this forks; the desktop app supplies
 * one backed by Electron's utilityProcess, which has the same shape.
 */
export interface WorkerHost {
  start(entry: string, name: string): WorkerHandle;
}

export class ForkWorkerHost implements WorkerHost {
  start(entry: string, name: string): WorkerHandle {
    const child = fork(entry, [], {
      serialization: 'advanced',
      // A worker's stderr goes to the terminal, never to the log file: a
      // parser's crash text could quote the evidence it choked on.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // A process group of its own: Ctrl-C at the terminal goes to the whole
      // foreground group, and main alone decides what it means for a job
      // (cancel, or leave to resume); a worker and engine killed by it
      // would count as a crash and be retried.
      detached: true,
      env: { ...process.env, TOEX_WORKER: name },
    });
    // A worker that died is reported by its exit; a send that races with the
    // death (EPIPE) or a failed spawn must not become an unhandled error too.
    child.on('error', (err) =>
      log.warn({ worker: name, code: (err as NodeJS.ErrnoException).code }, 'worker channel error'),
    );
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) {
          child.send(
            message,
            (err) => err && log.debug({ worker: name }, 'message to a stopped worker dropped'),
          );
        }
      },
      onDidMessage: (listener) => child.on('message', (m) => listener(m as WorkerToMain)),
      onDidExit: (listener) =>
        child.on('exit', (code, signal) => listener({ code, signal: signal ?? null })),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  }
}
