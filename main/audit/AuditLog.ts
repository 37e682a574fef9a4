import { createHash } from 'node:crypto';

import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import { canonicalJson } from './canonicalJson.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The table every audited database carries; rows can be added, never changed. */
export const AUDIT_SCHEMA = `
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export type AuditProblemKind = 'altered' | 'removed' | 'reordered' | 'truncated' | 'rewritten';

export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  head: AuditHead;
  problems: AuditProblem[];
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/**
 * The hash covers what an entry says and the hash before it, not its row
 * number: order lives in the chain, so renumbering rows cannot hide a
 * removal or a swap.
 */
function entryHash(row: Omit<AuditRow, 'seq' | 'hash'>): string {
  return createHash('sha256')
    .update('toex-audit-v1\n')
    .update(
      JSON.stringify([row.at, row.actor, row.action, row.subject, row.details, row.prev_hash]),
    )
    .digest('hex');
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditRecord {
  actor: string;
  action: string;
  subject?: string;
  details?: Record<string, unknown>;
}

/**
 * An append-only, hash-chained log in one database. Call `append` inside the
 * same transaction as the change it records, so neither lands without the other.
 */
export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly onDidAppend: (head: AuditHead) => void = () => {},
  ) {}

  append(record: AuditRecord): AuditEntry {
    // Reading the head and writing after it must be one locked step, or two
    // processes appending at once would both take the same number.
    const entry = writeTransaction(this.db, () => this.appendLocked(record));
    this.onDidAppend({ seq: entry.seq, hash: entry.hash });
    return entry;
  }

  private appendLocked(record: AuditRecord): AuditEntry {
    const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
    const row = {
      at: new Date().toISOString(),
      actor: record.actor,
      action: record.action,
      subject: record.subject ?? null,
      details: canonicalJson(record.details ?? {}),
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    const hash = entryHash(row);
    const seq = (last?.seq ?? 0) + 1;
    this.db
      .prepare(
        `INSERT INTO audit (seq, at, actor, action, subject, details, prev_hash, hash)
         VALUES (@seq, @at, @actor, @action, @subject, @details, @prev_hash, @hash)`,
      )
      .run({ ...row, seq, hash });
    return toEntry({ ...row, seq, hash });
  }

  list(options: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(options.afterSeq ?? 0, options.limit ?? -1) as AuditRow[];
    return rows.map(toEntry);
  }

  head(): AuditHead {
    const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      AuditHead | undefined;
    return last ?? { seq: 0, hash: GENESIS_HASH };
  }

  /**
   * Walks the whole chain and names every entry that was altered, removed or
   * moved. `anchor` is the head recorded elsewhere (the workstation's case
   * register), which catches entries cut from the end or a rebuilt chain.
   */
  verify(anchor?: AuditHead): AuditVerification {
    const rows = this.db.prepare('SELECT * FROM audit ORDER BY seq').all() as AuditRow[];
    const problems: AuditProblem[] = [];
    const positionOfHash = new Map(rows.map((r, i) => [r.hash, i]));

    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    // After a moved entry is reported, the links around it are broken by the
    // same move; they are not reported again.
    let skipLinksThrough = -1;
    rows.forEach((row, i) => {
      if (row.seq !== expectedSeq) {
        const gap = row.seq > expectedSeq ? `${expectedSeq}..${row.seq - 1}` : String(row.seq);
        problems.push({ seq: expectedSeq, kind: 'removed', message: `entries ${gap} are missing` });
        skipLinksThrough = i;
      }
      expectedSeq = row.seq + 1;

      if (entryHash(row) !== row.hash) {
        problems.push({
          seq: row.seq,
          kind: 'altered',
          message: `entry ${row.seq} (${row.action}) was altered after it was written`,
        });
      } else if (row.prev_hash !== prevHash && i > skipLinksThrough) {
        const follows = positionOfHash.get(row.prev_hash);
        if (follows !== undefined && follows > i) {
          problems.push({
            seq: row.seq,
            kind: 'reordered',
            message: `entry ${row.seq} was moved: it was written after entry ${rows[follows]!.seq}`,
          });
          skipLinksThrough = follows + 1;
        } else if (follows !== undefined) {
          problems.push({
            seq: row.seq,
            kind: 'reordered',
            message: `entry ${row.seq} was moved: it was written straight after entry ${rows[follows]!.seq}`,
          });
        } else {
          problems.push({
            seq: row.seq,
            kind: 'removed',
            message: `the chain breaks before entry ${row.seq}: an entry was removed or rewritten`,
          });
        }
      }
      prevHash = row.hash;
    });

    const head = rows.length
      ? { seq: rows.at(-1)!.seq, hash: rows.at(-1)!.hash }
      : { seq: 0, hash: GENESIS_HASH };
    if (anchor && anchor.seq > 0) {
      const anchored = rows.find((r) => r.seq === anchor.seq);
      if (head.seq < anchor.seq) {
        problems.push({
          seq: head.seq + 1,
          kind: 'truncated',
          message: `entries ${head.seq + 1}..${anchor.seq} were cut from the end of the log`,
        });
      } else if (anchored && anchored.hash !== anchor.hash) {
        problems.push({
          seq: anchor.seq,
          kind: 'rewritten',
          message: `entry ${anchor.seq} does not match the hash the workstation recorded: the chain was rebuilt`,
        });
      }
    }
    return { ok: problems.length === 0, entries: rows.length, head, problems };
  }
}
