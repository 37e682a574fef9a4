import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate, type Migration } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

const steps: Migration[] = [
  { version: 1, name: 'table', up: (db) => db.exec('CREATE TABLE a (x)') },
  { version: 2, name: 'column', up: (db) => db.exec('ALTER TABLE a ADD COLUMN y') },
];

describe('migrate', () => {
  const tempDir = useTempDirs();
  const open = () =>
    openEncryptedDatabase({
      path: join(tempDir(), 'm.db'),
      key: randomBytes(32),
      create: true,
      label: 'the test database',
    });

  it('applies each migration once and records the version', () => {
    const db = open();
    expect(migrate(db, steps.slice(0, 1), 'db')).toEqual({ from: 0, to: 1 });
    expect(migrate(db, steps, 'db')).toEqual({ from: 1, to: 2 });
    expect(migrate(db, steps, 'db')).toEqual({ from: 2, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT name FROM pragma_table_info('a')").all()).toEqual([
      { name: 'x' },
      { name: 'y' },
    ]);
    db.close();
  });

  it('rolls a failing migration back whole and keeps the old version', () => {
    const db = open();
    migrate(db, steps.slice(0, 1), 'db');
    const broken: Migration[] = [
      steps[0]!,
      {
        version: 2,
        name: 'broken',
        up: (d) => {
          d.exec('CREATE TABLE b (x)');
          d.exec('NOT SQL');
        },
      },
    ];
    expect(() => migrate(db, broken, 'the test database')).toThrow(/migration 2, broken/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'b'`).get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('refuses a database written by a newer build', () => {
    const db = open();
    migrate(db, steps, 'db');
    expect(() => migrate(db, steps.slice(0, 1), 'the test database')).toThrow(
      /newer TOEX \(schema 2; this build knows 1\)/,
    );
    db.close();
  });
});
