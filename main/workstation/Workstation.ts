import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

import { AuditLog, GENESIS_HASH, type AuditHead } from '../audit/AuditLog.js';
import { CaseStore, type CaseInfo } from '../cases/CaseStore.js';
import { parseClassification, type Classification } from '../cases/classification.js';
import { ToexError, fromFsError, fromSqliteError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { showControls } from '../visibleText.js';
import { openEncryptedDatabase, writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import {
  randomKey,
  unwrapKey,
  wrapKey,
  type ScryptParams,
  type WrappedKey,
} from '../store/keyCrypto.js';
import {
  changePassphrase,
  newKeyring,
  unlockWithPassphrase,
  unlockWithRecoveryKey,
} from '../store/Keyring.js';
import { migrate } from '../store/migrate.js';
import {
  ENGINE_LIMIT_SETTING,
  WorkstationEngineSlots,
  defaultEngineLimit,
} from './WorkstationEngineSlots.js';
import { workstationMigrations } from './workstationSchema.js';

const log = getLogger('workstation');

export interface WorkstationPaths {
  home: string;
  keyring: string;
  database: string;
  cases: string;
  logs: string;
}

export function workstationPaths(home: string): WorkstationPaths {
  return {
    home,
    keyring: join(home, 'keyring.json'),
    database: join(home, 'workstation.db'),
    cases: join(home, 'cases'),
    logs: join(home, 'logs'),
  };
}

export interface NewCase {
  reference: string;
  title: string;
  owner: string;
  classification: string;
}

interface CaseRow {
  id: string;
  reference: string;
  title: string;
  owner: string;
  classification: Classification;
  status: 'open' | 'closed';
  key_wrapped: string;
  created_by: string;
  created_at: string;
  closed_at: string | null;
  audit_seq: number;
  audit_hash: string | null;
}

function toInfo(row: CaseRow): CaseInfo {
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    owner: row.owner,
    classification: row.classification,
    status: row.status,
    createdBy: row.created_by,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

/**
 * A workstation database with no keyring beside it is what an interrupted
 * set-up leaves: nothing can ever open it (its key existed only in that
 * process), and no case can have been made in it. Only such a leftover is removed.
 */
function removeUnfinishedSetUp(paths: WorkstationPaths): void {
  if (existsSync(paths.keyring) || !existsSync(paths.database)) return;
  if (readdirSync(paths.cases).length > 0) {
    throw new ToexError(
      'conflict',
      'this data folder has cases but no keyring; restore keyring.json from a backup (nothing was changed)',
    );
  }
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(paths.database + suffix, { force: true, recursive: false });
  }
  log.warn({}, 'removed the database of an unfinished set-up');
}

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$/;
const CASE_KEY_SLOT = 'toex-case-key-v1:';
const WORKSTATION_LABEL = 'the workstation database';

function requireText(value: unknown, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new ToexError('bad-input', `a case needs a ${field}`);
  if (text.length > max) {
    throw new ToexError('bad-input', `the ${field} is longer than ${max} characters`);
  }
  return text;
}

/**
 * An unlocked workstation: the keyring's master key, the workstation
 * database with the case register, and the key to every case in it.
 */
export class Workstation {
  readonly audit: AuditLog;
  readonly actor: string;
  /** The machine-wide limit on running engines; give it to every job runner. */
  readonly engines: WorkstationEngineSlots;

  private constructor(
    readonly paths: WorkstationPaths,
    private readonly db: Db,
    private readonly masterKey: Buffer,
  ) {
    this.audit = new AuditLog(db);
    this.engines = new WorkstationEngineSlots(db, () => this.engineLimit().limit);
    const operator = this.setting('operator') ?? 'unknown operator';
    this.actor = `${operator} [${userInfo().username}@${hostname()}]`;
  }

  /** Sets up a new workstation in `home`. The recovery key is returned once and stored nowhere. */
  static async init(
    home: string,
    options: { passphrase: string; operator: string; scrypt?: ScryptParams },
  ): Promise<{ workstation: Workstation; recoveryKey: string }> {
    const operator = options.operator?.trim();
    if (!operator) {
      throw new ToexError(
        'bad-input',
        'set-up needs the operator name that audit entries will carry',
      );
    }
    if (showControls(operator) !== operator) {
      // Every audit entry carries it: a control or direction character would disguise them all.
      throw new ToexError('bad-input', 'the operator name holds control or direction characters');
    }
    if (operator.length > 100) {
      throw new ToexError('bad-input', 'the operator name is longer than 100 characters');
    }
    const paths = workstationPaths(home);
    if (existsSync(paths.keyring)) {
      throw new ToexError(
        'conflict',
        'a workstation is already set up in this data folder; nothing was changed',
      );
    }
    const keyring = await newKeyring(options.passphrase, options.scrypt);
    try {
      mkdirSync(paths.cases, { recursive: true, mode: 0o700 });
      removeUnfinishedSetUp(paths);
    } catch (err) {
      throw fromFsError(err, 'preparing the data folder');
    }

    // The keyring is written last: until it exists the folder holds nothing
    // that a later `init` cannot safely clear away.
    const db = openEncryptedDatabase({
      path: paths.database,
      key: keyring.masterKey,
      create: true,
      label: WORKSTATION_LABEL,
    });
    let workstation: Workstation;
    try {
      migrate(db, workstationMigrations, WORKSTATION_LABEL);
      db.prepare(`INSERT INTO settings (key, value) VALUES ('operator', ?)`).run(operator);
      workstation = new Workstation(paths, db, keyring.masterKey);
      workstation.audit.append({
        actor: workstation.actor,
        action: 'workstation.init',
        details: {},
      });
      keyring.write(paths.keyring);
    } catch (err) {
      db.close();
      throw err instanceof ToexError ? err : fromFsError(err, 'writing the keyring');
    }
    const recoveryKey = keyring.recoveryKey;
    log.info({}, 'workstation set up');
    return { workstation, recoveryKey };
  }

  static async unlock(home: string, passphrase: string): Promise<Workstation> {
    const paths = workstationPaths(home);
    const masterKey = await unlockWithPassphrase(paths.keyring, passphrase);
    return Workstation.openWith(paths, masterKey);
  }

  /** Unlocks with the recovery key; the caller then sets a new passphrase. */
  static recover(home: string, recoveryKey: string): Workstation {
    const paths = workstationPaths(home);
    const workstation = Workstation.openWith(
      paths,
      unlockWithRecoveryKey(paths.keyring, recoveryKey),
    );
    workstation.audit.append({
      actor: workstation.actor,
      action: 'workstation.recovery-key-used',
      details: {},
    });
    return workstation;
  }

  private static openWith(paths: WorkstationPaths, masterKey: Buffer): Workstation {
    if (!existsSync(paths.database)) {
      throw new ToexError(
        'storage',
        'the workstation database is missing from the data folder; restore it from a backup',
      );
    }
    const db = openEncryptedDatabase({
      path: paths.database,
      key: masterKey,
      create: false,
      label: WORKSTATION_LABEL,
    });
    try {
      migrate(db, workstationMigrations, WORKSTATION_LABEL);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Workstation(paths, db, masterKey);
  }

  private setting(key: string): string | undefined {
    return (
      this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
        { value: string } | undefined
    )?.value;
  }

  /** How many engines may run at once, and whether that is the default for this machine. */
  engineLimit(): { limit: number; isDefault: boolean } {
    const set = this.setting(ENGINE_LIMIT_SETTING);
    return set === undefined
      ? { limit: defaultEngineLimit(), isDefault: true }
      : { limit: Number(set), isDefault: false };
  }

  /** Sets the engine limit, or (null) returns to the default for this machine. */
  setEngineLimit(limit: number | null): void {
    if (limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > 64)) {
      throw new ToexError('bad-input', 'the engine limit is a whole number from 1 to 64');
    }
    writeTransaction(this.db, () => {
      if (limit === null) {
        this.db.prepare('DELETE FROM settings WHERE key = ?').run(ENGINE_LIMIT_SETTING);
      } else {
        this.db
          .prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)')
          .run(ENGINE_LIMIT_SETTING, String(limit));
      }
      this.audit.append({
        actor: this.actor,
        action: 'workstation.engine-limit',
        details: { limit: limit ?? `default (${defaultEngineLimit()})` },
      });
    });
  }

  async changePassphrase(newPassphrase: string, scrypt?: ScryptParams): Promise<void> {
    await changePassphrase(this.paths.keyring, this.masterKey, newPassphrase, scrypt);
    this.audit.append({ actor: this.actor, action: 'workstation.passphrase-change', details: {} });
  }

  createCase(input: NewCase): CaseInfo {
    const reference = requireText(input.reference, 'reference', 64);
    if (!REFERENCE.test(reference)) {
      throw new ToexError(
        'bad-input',
        'a case reference uses letters, digits, spaces and . _ / - (e.g. OP-ARCTIC/2026/0042)',
      );
    }
    const title = requireText(input.title, 'title', 200);
    const owner = requireText(input.owner, 'owner', 100);
    const classification = parseClassification(
      typeof input.classification === 'string' ? input.classification : '',
    );
    if (this.findRow(reference)) {
      throw new ToexError('conflict', `a case with reference ${reference} already exists`);
    }

    const id = randomUUID();
    const caseKey = randomKey();
    const info: CaseInfo = {
      id,
      reference,
      title,
      owner,
      classification,
      status: 'open',
      createdBy: this.actor,
      createdAt: new Date().toISOString(),
      closedAt: null,
    };
    const wrapped = JSON.stringify(wrapKey(this.masterKey, caseKey, CASE_KEY_SLOT + id));

    // The register row comes first: a case folder with no row is an
    // unreachable leftover, but a row with no folder would be a lost case.
    try {
      writeTransaction(this.db, () => {
        this.db
          .prepare(
            `INSERT INTO cases (id, reference, title, owner, classification, status, key_wrapped, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
          )
          .run(
            id,
            reference,
            title,
            owner,
            classification,
            wrapped,
            info.createdBy,
            info.createdAt,
          );
        this.audit.append({
          actor: this.actor,
          action: 'case.create',
          subject: `case:${id}`,
          details: { reference, classification },
        });
        CaseStore.create(
          join(this.paths.cases, id),
          caseKey,
          info,
          this.actor,
          this.anchorFor(id),
          this.paths.home,
        ).close();
      });
    } catch (err) {
      throw fromSqliteError(err, 'creating the case');
    }
    log.info({ caseId: id }, 'case created');
    return info;
  }

  listCases(): CaseInfo[] {
    return (this.db.prepare('SELECT * FROM cases ORDER BY created_at').all() as CaseRow[]).map(
      toInfo,
    );
  }

  private findRow(refOrId: string): CaseRow | undefined {
    return this.db
      .prepare('SELECT * FROM cases WHERE reference = ? COLLATE NOCASE OR id = ?')
      .get(refOrId, refOrId) as CaseRow | undefined;
  }

  private row(refOrId: string): CaseRow {
    const row =
      typeof refOrId === 'string' && refOrId.trim() ? this.findRow(refOrId.trim()) : undefined;
    if (!row) {
      throw new ToexError(
        'not-found',
        `no case ${JSON.stringify(refOrId ?? '')} on this workstation`,
      );
    }
    return row;
  }

  getCase(refOrId: string): CaseInfo {
    return toInfo(this.row(refOrId));
  }

  openCase(refOrId: string): CaseStore {
    const row = this.row(refOrId);
    const caseKey = unwrapKey(
      this.masterKey,
      JSON.parse(row.key_wrapped) as WrappedKey,
      CASE_KEY_SLOT + row.id,
    );
    if (!caseKey) {
      throw new ToexError(
        'wrong-key',
        `the key of case ${row.reference} does not open with this workstation's key`,
      );
    }
    return CaseStore.open(
      join(this.paths.cases, row.id),
      caseKey,
      toInfo(row),
      this.actor,
      this.anchorFor(row.id),
      this.paths.home,
    );
  }

  /** A closed case can be read and verified but takes no new evidence or jobs. */
  setCaseStatus(refOrId: string, status: 'open' | 'closed'): CaseInfo {
    const row = this.row(refOrId);
    if (row.status === status) {
      throw new ToexError('conflict', `case ${row.reference} is already ${status}`);
    }
    writeTransaction(this.db, () => {
      this.db
        .prepare('UPDATE cases SET status = ?, closed_at = ? WHERE id = ?')
        .run(status, status === 'closed' ? new Date().toISOString() : null, row.id);
      this.audit.append({
        actor: this.actor,
        action: status === 'closed' ? 'case.close' : 'case.reopen',
        subject: `case:${row.id}`,
        details: { reference: row.reference },
      });
    });
    const store = this.openCase(row.id);
    try {
      store.audit.append({
        actor: this.actor,
        action: status === 'closed' ? 'case.close' : 'case.reopen',
        subject: `case:${row.id}`,
        details: {},
      });
    } finally {
      store.close();
    }
    return this.getCase(row.id);
  }

  private anchorFor(caseId: string) {
    return {
      get: (): AuditHead => {
        const row = this.db
          .prepare('SELECT audit_seq, audit_hash FROM cases WHERE id = ?')
          .get(caseId) as { audit_seq: number; audit_hash: string | null } | undefined;
        return { seq: row?.audit_seq ?? 0, hash: row?.audit_hash ?? GENESIS_HASH };
      },
      set: (head: AuditHead): void => {
        this.db
          .prepare('UPDATE cases SET audit_seq = ?, audit_hash = ? WHERE id = ? AND audit_seq < ?')
          .run(head.seq, head.hash, caseId, head.seq);
      },
    };
  }

  close(): void {
    this.masterKey.fill(0);
    this.engines.releaseOwn();
    this.db.close();
  }
}
