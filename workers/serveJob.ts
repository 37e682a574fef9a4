import { ERROR_KINDS, type ErrorKind } from '../main/errorKinds.js';
import type { MainToWorker, WorkerToMain } from './protocol.js';

export interface WorkerIo<Partial> {
  progress(done: number, total: number, stage?: string): void;
  partial(payload: Partial): void;
  /**
   * Sends a partial and resolves once it has left this process: a producer
   * faster than main stores (a parser) awaits it, so unsent partials never
   * pile up in memory.
   */
  deliver(payload: Partial): Promise<void>;
  /** Aborted when main asks the job to stop. */
  signal: AbortSignal;
}

function send(message: WorkerToMain, then?: () => void): void {
  process.send!(message, undefined, {}, () => then?.());
}

/**
 * Runs one job in this worker process. When main goes away (closed, crashed
 * or killed) the worker stops too: main resumes the job from its checkpoint,
 * so nothing is gained by working on alone.
 */
export function serveJob<Input, Partial>(
  handler: (input: Input, io: WorkerIo<Partial>) => Promise<void>,
): void {
  if (!process.send) {
    process.stderr.write('this module runs only as a TOEX worker process\n');
    process.exit(2);
  }
  const controller = new AbortController();
  process.on('disconnect', () => process.exit(0));

  process.on('message', (message: MainToWorker<Input>) => {
    if (message.type === 'cancel') {
      controller.abort();
      return;
    }
    if (message.type !== 'start') return;
    const jobId = message.jobId;
    const io: WorkerIo<Partial> = {
      progress: (done, total, stage) =>
        send({ type: 'progress', jobId, done, total, ...(stage ? { stage } : {}) }),
      partial: (payload) => send({ type: 'partial', jobId, payload }),
      deliver: (payload) =>
        new Promise((resolve) => send({ type: 'partial', jobId, payload }, resolve)),
      signal: controller.signal,
    };
    handler(message.input, io).then(
      () => send({ type: 'done', jobId }, () => process.disconnect()),
      (err: unknown) => {
        const e = err as { kind?: ErrorKind; message?: string };
        const kind = controller.signal.aborted
          ? 'cancelled'
          : e.kind && (ERROR_KINDS as readonly string[]).includes(e.kind)
            ? e.kind
            : 'engine';
        const text = kind === 'cancelled' ? 'cancelled' : (e.message ?? String(err));
        send({ type: 'error', jobId, error: { kind, message: text } }, () => process.disconnect());
      },
    );
  });
}
