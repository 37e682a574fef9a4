import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError, fromFsError, fromSqliteError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { isProcessAlive } from '../processAlive.js';
import { fsyncFolder } from '../store/atomicWrite.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import { CHUNK_BYTES, DigestStream, openForReading } from './DigestStream.js';

const log = getLogger('evidence');

export interface EvidenceItem {
  id: number;
  exhibitRef: string | null;
  originalName: string;
  originalPath: string;
  size: number;
  sha256: string;
  md5: string;
  /** Relative to the case folder. */
  storedPath: string;
  sourceMtime: string | null;
  importedBy: string;
  importedAt: string;
}

export interface ImportResult {
  item: EvidenceItem;
  /** The same content was already in the case; nothing new was stored. */
  duplicate: boolean;
}

export interface ImportOptions {
  exhibitRef?: string;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /**
   * The file was copied out of another item (a voice note out of an
   * extraction): it is registered under its path inside that item, with the
   * item's exhibit reference, and the derivation is recorded with it.
   */
  derivedFrom?: { parentId: number; innerPath: string };
  /**
   * The file came through the browser in web mode, which gives its name but
   * not its path: it is registered under that name, its path as
   * `upload:<name>`, rather than as the temporary file it was written to.
   */
  uploadedAs?: string;
}

interface EvidenceRow {
  id: number;
  exhibit_ref: string | null;
  original_name: string;
  original_path: string;
  size: number;
  sha256: string;
  md5: string;
  stored_path: string;
  source_mtime: string | null;
  imported_by: string;
  imported_at: string;
}

function toItem(row: EvidenceRow): EvidenceItem {
  return {
    id: row.id,
    exhibitRef: row.exhibit_ref,
    originalName: row.original_name,
    originalPath: row.original_path,
    size: row.size,
    sha256: row.sha256,
    md5: row.md5,
    storedPath: row.stored_path,
    sourceMtime: row.source_mtime,
    importedBy: row.imported_by,
    importedAt: row.imported_at,
  };
}

const INCOMING = '.incoming';

/**
 * A case's evidence: read-only copies stored by content hash, and the
 * register row for each. Originals are opened read-only and never written.
 */
export class EvidenceStore {
  private readonly evidenceDir: string;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly caseDir: string,
    private readonly actor: string,
  ) {
    this.evidenceDir = join(caseDir, 'evidence');
  }

  list(): EvidenceItem[] {
    try {
      return (this.db.prepare('SELECT * FROM evidence ORDER BY id').all() as EvidenceRow[]).map(
        toItem,
      );
    } catch (err) {
      throw fromSqliteError(err, 'the case database');
    }
  }

  get(id: number): EvidenceItem {
    const row = this.db.prepare('SELECT * FROM evidence WHERE id = ?').get(id) as
      EvidenceRow | undefined;
    if (!row) throw new ToexError('not-found', `no evidence item ${id} in this case`);
    return toItem(row);
  }

  absolutePath(item: EvidenceItem): string {
    return join(this.caseDir, item.storedPath);
  }

  /** Every file in the store's hash folders, relative to the case folder. */
  storedFiles(): string[] {
    const listing = (dir: string): string[] => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    };
    return listing(this.evidenceDir)
      .filter((name) => /^[0-9a-f]{2}$/.test(name))
      .flatMap((prefix) =>
        listing(join(this.evidenceDir, prefix)).map((name) => join('evidence', prefix, name)),
      );
  }

  /**
   * Removes partial copies that interrupted imports left behind; returns how
   * many. A copy still being written by a live process (another `toex` on the
   * same case) is left alone: its name starts with the writer's pid.
   */
  cleanIncoming(): number {
    const dir = join(this.evidenceDir, INCOMING);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    const stale = names.filter((name) => {
      const pid = Number.parseInt(name.split('-')[0] ?? '', 10);
      return !Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid);
    });
    for (const name of stale) rmSync(join(dir, name), { force: true });
    if (stale.length) {
      log.warn({ removed: stale.length }, 'removed partial copies from an interrupted import');
    }
    return stale.length;
  }

  async import(sourcePath: string, options: ImportOptions = {}): Promise<ImportResult> {
    if (typeof sourcePath !== 'string' || sourcePath.trim() === '') {
      throw new ToexError('bad-input', 'no file was given to import');
    }
    const parent = options.derivedFrom ? this.get(options.derivedFrom.parentId) : null;
    const exhibitRef = options.exhibitRef?.trim() || parent?.exhibitRef || null;
    if (exhibitRef && exhibitRef.length > 64) {
      throw new ToexError('bad-input', 'an exhibit reference is at most 64 characters');
    }
    const source = resolve(sourcePath);
    const name = options.derivedFrom
      ? basename(options.derivedFrom.innerPath)
      : (options.uploadedAs ?? basename(source));
    const originalPath = parent
      ? `${parent.originalPath}!/${options.derivedFrom!.innerPath}`
      : options.uploadedAs
        ? `upload:${options.uploadedAs}`
        : source;
    checkSource(source, name);

    try {
      mkdirSync(join(this.evidenceDir, INCOMING), { recursive: true, mode: 0o700 });
    } catch (err) {
      throw fromFsError(err, 'preparing the evidence folder');
    }
    let fd: number;
    let before;
    try {
      fd = openForReading(source);
      before = fstatSync(fd);
    } catch (err) {
      throw fromFsError(err, `reading ${name}`);
    }
    const started = Date.now();
    const temp = join(this.evidenceDir, INCOMING, `${process.pid}-${randomUUID()}.part`);
    try {
      const digest = await this.copy(fd, temp, before.size, options.onProgress);
      const after = statSync(source);
      const unchanged =
        after.ino === before.ino && after.size === before.size && after.mtimeMs === before.mtimeMs;
      if (!unchanged || digest.size !== before.size) {
        throw new ToexError(
          'conflict',
          `${name} changed while it was being read; import it again once nothing is writing to it`,
        );
      }

      const existing = this.db
        .prepare('SELECT * FROM evidence WHERE sha256 = ?')
        .get(digest.sha256) as EvidenceRow | undefined;
      if (existing) {
        rmSync(temp, { force: true });
        this.audit.append({
          actor: this.actor,
          action: 'evidence.duplicate',
          subject: `evidence:${existing.id}`,
          details: { sha256: digest.sha256, originalName: name, originalPath, exhibitRef },
        });
        log.info({ evidenceId: existing.id }, 'import matched existing evidence');
        return { item: toItem(existing), duplicate: true };
      }

      const storedPath = join('evidence', digest.sha256.slice(0, 2), digest.sha256);
      const finalPath = join(this.caseDir, storedPath);
      mkdirSync(join(this.caseDir, 'evidence', digest.sha256.slice(0, 2)), {
        recursive: true,
        mode: 0o700,
      });
      renameSync(temp, finalPath);
      chmodSync(finalPath, 0o444);
      fsyncFolder(join(this.caseDir, 'evidence', digest.sha256.slice(0, 2)));

      const item = this.record(
        {
          exhibit_ref: exhibitRef,
          original_name: name,
          original_path: originalPath,
          size: digest.size,
          sha256: digest.sha256,
          md5: digest.md5,
          stored_path: storedPath,
          // A copy made from inside another item has no time of its own worth keeping.
          // nor has a file uploaded through the browser, which sends none.
          source_mtime: parent || options.uploadedAs ? null : before.mtime.toISOString(),
          imported_by: this.actor,
          imported_at: new Date().toISOString(),
        },
        options.derivedFrom,
      );
      log.info(
        { evidenceId: item.id, bytes: item.size, ms: Date.now() - started },
        'evidence imported',
      );
      return { item, duplicate: false };
    } catch (err) {
      rmSync(temp, { force: true });
      const failure = err instanceof ToexError ? err : fromFsError(err, `importing ${name}`);
      this.recordFailure(name, failure);
      throw failure;
    }
  }

  /** Copies the open source into `temp` while hashing it; closes `fd`. */
  private async copy(
    fd: number,
    temp: string,
    total: number,
    onProgress: ImportOptions['onProgress'],
  ): Promise<{ size: number; sha256: string; md5: string }> {
    const digest = new DigestStream(onProgress ? (done) => onProgress(done, total) : undefined);
    // The streams own their descriptors from here: when one fails, the
    // pipeline closes both, so neither is ours to close again.
    await pipeline(
      createReadStream('', { fd, highWaterMark: CHUNK_BYTES }),
      digest,
      createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
    );
    const out = openSync(temp, 'r');
    try {
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    return digest.digest();
  }

  private record(
    row: Omit<EvidenceRow, 'id'>,
    derivedFrom: ImportOptions['derivedFrom'],
  ): EvidenceItem {
    try {
      return writeTransaction(this.db, () => {
        const { lastInsertRowid } = this.db
          .prepare(
            `INSERT INTO evidence (exhibit_ref, original_name, original_path, size, sha256, md5,
               stored_path, source_mtime, imported_by, imported_at)
             VALUES (@exhibit_ref, @original_name, @original_path, @size, @sha256, @md5,
               @stored_path, @source_mtime, @imported_by, @imported_at)`,
          )
          .run(row);
        const id = Number(lastInsertRowid);
        if (derivedFrom) {
          this.db
            .prepare(
              `INSERT INTO evidence_derivations (evidence_id, parent_id, inner_path, derived_by, derived_at)
               VALUES (?, ?, ?, ?, ?)`,
            )
            .run(id, derivedFrom.parentId, derivedFrom.innerPath, this.actor, row.imported_at);
        }
        this.audit.append({
          actor: this.actor,
          action: 'evidence.import',
          subject: `evidence:${id}`,
          details: {
            originalName: row.original_name,
            exhibitRef: row.exhibit_ref,
            size: row.size,
            sha256: row.sha256,
            md5: row.md5,
            ...(derivedFrom ? { derivedFrom } : {}),
          },
        });
        return toItem({ id, ...row });
      });
    } catch (err) {
      throw fromSqliteError(err, 'recording the evidence');
    }
  }

  private recordFailure(name: string, failure: ToexError): void {
    try {
      this.audit.append({
        actor: this.actor,
        action: 'evidence.import-failed',
        details: { originalName: name, kind: failure.kind, reason: failure.message },
      });
    } catch (err) {
      // A full disk can refuse this entry too; the import itself already failed cleanly.
      log.error({ code: (err as { code?: string }).code }, 'could not audit a failed import');
    }
    log.warn({ kind: failure.kind, code: failure.code }, 'evidence import failed');
  }
}

function checkSource(source: string, name: string): void {
  let stat;
  try {
    stat = statSync(source);
  } catch (err) {
    throw fromFsError(err, `reading ${name}`);
  }
  if (stat.isDirectory()) {
    throw new ToexError('bad-input', `${name} is a folder; import the files in it one by one`);
  }
  if (!stat.isFile()) {
    throw new ToexError('bad-input', `${name} is not a regular file (device, pipe or socket)`);
  }
}
