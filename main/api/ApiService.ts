import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';

import type { CaseStore } from '../cases/CaseStore.js';
import { ToexError, toToexError } from '../errors.js';
import type { Job } from '../jobs/JobQueue.js';
import { getLogger } from '../log/log.js';
import { Workstation, workstationPaths } from '../workstation/Workstation.js';
import { CaseJobs } from './CaseJobs.js';
import {
  isOperationName,
  operations,
  type ApiError,
  type ApiEvent,
  type Envelope,
  type OperationName,
  type Output,
} from './contract.js';
import { caseHandlers } from './caseHandlers.js';
import { contentHandlers } from './contentHandlers.js';
import { audioMime, jobView } from './views.js';
import type { z } from 'zod';

const log = getLogger('api');

/** A file put forward for import: uploaded to a temporary file (web mode) or chosen in a dialog. */
interface StagedFile {
  path: string;
  name: string;
  /** The service made the file and removes it once imported or at shutdown. */
  owned: boolean;
}

/** An open case with the jobs running on it. */
export interface CaseSession {
  store: CaseStore;
  jobs: CaseJobs;
}

type ParsedInput<N extends OperationName> = z.output<(typeof operations)[N]['input']>;
export type Handlers = {
  [N in OperationName]: (input: ParsedInput<N>) => Promise<Output<N>> | Output<N>;
};

/**
 * The services behind the API contract for one data folder and one signed-in
 * operator. Every call's input is checked against the contract before it is
 * acted on and every reply before it leaves, and every failure becomes an
 * envelope with a kind and one line: the same whether the window is the
 * desktop app or a browser on the loopback.
 */
export class ApiService {
  private ws: Workstation | undefined;
  private readonly cases = new Map<string, CaseSession>();
  private readonly staged = new Map<string, StagedFile>();
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly handlers: Handlers;
  private disposed = false;
  private unlocking: Promise<void> = Promise.resolve();

  constructor(readonly home: string) {
    this.handlers = { ...caseHandlers(this), ...contentHandlers(this) };
  }

  onDidEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs one operation by name; never throws. */
  async call<N extends OperationName>(name: N, input: unknown): Promise<Envelope<Output<N>>>;
  async call(name: unknown, input: unknown): Promise<Envelope<unknown>>;
  async call(name: unknown, input: unknown): Promise<Envelope<unknown>> {
    if (this.disposed) return failure('cancelled', 'the workstation is shutting down');
    if (!isOperationName(name)) return failure('bad-input', 'unknown operation');
    const parsed = operations[name].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return failure('bad-input', `${name}: ${issue.path.join('.') || 'input'}: ${issue.message}`);
    }
    try {
      const handler = this.handlers[name] as (input: unknown) => unknown;
      const value = operations[name].output.parse(await handler(parsed.data));
      return { ok: true, value };
    } catch (err) {
      const e = toToexError(err);
      if (e.kind !== 'internal') return failure(e.kind, e.message);
      // A bug's own message may quote anything, evidence included: it goes to the log only.
      log.error({ operation: name, err }, 'operation failed');
      return failure('internal', `${name} failed inside TOEX; the log has the details`);
    }
  }

  get initialised(): boolean {
    return existsSync(workstationPaths(this.home).keyring);
  }

  get unlocked(): Workstation | undefined {
    return this.ws;
  }

  /** Sets up a workstation in an empty data folder and leaves it unlocked; the recovery key is returned once. */
  async init(
    operator: string,
    passphrase: string,
  ): Promise<{ ws: Workstation; recoveryKey: string }> {
    if (this.initialised) {
      throw new ToexError('conflict', 'this data folder has a workstation already: unlock it');
    }
    const { workstation, recoveryKey } = await Workstation.init(this.home, {
      operator,
      passphrase,
    });
    this.ws = workstation;
    log.info({}, 'workstation set up');
    return { ws: workstation, recoveryKey };
  }

  /**
   * Unlocks with the passphrase. Attempts are taken one at a time, each
   * costing its key derivation (about half a second): guesses cannot be run
   * in parallel to go faster, nor exhaust the memory scrypt takes.
   */
  unlock(passphrase: string): Promise<Workstation> {
    const attempt = this.unlocking.then(() => this.unlockNow(passphrase));
    this.unlocking = attempt.then(
      () => undefined,
      () => undefined,
    );
    return attempt;
  }

  private async unlockNow(passphrase: string): Promise<Workstation> {
    if (this.ws) return this.ws;
    if (!this.initialised) {
      throw new ToexError(
        'not-found',
        'this data folder has no workstation yet: run toex init first',
      );
    }
    this.ws = await Workstation.unlock(this.home, passphrase);
    log.info({}, 'workstation unlocked');
    return this.ws;
  }

  /**
   * Stops every case's jobs and closes every database. A running job's worker
   * is stopped and the job put back in the queue, from its last checkpoint,
   * before its database closes: it goes on at the next unlock.
   */
  async lock(): Promise<void> {
    const sessions = [...this.cases.values()];
    this.cases.clear();
    for (const session of sessions) session.jobs.dispose();
    for (const session of sessions) {
      await session.jobs.idle();
      session.store.close();
    }
    this.ws?.close();
    this.ws = undefined;
  }

  workstation(): Workstation {
    if (!this.ws) throw new ToexError('locked', 'the workstation is locked: unlock it first');
    return this.ws;
  }

  /** The case, opened once and kept open with its job runner while the workstation is unlocked. */
  caseSession(caseId: string): CaseSession {
    const ws = this.workstation();
    const id = ws.getCase(caseId).id;
    const open = this.cases.get(id);
    if (open) return open;
    const store = ws.openCase(id);
    const session: CaseSession = {
      store,
      jobs: new CaseJobs(store, ws.engines, (job) => this.emitJob(id, job)),
    };
    this.cases.set(id, session);
    // Jobs left queued (put back at a lock, or by a process that stopped) go on now.
    session.jobs.start([]);
    return session;
  }

  /** The case's store with its settings as they stand now (its status may have changed). */
  freshCase(caseId: string): CaseSession {
    const session = this.caseSession(caseId);
    const status = this.workstation().getCase(session.store.info.id).status;
    // Not yet: a case closed in another process while this one runs its jobs is reread only
    // once they end; the window keeps the status it read until then.
    if (status !== session.store.info.status && !session.jobs.busy) {
      session.jobs.dispose();
      session.store.close();
      this.cases.delete(session.store.info.id);
      return this.caseSession(caseId);
    }
    return session;
  }

  /** Registers a file for a later `evidence:import`; the id is all the window ever sees of it. */
  stage(file: StagedFile): string {
    const id = randomBytes(16).toString('hex');
    this.staged.set(id, file);
    return id;
  }

  takeStaged(id: string): StagedFile {
    const file = this.staged.get(id);
    if (!file) {
      throw new ToexError(
        'not-found',
        'that file is no longer waiting to be imported; choose it again',
      );
    }
    this.staged.delete(id);
    return file;
  }

  releaseStaged(file: StagedFile): void {
    if (file.owned) rmSync(file.path, { force: true });
  }

  /** A recording of the case for the audio player, found by the path `transcripts:get` gave. */
  mediaFile(path: string): { file: string; mime: string } {
    const match = /^\/media\/([0-9a-f-]{36})\/(\d{1,9})$/.exec(path);
    if (!match) throw new ToexError('not-found', 'no such recording');
    const { store } = this.caseSession(match[1]!);
    const item = store.evidence.get(Number(match[2]));
    // Only a recording: an item with a finished transcript, not any item a failed job named.
    const transcribed = store.transcripts
      .list()
      .some((t) => t.evidenceId === item.id && store.jobs.get(t.jobId).state === 'done');
    if (!transcribed) throw new ToexError('not-found', 'no such recording');
    return { file: store.evidence.absolutePath(item), mime: audioMime(item.originalName) };
  }

  /** Stops running jobs at their checkpoints and closes everything. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.lock();
    for (const file of this.staged.values()) this.releaseStaged(file);
    this.staged.clear();
    this.listeners.clear();
  }

  private emitJob(caseId: string, job: Job): void {
    const event: ApiEvent = { type: 'job', caseId, job: jobView(job) };
    for (const listener of this.listeners) listener(event);
  }
}

function failure(kind: ApiError['kind'], message: string): Envelope<never> {
  return { ok: false, error: { kind, message } };
}
