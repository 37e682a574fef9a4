import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { workstationMigrations } from '../../../main/workstation/workstationSchema.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('workstationSchema', () => {
  const tempDir = useTempDirs();

  it('migration 1 creates settings, the case register and the audit log, with markings limited', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'ws.db'),
      key: randomBytes(32),
      create: true,
      label: 'ws db',
    });
    migrate(db, workstationMigrations.slice(0, 1), 'ws db');

    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(['audit', 'cases', 'settings']);
    const insert = db.prepare(
      `INSERT INTO cases (id, reference, title, owner, classification, status, key_wrapped, created_by, created_at)
       VALUES (?, ?, 't', 'o', ?, 'open', '{}', 'me', 'now')`,
    );
    insert.run('1', 'OP-1', 'OFFICIAL');
    expect(() => insert.run('2', 'op-1', 'OFFICIAL')).toThrow(/UNIQUE/);
    expect(() => insert.run('3', 'OP-3', 'SECRET')).toThrow(/CHECK/);
    db.close();
  });

  it('the engine-slots migration adds the slots table, keeping the register as it was', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'ws.db'),
      key: randomBytes(32),
      create: true,
      label: 'ws db',
    });
    const slots = workstationMigrations.findIndex((m) => m.name === 'engine slots');
    migrate(db, workstationMigrations.slice(0, slots), 'ws db');
    db.prepare(
      `INSERT INTO cases (id, reference, title, owner, classification, status, key_wrapped, created_by, created_at)
       VALUES ('1', 'OP-1', 't', 'o', 'OFFICIAL', 'open', '{}', 'me', 'now')`,
    ).run();

    migrate(db, workstationMigrations.slice(0, slots + 1), 'ws db');

    expect(db.prepare('SELECT id, reference FROM cases').all()).toEqual([
      { id: '1', reference: 'OP-1' },
    ]);
    const insert = db.prepare(
      'INSERT INTO engine_slots (job_id, pid, taken_at, heartbeat_at) VALUES (?, ?, ?, ?)',
    );
    insert.run('j', 42, 'now', 'now');
    expect(() => insert.run('j', 'not a pid', 'now', 'now')).toThrow(/INTEGER/);
    db.close();
  });
});
