import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';

import Database from 'better-sqlite3-multiple-ciphers';
import { zipSync, type Zippable } from 'fflate';

/** A phone's files: path inside the archive → the bytes, or the path of a file holding them. */
export type Tree = Record<string, Buffer | string>;

const bytesOf = (data: Buffer | string) => (Buffer.isBuffer(data) ? data : readFileSync(data));

function header(name: string, size: number, type: string, prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0001750\0', 108, 'latin1');
  h.write('0001750\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(
    `${Math.floor(Date.UTC(2024, 2, 9) / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  h.write(type, 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (data: Buffer) =>
  Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

/** A pax record `len key=value\n`, its length counting its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body);
  }
  return `${length}${body}`;
}

/**
 * A tar of `tree`, folders first as tar writes them. Names past 100 bytes go
 * in a pax header (`longNames: 'pax'`) or a GNU ././@LongLink ('gnu').
 */
export function tarBytes(tree: Tree, longNames: 'pax' | 'gnu' = 'pax'): Buffer {
  const blocks: Buffer[] = [];
  const folders = new Set<string>();
  for (const [path, data] of Object.entries(tree)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = `${parts.slice(0, i).join('/')}/`;
      if (folder.length <= 100 && !folders.has(folder)) {
        folders.add(folder);
        blocks.push(header(folder, 0, '5'));
      }
    }
    const content = bytesOf(data);
    if (Buffer.byteLength(path) > 100) {
      const meta =
        longNames === 'pax'
          ? Buffer.from(paxRecord('path', path))
          : Buffer.concat([Buffer.from(path), Buffer.from([0])]);
      blocks.push(
        header(
          longNames === 'pax' ? 'PaxHeader' : '././@LongLink',
          meta.length,
          longNames === 'pax' ? 'x' : 'L',
        ),
        pad(meta),
      );
    }
    blocks.push(header(path.slice(0, 100), content.length, '0'), pad(content));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Rewrites the size a tar member's header claims (and the header's checksum), as a forger would. */
export function claimTarSize(tar: Buffer, path: string, size: number): Buffer {
  const out = Buffer.from(tar);
  for (let at = 0; at + 512 <= out.length; at += 512) {
    if (
      out
        .subarray(at, at + 100)
        .toString('utf8')
        .replace(/\0.*$/s, '') !== path
    ) {
      continue;
    }
    out.write(`${size.toString(8).padStart(11, '0')}\0`, at + 124, 'latin1');
    out.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (const b of out.subarray(at, at + 512)) sum += b;
    out.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
    return out;
  }
  throw new Error(`no member ${path}`);
}

export function writeFsZip(
  dir: string,
  tree: Tree,
  name = 'extraction.zip',
  level: 0 | 6 = 6,
): string {
  const files: Zippable = {};
  for (const [path, data] of Object.entries(tree)) files[path] = bytesOf(data);
  const path = join(dir, name);
  writeFileSync(path, zipSync(files, { level }));
  return path;
}

export function writeFsTar(
  dir: string,
  tree: Tree,
  options: { gzip?: boolean; name?: string; longNames?: 'pax' | 'gnu' } = {},
): string {
  const tar = tarBytes(tree, options.longNames);
  const path = join(dir, options.name ?? (options.gzip ? 'extraction.tgz' : 'extraction.tar'));
  writeFileSync(path, options.gzip ? gzipSync(tar) : tar);
  return path;
}

/** An adb backup (.ab) of `tree`: four header lines, then the tar, deflated when `compressed`. */
export function writeAdbBackup(
  dir: string,
  tree: Tree,
  options: { compressed?: boolean; encryption?: string; name?: string } = {},
): string {
  const compressed = options.compressed ?? true;
  const encryption = options.encryption ?? 'none';
  const tar = tarBytes(tree);
  const head = `ANDROID BACKUP\n5\n${compressed ? 1 : 0}\n${encryption}\n`;
  const extra = encryption === 'none' ? '' : 'SALT\nSALT\n10000\nIV\nKEYBLOB\n';
  const path = join(dir, options.name ?? 'backup.ab');
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(head + extra), compressed ? deflateSync(tar) : tar]),
  );
  return path;
}

/** One backed-up file: its domain and path on the phone, and its bytes (or a file holding them). */
export interface BackupFile {
  domain: string;
  relativePath: string;
  data: Buffer | string;
}

export const backupFileId = (domain: string, relativePath: string) =>
  createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');

/**
 * The folder an iOS backup (iOS 10 or later) writes, as a tree to pack: each
 * file under its SHA-1 name (xx/xxxxxxxx…), a Manifest.db mapping the names
 * to domains and paths, and Manifest.plist. `encrypted` sets IsEncrypted and
 * scrambles Manifest.db, as an encrypted backup's is.
 */
export function itunesBackupTree(
  dir: string,
  files: BackupFile[],
  options: {
    folder?: string;
    encrypted?: boolean;
    binaryPlist?: boolean;
    manifestSqlite?: boolean;
  } = {},
): Tree {
  const at = (p: string) => (options.folder ? `${options.folder}/${p}` : p);
  const manifest = join(dir, 'Manifest.db');
  const db = new Database(manifest);
  db.exec(`
    CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER,
      file BLOB);
    CREATE INDEX FilesDomainIdx ON Files(domain);
    CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);
  `);
  const tree: Tree = {};
  const insert = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, NULL)');
  const folders = new Set<string>();
  for (const f of files) {
    const id = backupFileId(f.domain, f.relativePath);
    const parent = f.relativePath.split('/').slice(0, -1).join('/');
    if (parent && !folders.has(`${f.domain}/${parent}`)) {
      folders.add(`${f.domain}/${parent}`);
      insert.run(backupFileId(f.domain, parent), f.domain, parent, 2);
    }
    insert.run(id, f.domain, f.relativePath, 1);
    tree[at(`${id.slice(0, 2)}/${id}`)] = bytesOf(f.data);
  }
  db.close();
  const plist = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>IsEncrypted</key><${options.encrypted ? 'true' : 'false'}/>
<key>Version</key><string>10.0</string></dict></plist>`;
  const manifestBytes = readFileSync(manifest);
  tree[at('Manifest.db')] =
    options.encrypted && !options.manifestSqlite
      ? createHash('sha512').update(manifestBytes).digest().subarray(0, 64)
      : manifestBytes;
  tree[at('Manifest.plist')] = options.binaryPlist
    ? binaryPlist({ IsEncrypted: options.encrypted ?? false, Version: '10.0' })
    : Buffer.from(plist);
  tree[at('Info.plist')] = Buffer.from('<?xml version="1.0"?><plist version="1.0"><dict/></plist>');
  return tree;
}

/**
 * A database as a phone leaves it mid-use: in WAL mode, with the changes
 * `sql` makes committed to its -wal file but not yet checkpointed into it.
 * Both files are taken while the connection is open, before SQLite would
 * checkpoint on closing.
 */
export function withPendingWal(path: string, sql: string): { db: Buffer; wal: Buffer } {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec(sql);
    return { db: readFileSync(path), wal: readFileSync(`${path}-wal`) };
  } finally {
    db.close();
  }
}

/**
 * A binary property list (bplist00) of one dictionary of booleans and ASCII
 * strings, as Apple writes Manifest.plist: objects, offset table, trailer.
 */
export function binaryPlist(dict: Record<string, boolean | string>): Buffer {
  const entries = Object.entries(dict);
  const ascii = (text: string) =>
    Buffer.concat([Buffer.from([0x50 | text.length]), Buffer.from(text)]);
  const objects: Buffer[] = [
    Buffer.from([
      0xd0 | entries.length,
      ...entries.map((_, i) => 1 + i),
      ...entries.map((_, i) => 1 + entries.length + i),
    ]),
    ...entries.map(([key]) => ascii(key)),
    ...entries.map(([, value]) =>
      typeof value === 'boolean' ? Buffer.from([value ? 0x09 : 0x08]) : ascii(value),
    ),
  ];
  const offsets: number[] = [];
  let at = 8;
  for (const o of objects) {
    offsets.push(at);
    at += o.length;
  }
  const trailer = Buffer.alloc(32);
  trailer[6] = 1;
  trailer[7] = 1;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([Buffer.from('bplist00'), ...objects, Buffer.from(offsets), trailer]);
}
