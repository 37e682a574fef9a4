import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { caseMigrations } from '../../main/cases/caseSchema.js';
import { openEncryptedDatabase, type Db } from '../../main/store/EncryptedDatabase.js';
import { migrate } from '../../main/store/migrate.js';

/**
 * A new encrypted case database in `dir`, brought up to just before the
 * migration whose name starts with `migration`, holding one evidence item
 * (id 1, named `item`). `upgrade()` then runs that migration alone: a
 * migration's test writes what an older case held, upgrades, and looks.
 */
export function caseDbBefore(
  dir: string,
  migration: string,
  item = 'item.db',
): { db: Db; upgrade: () => void } {
  const at = caseMigrations.findIndex((m) => m.name.startsWith(migration));
  if (at < 0) throw new Error(`no case migration named ${migration}`);
  const db = openEncryptedDatabase({
    path: join(dir, 'case.db'),
    key: randomBytes(32),
    create: true,
    label: 'case db',
  });
  migrate(db, caseMigrations.slice(0, at), 'case db');
  db.prepare(
    `INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
     VALUES (?, ?, 1, ?, ?, 'evidence/x', 'me', 'now')`,
  ).run(item, `/${item}`, 'a'.repeat(64), 'b'.repeat(32));
  return { db, upgrade: () => migrate(db, caseMigrations.slice(0, at + 1), 'case db') };
}
