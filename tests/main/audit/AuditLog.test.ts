import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AUDIT_SCHEMA, AuditLog } from '../../../main/audit/AuditLog.js';
import { openEncryptedDatabase, type Db } from '../../../main/store/EncryptedDatabase.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('AuditLog', () => {
  const tempDir = useTempDirs();

  function logWith(entries: number): { db: Db; log: AuditLog } {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'audit.db'),
      key: randomBytes(32),
      create: true,
      label: 'the test database',
    });
    db.exec(AUDIT_SCHEMA);
    const log = new AuditLog(db);
    for (let i = 1; i <= entries; i++) {
      log.append({
        actor: 'DC Test',
        action: `test.step-${i}`,
        subject: `item:${i}`,
        details: { n: i },
      });
    }
    return { db, log };
  }

  /** What someone holding the key could do with the sqlite shell: the triggers go first. */
  function tamper(db: Db, sql: string, ...params: unknown[]): void {
    db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    db.prepare(sql).run(...params);
  }

  it('chains each entry to the one before and verifies an untouched log', () => {
    const { log } = logWith(5);
    const entries = log.list();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
    }
    expect(log.verify()).toEqual({
      ok: true,
      entries: 5,
      head: { seq: 5, hash: entries[4]!.hash },
      problems: [],
    });
  });

  it('verifies an empty log', () => {
    expect(logWith(0).log.verify()).toMatchObject({ ok: true, entries: 0, problems: [] });
  });

  it('refuses updates and deletes while its triggers stand', () => {
    const { db } = logWith(2);
    expect(() => db.prepare(`UPDATE audit SET actor = 'someone else' WHERE seq = 1`).run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM audit WHERE seq = 2').run()).toThrow(/append-only/);
  });

  it('names an entry whose details were altered', () => {
    const { db, log } = logWith(5);
    tamper(db, `UPDATE audit SET details = '{"n":99}' WHERE seq = 3`);
    const result = log.verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        seq: 3,
        kind: 'altered',
        message: 'entry 3 (test.step-3) was altered after it was written',
      },
    ]);
  });

  it('names an entry whose actor and hash were both replaced, and the break it leaves after it', () => {
    const { db, log } = logWith(4);
    tamper(db, `UPDATE audit SET actor = 'someone else', hash = ? WHERE seq = 2`, 'f'.repeat(64));
    expect(log.verify().problems).toEqual([
      {
        seq: 2,
        kind: 'altered',
        message: 'entry 2 (test.step-2) was altered after it was written',
      },
      {
        seq: 3,
        kind: 'removed',
        message: 'the chain breaks before entry 3: an entry was removed or rewritten',
      },
    ]);
  });

  it('names the gap left by a removed entry', () => {
    const { db, log } = logWith(5);
    tamper(db, 'DELETE FROM audit WHERE seq = 3');
    expect(log.verify().problems).toEqual([
      { seq: 3, kind: 'removed', message: 'entries 3..3 are missing' },
    ]);
  });

  it('finds a removed entry even when the rows after it were renumbered', () => {
    const { db, log } = logWith(5);
    tamper(db, 'DELETE FROM audit WHERE seq = 3');
    db.exec('UPDATE audit SET seq = seq - 1 WHERE seq > 3');
    expect(log.verify().problems).toEqual([
      {
        seq: 3,
        kind: 'removed',
        message: 'the chain breaks before entry 3: an entry was removed or rewritten',
      },
    ]);
  });

  it('names two entries that were swapped', () => {
    const { db, log } = logWith(6);
    tamper(db, 'UPDATE audit SET seq = 100 WHERE seq = 3');
    db.exec('UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 100;');
    expect(log.verify().problems).toEqual([
      { seq: 3, kind: 'reordered', message: 'entry 3 was moved: it was written after entry 4' },
    ]);
  });

  it('with the anchor kept elsewhere, finds entries cut from the end', () => {
    const { db, log } = logWith(6);
    const anchor = log.head();
    tamper(db, 'DELETE FROM audit WHERE seq > 4');
    expect(log.verify().ok).toBe(true);
    expect(log.verify(anchor).problems).toEqual([
      { seq: 5, kind: 'truncated', message: 'entries 5..6 were cut from the end of the log' },
    ]);
  });

  it('with the anchor kept elsewhere, finds a chain rebuilt from scratch', () => {
    const { db, log } = logWith(3);
    const anchor = log.head();
    tamper(db, 'DELETE FROM audit');
    for (let i = 1; i <= 3; i++) {
      log.append({ actor: 'forger', action: `test.step-${i}`, details: { n: i } });
    }
    expect(log.verify().ok).toBe(true);
    expect(log.verify(anchor).problems).toMatchObject([{ seq: 3, kind: 'rewritten' }]);
  });

  it('keeps details with keys in any order verifiable', () => {
    const { log } = logWith(0);
    log.append({ actor: 'DC Test', action: 'test', details: { b: 1, a: { d: [1, 2], c: 'x' } } });
    expect(log.list()[0]!.details).toEqual({ a: { c: 'x', d: [1, 2] }, b: 1 });
    expect(log.verify().ok).toBe(true);
  });
});
