import { copyFileSync, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

import type { Database as Db } from 'better-sqlite3';

import { ToexError } from '../../../main/errors.js';
import type { EvidenceFile, FileFormat, Format, ParseContext, SqliteFormat } from '../formats.js';
import { openWorkingCopy, replayWal, SQLITE_MAGIC } from '../openSqliteCopy.js';
import type { IngestRecord } from '../records.js';
import {
  archiveEntries,
  archiveLayout,
  type ArchiveEntry,
  type ArchiveLayout,
} from './archiveEntries.js';
import { describeCounts, problem, rekey } from './archiveRecords.js';
import { manifestFile, openManifest, type BackupManifest } from './itunesBackup.js';

/**
 * Where phones keep the databases TOEX looks for, as paths end inside a
 * file-system extraction, an adb backup (apps/<package>/db/) or, by on-device
 * path, an iOS backup. Other files are still looked at for their content.
 */
export const KNOWN_DATABASES: readonly RegExp[] = [
  /(^|\/)com\.android\.providers\.telephony\/(databases|db)\/mmssms\.db$/,
  /(^|\/)com\.whatsapp\/(databases|db)\/(msgstore|wa)\.db$/,
  /(^|\/)com\.android\.providers\.contacts\/(databases|db)\/(calllog|contacts2)\.db$/,
  /(^|\/)Library\/SMS\/sms\.db$/,
  /(^|\/)Library\/CallHistoryDB\/CallHistory\.storedata$/,
  /(^|\/)Library\/AddressBook\/AddressBook\.sqlitedb$/,
  /(^|\/)ChatStorage\.sqlite$/,
];

/** One inner file is unpacked at most this large (WhatsApp databases run to gigabytes)… */
export const MAX_ENTRY_BYTES = 16 * 2 ** 30;
/** …and all that one archive unpacks together at most this: past it, a bomb of many entries. */
export const MAX_UNPACKED_BYTES = 64 * 2 ** 30;
const MAX_MANIFEST_BYTES = 2 ** 30;
const MAX_PLIST_BYTES = 1 << 20;
/** All -wal files together: past this, the rest are reported but not replayed. */
const MAX_WAL_BYTES = 4 * 2 ** 30;
const HEAD_BYTES = 64 * 1024;

/** The formats an archive's files are read with: any but the archive formats themselves. */
export interface InnerFormats {
  sqlite: SqliteFormat[];
  file: FileFormat[];
}

export function innerFormats(formats: readonly Format[]): InnerFormats {
  return {
    sqlite: formats.filter((f): f is SqliteFormat => f.kind === 'sqlite'),
    file: formats.filter((f): f is FileFormat => f.kind === 'file'),
  };
}

/** The entry's first bytes (up to HEAD_BYTES) and an iterator that carries on after them. */
async function headOf(entry: ArchiveEntry) {
  const it = entry.body()[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let got = 0;
  let ended = false;
  while (got < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    parts.push(next.value);
    got += next.value.length;
  }
  return { head: Buffer.concat(parts), rest: ended ? null : it, close: () => it.return?.() };
}

/** Writes `head` and what follows it to `path`, refusing more than `limit` bytes. */
async function unpack(
  path: string,
  head: Buffer,
  rest: AsyncIterator<Buffer> | null,
  limit: number,
): Promise<number> {
  const out = createWriteStream(path, { mode: 0o600 });
  let written = 0;
  const write = async (chunk: Buffer) => {
    written += chunk.length;
    if (written > limit) throw new ToexError('bad-input', `it unpacks past ${limit} bytes`);
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write(head);
    for (let next = await rest?.next(); next && !next.done; next = await rest!.next()) {
      await write(next.value);
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return written;
}

function unreadable(err: Error): never {
  throw err instanceof ToexError ? err : new ToexError('bad-input', err.message);
}

interface Survey {
  manifest: { path: string; file: string; head: Buffer } | null;
  plist: Buffer | null;
  /** Entries named …-wal (SQLite write-ahead logs) by path: the file each was unpacked to, or null. */
  wal: Map<string, string | null>;
}

/**
 * The first walk: finds an iOS backup's Manifest.db and Manifest.plist
 * (unpacking them) and notes -wal files. A damaged archive is left for the
 * second walk to report.
 */
async function survey(path: string, layout: ArchiveLayout, ctx: ParseContext): Promise<Survey> {
  const found: Survey = { manifest: null, plist: null, wal: new Map() };
  let walBytes = 0;
  try {
    for await (const e of archiveEntries(path, layout, (f) => ctx.progress(f * 0.2, 1))) {
      ctx.signal.throwIfAborted();
      if (e.refused) continue;
      if (e.path.endsWith('-wal') && e.size > 0) {
        if (walBytes + e.size > MAX_WAL_BYTES) {
          found.wal.set(e.path, null);
          continue;
        }
        // Logs are unpacked now, since a tar may hold one before or after its database.
        const file = join(ctx.workDir, `wal-${found.wal.size}`);
        const { head, rest } = await headOf(e).catch(unreadable);
        walBytes += await unpack(file, head, rest, MAX_WAL_BYTES).catch(unreadable);
        found.wal.set(e.path, file);
      }
      const which = manifestFile(e.path);
      if (which === 'Manifest.db' && !found.manifest && e.size <= MAX_MANIFEST_BYTES) {
        const file = join(ctx.workDir, 'Manifest.db');
        const { head, rest } = await headOf(e).catch(unreadable);
        await unpack(file, head, rest, MAX_MANIFEST_BYTES).catch(unreadable);
        found.manifest = { path: e.path, file, head };
      } else if (which === 'Manifest.plist' && !found.plist && e.size <= MAX_PLIST_BYTES) {
        const { head, close } = await headOf(e).catch(unreadable);
        await close();
        found.plist = head;
      }
    }
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof ToexError)) throw err;
  }
  return found;
}

/** Reads one unpacked inner file with the format that matches it, its records re-keyed. */
async function* readInner(
  file: string,
  name: string,
  head: Buffer,
  size: number,
  inner: InnerFormats,
  ctx: ParseContext,
  known: boolean,
  wal: string | null,
  stats: { unmatched: number },
): AsyncGenerator<IngestRecord> {
  const innerCtx: ParseContext = {
    file: { path: file, name, size, head },
    region: ctx.region,
    workDir: join(ctx.workDir, 'inner'),
    signal: ctx.signal,
    progress: () => {},
  };
  mkdirSync(innerCtx.workDir, { recursive: true, mode: 0o700 });
  let db: Db | null = null;
  let format: Format | undefined;
  let records: Iterable<IngestRecord> | AsyncIterable<IngestRecord>;
  try {
    if (head.subarray(0, 16).equals(SQLITE_MAGIC)) {
      if (wal && head[18] !== 2 && head[19] !== 2) {
        yield problem(
          name,
          'wal',
          'a -wal file lies beside it, but it is not in WAL mode: not replayed',
        );
      } else if (wal) {
        try {
          copyFileSync(wal, `${file}-wal`);
          const frames = replayWal(file);
          yield problem(
            name,
            'wal',
            frames > 0
              ? `the -wal file beside it was replayed into it before reading (${frames} ${frames === 1 ? 'frame' : 'frames'})`
              : 'a -wal file lies beside it but holds no valid frames: nothing was replayed',
          );
        } catch (err) {
          const code = String((err as { code?: unknown }).code ?? 'damaged');
          yield problem(name, 'wal', `the -wal file beside it could not be replayed (${code})`);
        } finally {
          rmSync(`${file}-wal`, { force: true });
          rmSync(`${file}-shm`, { force: true });
        }
      }
      let opened;
      try {
        opened = openWorkingCopy(file);
      } catch (err) {
        if (err instanceof ToexError) yield problem(name, 'unreadable', err.message);
        else throw err;
        return;
      }
      db = opened.db;
      const schema = opened.schema;
      const sqlite = inner.sqlite.find((f) => f.matches(schema));
      if (!sqlite) {
        const tables = [...schema.keys()].slice(0, 8).join(', ');
        if (known) {
          yield problem(
            name,
            'unmatched',
            `no format TOEX reads matches this database (tables ${tables})`,
          );
        } else stats.unmatched += 1;
        return;
      }
      format = sqlite;
      records = sqlite.parse(db, schema, innerCtx);
    } else {
      const evidence: EvidenceFile = innerCtx.file;
      const chosen = inner.file.find((f) => f.matches(evidence))!;
      format = chosen;
      records = chosen.parse(innerCtx);
    }

    const counts = new Map<string, number>();
    try {
      for await (const r of records) {
        ctx.signal.throwIfAborted();
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        yield rekey(r, name);
      }
    } catch (err) {
      // A damaged page in one database ends that database, not the archive.
      const damaged = /^SQLITE_/.test(String((err as { code?: unknown }).code));
      if (ctx.signal.aborted || !(err instanceof ToexError || damaged)) throw err;
      yield problem(name, 'stopped', `reading stopped: ${(err as Error).message}`);
    }
    yield problem(
      name,
      'read',
      `read as ${format.label} (${format.id}): ${describeCounts(counts)}`,
    );
  } finally {
    db?.close();
    rmSync(innerCtx.workDir, { recursive: true, force: true });
  }
}

/**
 * Walks a phone's file system (or an iOS backup of one) packed as a zip or
 * tar, reading each database or export it finds with the format that
 * matches it. Files are picked by their path (KNOWN_DATABASES) and by their
 * content (SQLite files, and whatever an inner file format recognises),
 * unpacked one at a time into the working folder and removed once read.
 * Records come in archive order, so a resumed ingest meets them as before.
 *
 * Not yet: archives inside the archive (a UFDR or chat-export zip within the
 * file system) are not opened.
 * A -wal file beside a database in the archive is replayed into the working
 * copy before it is read, so changes the app had not yet checkpointed are
 * read too.
 * Not yet: in an iOS backup, or past 4 GiB of logs in all, a -wal file is
 * reported, not replayed: changes not yet checkpointed are not read.
 * Not yet: iOS backups from before iOS 10 (Manifest.mbdb) are read as plain
 * file trees, by content only.
 */
export async function* readPhoneArchive(
  ctx: ParseContext,
  layout: ArchiveLayout,
  inner: InnerFormats,
): AsyncGenerator<IngestRecord> {
  const path = ctx.file.path;
  const found = await survey(path, layout, ctx);
  let backup: BackupManifest | null = null;
  if (found.manifest) {
    const root = found.manifest.path.includes('/') ? found.manifest.path.split('/')[0]! : '';
    backup = openManifest(found.manifest.file, found.manifest.head, root, found.plist);
    yield problem(
      found.manifest.path,
      'backup',
      `an iOS backup: Manifest.db lists ${backup.files} files, read by their paths on the phone`,
    );
  }

  const stats = { entries: 0, read: 0, unmatched: 0 };
  const names = new Map<string, number>();
  let unpacked = 0;
  const work = join(ctx.workDir, 'entry');
  try {
    for await (const e of archiveEntries(path, layout, (f) => ctx.progress(0.2 + f * 0.8, 1))) {
      ctx.signal.throwIfAborted();
      stats.entries += 1;
      if (e.refused) {
        yield problem(e.path, 'refused', `not read: ${e.refused}`);
        continue;
      }
      if (found.manifest && e.path === found.manifest.path) continue;
      const device = backup?.devicePath(e.path) ?? null;
      const base = device ?? e.path;
      const known = KNOWN_DATABASES.some((re) => re.test(base));

      let opened;
      try {
        opened = await headOf(e);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        yield problem(base, 'unreadable', `not read: ${(err as Error).message}`);
        continue;
      }
      const { head, rest, close } = opened;
      // Only the head is looked at to choose, so nothing is unpacked that no format will read.
      const readable =
        head.subarray(0, 16).equals(SQLITE_MAGIC) ||
        (head.subarray(0, 4).toString('latin1') !== 'PK\x03\x04' &&
          inner.file.some((f) => f.matches({ path: work, name: base, size: e.size, head })));
      if (!readable) await close();
      if (!readable && !known) continue;
      // The same path twice (a tar appended to) keeps each copy's records apart.
      const seen = (names.get(base) ?? 0) + 1;
      names.set(base, seen);
      const name = seen === 1 ? base : `${base}@${seen}`;
      if (!readable) {
        const start = head.subarray(0, 4).toString('hex');
        yield problem(
          name,
          'unmatched',
          `not read: a database's path, but a ${e.size}-byte file starting ${start || '(empty)'}, of no format TOEX reads (encrypted or damaged?)`,
        );
        continue;
      }

      const over =
        e.size > MAX_ENTRY_BYTES
          ? `it would unpack to ${e.size} bytes, over the ${MAX_ENTRY_BYTES} TOEX unpacks`
          : unpacked + e.size > MAX_UNPACKED_BYTES
            ? `the archive's files would unpack to over ${MAX_UNPACKED_BYTES} bytes`
            : null;
      if (over) {
        await close();
        yield problem(name, 'refused', `not read: ${over}`);
        continue;
      }
      let size: number;
      try {
        size = await unpack(
          work,
          head,
          rest,
          Math.min(MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES - unpacked),
        );
      } catch (err) {
        await close();
        if (ctx.signal.aborted) throw err;
        rmSync(work, { force: true });
        yield problem(name, 'unreadable', `not read: ${(err as Error).message}`);
        continue;
      }
      unpacked += size;
      // A log unpacked in the survey; null when it was too large to be.
      const walFile = found.wal.get(`${e.path}-wal`);
      try {
        for await (const r of readInner(
          work,
          name,
          head,
          size,
          inner,
          ctx,
          known,
          walFile ?? null,
          stats,
        )) {
          if (r.type === 'problem' && r.key === `${name}#read`) stats.read += 1;
          yield r;
        }
      } finally {
        rmSync(work, { force: true });
        if (walFile) rmSync(walFile, { force: true });
      }
      if (walFile === null || backup?.holds(`${base}-wal`)) {
        yield problem(
          name,
          'wal',
          'a -wal file lies beside this database and was not replayed: changes not yet checkpointed into it are not read',
        );
      }
    }
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof ToexError)) throw err;
    yield problem(
      ctx.file.name,
      'damaged',
      `the walk stopped after ${stats.entries} entries: ${err.message}`,
    );
  } finally {
    backup?.close();
    if (found.manifest) rmSync(found.manifest.file, { force: true });
    for (const file of found.wal.values()) if (file) rmSync(file, { force: true });
  }
  yield problem(
    ctx.file.name,
    'summary',
    `${stats.entries} files looked at; ${stats.read} read; ${stats.unmatched} other SQLite databases match no format TOEX reads`,
  );
}

/**
 * A phone's file system, or an iOS backup folder, packed as a zip, a tar or
 * a gzip-compressed tar: told from its content, after the formats that claim
 * particular zips (UFDR, WhatsApp chat exports) have passed on it.
 */
export function fsArchive(formats: readonly Format[]): FileFormat {
  const inner = innerFormats(formats);
  return {
    kind: 'file',
    id: 'archive.fs',
    label: 'Phone file system or iOS backup (zip or tar)',
    matches: (file) => archiveLayout(file.head) !== null,
    parse(ctx) {
      const layout = archiveLayout(ctx.file.head);
      if (!layout) throw new ToexError('bad-input', 'not a zip or tar archive');
      return readPhoneArchive(ctx, layout, inner);
    },
  };
}
