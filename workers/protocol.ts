import type { SerializedError } from '../main/errors.js';

/**
 * Messages between main and a worker process. Every message names its job;
 * a worker runs one job at a time and exits when it is done.
 */
export type MainToWorker<Input = unknown> =
  | { type: 'start'; jobId: string; input: Input }
  /** Stop at the next safe point and reply with an error of kind `cancelled`. */
  | { type: 'cancel'; jobId: string };

export type WorkerToMain<Partial = unknown> =
  /** How far the worker is through the input it was given, in its own units (bytes, items). */
  | { type: 'progress'; jobId: string; done: number; total: number; stage?: string }
  /** One finished piece of work; main stores it with the job's checkpoint in one transaction. */
  | { type: 'partial'; jobId: string; payload: Partial }
  | { type: 'done'; jobId: string }
  | { type: 'error'; jobId: string; error: SerializedError };
