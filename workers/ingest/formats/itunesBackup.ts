import { posix } from 'node:path';

import type { Database as Db } from 'better-sqlite3';

import { ToexError } from '../../../main/errors.js';
import { hasTables } from '../formats.js';
import { openWorkingCopy, SQLITE_MAGIC } from '../openSqliteCopy.js';
import { isBinaryPlist, isDictionary, PlistError, readBinaryPlist } from '../bplist.js';

/** Manifest.db and Manifest.plist sit at the backup folder's top: the root or one folder down. */
export function manifestFile(path: string): 'Manifest.db' | 'Manifest.plist' | null {
  const name = posix.basename(path);
  if (path.split('/').length > 2) return null;
  return name === 'Manifest.db' || name === 'Manifest.plist' ? name : null;
}

/** True when Manifest.plist (XML or binary) says the backup is encrypted. */
export function plistSaysEncrypted(data: Buffer): boolean {
  if (isBinaryPlist(data)) {
    try {
      const top = readBinaryPlist(data);
      return isDictionary(top) && top.IsEncrypted === true;
    } catch (err) {
      if (err instanceof PlistError) return false;
      throw err;
    }
  }
  return /<key>\s*IsEncrypted\s*<\/key>\s*<true\s*\/>/.test(data.toString('utf8'));
}

const ENCRYPTED =
  'the iOS backup is encrypted; TOEX reads only unencrypted backups (turn off "Encrypt local backup" and make a new one)';

export interface BackupManifest {
  /** The backup folder inside the archive: '' or a folder name. */
  root: string;
  files: number;
  /** The on-device path (domain/relativePath) of the archive entry at `path`, or null. */
  devicePath(path: string): string | null;
  /** True when the backup holds a file at this on-device path. */
  holds(devicePath: string): boolean;
  close(): void;
}

/**
 * Opens an unpacked Manifest.db, which maps each backed-up file's SHA-1 name
 * (xx/xxxxxxxx…) to its domain and path on the phone. An encrypted backup's
 * Manifest.db is itself encrypted, so not SQLite: that, or Manifest.plist's
 * IsEncrypted, is refused in one line.
 */
export function openManifest(
  copy: string,
  head: Buffer,
  root: string,
  plist: Buffer | null,
): BackupManifest {
  if ((plist && plistSaysEncrypted(plist)) || !head.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new ToexError('bad-input', ENCRYPTED);
  }
  let db: Db;
  try {
    const opened = openWorkingCopy(copy);
    db = opened.db;
    if (!hasTables(opened.schema, 'Files.fileID', 'Files.domain', 'Files.relativePath')) {
      db.close();
      throw new ToexError('bad-input', "the iOS backup's Manifest.db has no Files table");
    }
  } catch (err) {
    if (err instanceof ToexError && /no Files table/.test(err.message)) throw err;
    throw new ToexError('bad-input', ENCRYPTED);
  }
  const byId = db.prepare('SELECT domain, relativePath FROM Files WHERE fileID = ?');
  const byPath = db.prepare(
    `SELECT 1 FROM Files WHERE domain = ? AND relativePath = ? AND (flags IS NULL OR flags = 1)`,
  );
  const files = (
    db.prepare('SELECT count(*) AS n FROM Files WHERE flags = 1').get() as { n: number }
  ).n;
  const prefix = root ? `${root}/` : '';
  return {
    root,
    files,
    devicePath(path) {
      if (!path.startsWith(prefix)) return null;
      const m = /^([0-9a-f]{2})\/([0-9a-f]{40})$/.exec(path.slice(prefix.length));
      if (!m || !m[2]!.startsWith(m[1]!)) return null;
      const row = byId.get(m[2]) as { domain: string; relativePath: string } | undefined;
      return row ? `${row.domain}/${row.relativePath}` : null;
    },
    holds(devicePath) {
      const slash = devicePath.indexOf('/');
      return byPath.get(devicePath.slice(0, slash), devicePath.slice(slash + 1)) !== undefined;
    },
    close: () => db.close(),
  };
}
