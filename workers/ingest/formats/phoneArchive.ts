import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError } from '../../../main/errors.js';
import type { FileFormat, Format, ParseContext } from '../formats.js';
import { SQLITE_MAGIC } from '../openSqliteCopy.js';
import type { IngestRecord } from '../records.js';
import {
  archiveEntries,
  archiveLayout,
  headOf,
  unpack,
  type ArchiveLayout,
} from './archiveEntries.js';
import { note, problem } from './archiveRecords.js';
import { manifestFile, openManifest, type BackupManifest } from './itunesBackup.js';
import { innerFormats, readInnerFile, type InnerFormats } from './readInnerFile.js';

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
/**
 * A SQLite file at a path no rule knows is opened only up to this size: a
 * phone holds many large databases of no interest (photo libraries, caches).
 */
export const MAX_PROBE_BYTES = 2 * 2 ** 30;
/** …and all that one archive unpacks together at most this: past it, a bomb of many entries. */
export const MAX_UNPACKED_BYTES = 64 * 2 ** 30;
const MAX_MANIFEST_BYTES = 2 ** 30;
const MAX_PLIST_BYTES = 1 << 20;
/** All -wal files together: past this, the rest are reported but not replayed. */
const MAX_WAL_BYTES = 4 * 2 ** 30;

function unreadable(err: Error): never {
  throw err instanceof ToexError ? err : new ToexError('bad-input', err.message);
}

interface Survey {
  manifest: { path: string; file: string; head: Buffer } | null;
  plist: Buffer | null;
  /** Entries named …-wal (SQLite write-ahead logs) by path: each one's unpacked copy, or null. */
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

/**
 * Walks a phone's file system (or an iOS backup of one) packed as a zip or
 * tar, reading each database or export it finds with the format that
 * matches it. Files are picked by their path (KNOWN_DATABASES) and by their
 * content (SQLite files, and whatever an inner file format recognises),
 * unpacked one at a time into the working folder and removed once read.
 * Records come in archive order, so a resumed ingest meets them as before.
 *
 * A -wal file beside a database in the archive is replayed into the working
 * copy before it is read, so changes the app had not yet checkpointed are
 * read too.
 *
 * Not yet: archives inside the archive (a UFDR or chat-export zip within the
 * file system) are not opened.
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
    yield note(
      found.manifest.path,
      'backup',
      `an iOS backup: Manifest.db lists ${backup.files} files, read by their paths on the phone`,
    );
  }

  const stats = { entries: 0, read: 0, unmatched: 0, large: 0 };
  const names = new Map<string, number>();
  let unpacked = 0;
  const work = join(ctx.workDir, 'entry');
  try {
    for await (const e of archiveEntries(path, layout, (f) => ctx.progress(0.2 + f * 0.8, 1))) {
      ctx.signal.throwIfAborted();
      stats.entries += 1;
      const base = backup?.devicePath(e.path) ?? e.path;
      if (e.refused) {
        yield problem(base, 'refused', `not read: ${e.refused}`);
        continue;
      }
      if (found.manifest && e.path === found.manifest.path) continue;
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
      const tooLarge = readable && !known && e.size > MAX_PROBE_BYTES;
      if (tooLarge) stats.large += 1;
      if (!readable || tooLarge) await close();
      if ((!readable && !known) || tooLarge) continue;
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
        rmSync(work, { force: true });
        // A full disk is no fault of the evidence: the job fails, to be run again.
        if (ctx.signal.aborted || (err instanceof ToexError && err.kind === 'storage')) throw err;
        yield problem(name, 'unreadable', `not read: ${(err as Error).message}`);
        continue;
      }
      unpacked += size;
      // A log unpacked in the survey; null when it was too large to be.
      const walFile = found.wal.get(`${e.path}-wal`);
      try {
        const unpacked = { file: work, name, head, size, known, wal: walFile ?? null };
        for await (const r of readInnerFile(unpacked, inner, ctx, stats)) {
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
  yield note(
    ctx.file.name,
    'summary',
    `${stats.entries} files looked at; ${stats.read} read; ${stats.unmatched} other SQLite databases match no format TOEX reads` +
      (stats.large
        ? `; ${stats.large} SQLite files over ${MAX_PROBE_BYTES} bytes, at no known path, were not opened`
        : ''),
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
