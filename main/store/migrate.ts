import { ToexError, fromSqliteError } from '../errors.js';
import { writeTransaction, type Db } from './EncryptedDatabase.js';

export interface Migration {
  /** 1, 2, 3...: the schema version this migration brings the database to. */
  version: number;
  name: string;
  up(db: Db): void;
}

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings a database up to the newest schema, one migration per transaction,
 * recording each version in `user_version`. A database from a newer build is
 * refused rather than guessed at.
 */
export function migrate(db: Db, migrations: readonly Migration[], label: string): MigrationResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new ToexError('internal', `migration ${m.name} is out of sequence`);
    }
  });
  const latest = migrations.length;
  let from: number;
  try {
    from = db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    throw fromSqliteError(err, label);
  }
  if (from > latest) {
    throw new ToexError(
      'conflict',
      `${label} was written by a newer TOEX (schema ${from}; this build knows ${latest})`,
    );
  }

  for (const m of migrations.slice(from)) {
    try {
      writeTransaction(db, () => {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      });
    } catch (err) {
      throw fromSqliteError(err, `${label} (migration ${m.version}, ${m.name})`);
    }
  }
  return { from, to: latest };
}
