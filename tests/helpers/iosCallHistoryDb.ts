import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One call as a test describes it; the builder writes it as iOS's Core Data store holds it. */
export interface IosCallFixture {
  /** ZADDRESS: text, or a blob of its UTF-8 as newer iOS versions write it. */
  address: string | Buffer | null;
  /** Apple seconds (since 2001-01-01), as ZDATE holds them. */
  date: number;
  duration: number;
  originated: boolean;
  answered: boolean;
  name?: string;
}

/** Apple seconds for an ISO time. */
export function appleSeconds(iso: string): number {
  return (Date.parse(iso) - Date.UTC(2001, 0, 1)) / 1000;
}

/**
 * Writes an iOS CallHistory.storedata with the Core Data bookkeeping tables
 * and the ZCALLRECORD columns of iOS 13 to 17 that the parser reads.
 */
export function iosCallHistoryDb(
  dir: string,
  calls: IosCallFixture[],
  name = 'CallHistory.storedata',
): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec(`
    CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,
      Z_MAX INTEGER);
    CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
    CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
      ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER,
      ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZDATE TIMESTAMP,
      ZDURATION FLOAT, ZADDRESS VARCHAR, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR,
      ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR);
  `);
  const insert = db.prepare(
    `INSERT INTO ZCALLRECORD (Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION,
       ZADDRESS, ZNAME, ZSERVICE_PROVIDER) VALUES (2, 1, ?, 1, ?, ?, ?, ?, ?, 'com.apple.Telephony')`,
  );
  db.transaction(() => {
    for (const c of calls) {
      insert.run(
        c.answered ? 1 : 0,
        c.originated ? 1 : 0,
        c.date,
        c.duration,
        c.address,
        c.name ?? null,
      );
    }
  })();
  db.close();
  return path;
}
