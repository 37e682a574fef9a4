import { availableParallelism } from 'node:os';

import { ToexError, fromSqliteError } from '../errors.js';
import type { EngineSlot, EngineSlots } from '../jobs/EngineSlots.js';
import { STALE_AFTER_MS } from '../jobs/JobQueue.js';
import { getLogger } from '../log/log.js';
import { isProcessAlive } from '../processAlive.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';

const log = getLogger('workstation');

export const ENGINE_LIMIT_SETTING = 'engine-limit';

/** One engine on a machine of at most two cores, else one per two cores. */
export function defaultEngineLimit(cores = availableParallelism()): number {
  return cores <= 2 ? 1 : Math.floor(cores / 2);
}

export function parseEngineLimit(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 64) {
    throw new ToexError('bad-input', 'the engine limit is a whole number from 1 to 64');
  }
  return Number(text);
}

export interface RunningEngine {
  jobId: string;
  pid: number;
  takenAt: string;
}

interface SlotRow {
  id: number;
  job_id: string;
  pid: number;
  taken_at: string;
  heartbeat_at: string;
}

/**
 * Engine slots counted in the workstation database, so every `toex` process
 * on the machine sees the same count; a write transaction makes taking one
 * atomic. A slot whose process has died, or which has not been beaten for
 * the stale time (a frozen process, a reused pid), counts as free.
 */
export class WorkstationEngineSlots implements EngineSlots {
  constructor(
    private readonly db: Db,
    private readonly limit: () => number,
  ) {}

  private live(): SlotRow[] {
    const now = Date.now();
    const rows = this.db.prepare('SELECT * FROM engine_slots ORDER BY id').all() as SlotRow[];
    const dead = rows.filter(
      (r) => !isProcessAlive(r.pid) || now - Date.parse(r.heartbeat_at) > STALE_AFTER_MS,
    );
    const drop = this.db.prepare('DELETE FROM engine_slots WHERE id = ?');
    for (const r of dead) {
      drop.run(r.id);
      log.warn({ jobId: r.job_id, pid: r.pid }, 'engine slot of a stopped process freed');
    }
    return rows.filter((r) => !dead.includes(r));
  }

  tryAcquire(jobId: string): EngineSlot | undefined {
    let id: number | undefined;
    try {
      id = writeTransaction(this.db, () => {
        if (this.live().length >= this.limit()) return undefined;
        const now = new Date().toISOString();
        return Number(
          this.db
            .prepare(
              'INSERT INTO engine_slots (job_id, pid, taken_at, heartbeat_at) VALUES (?, ?, ?, ?)',
            )
            .run(jobId, process.pid, now, now).lastInsertRowid,
        );
      });
    } catch (err) {
      throw fromSqliteError(err, 'taking an engine slot');
    }
    if (id === undefined) return undefined;
    log.info({ jobId, slot: id }, 'engine slot taken');
    // Both run from timers and finally blocks, where a throw would end the process: a beat
    // or a release that the busy database refuses is logged instead. A slot left behind
    // stops being renewed, so it counts as free once it is stale.
    const quietly = (what: string, fn: () => void) => () => {
      try {
        fn();
      } catch (err) {
        log.warn(
          { jobId, slot: id, code: (err as { code?: string }).code },
          `engine slot ${what} failed`,
        );
      }
    };
    return {
      heartbeat: quietly('heartbeat', () => {
        this.db
          .prepare('UPDATE engine_slots SET heartbeat_at = ? WHERE id = ?')
          .run(new Date().toISOString(), id);
      }),
      release: quietly('release', () => {
        this.db.prepare('DELETE FROM engine_slots WHERE id = ?').run(id);
      }),
    };
  }

  running(): RunningEngine[] {
    return writeTransaction(this.db, () => this.live()).map((r) => ({
      jobId: r.job_id,
      pid: r.pid,
      takenAt: r.taken_at,
    }));
  }

  /** Frees whatever this process still holds (it is closing the workstation). */
  releaseOwn(): void {
    this.db.prepare('DELETE FROM engine_slots WHERE pid = ?').run(process.pid);
  }
}
