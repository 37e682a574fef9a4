import { ToexError } from '../../../main/errors.js';
import type { FileFormat, Format } from '../formats.js';
import type { ArchiveLayout } from './archiveEntries.js';
import { readPhoneArchive } from './phoneArchive.js';
import { innerFormats } from './readInnerFile.js';

const MAGIC = 'ANDROID BACKUP\n';

/**
 * The header of an adb backup: four lines (magic, version, compressed flag,
 * encryption), then a tar, zlib-deflated when the flag is 1. An encrypted one
 * carries its key material in further lines; it is refused, not read.
 */
export function adbLayout(head: Buffer): ArchiveLayout {
  const lines: string[] = [];
  let at = 0;
  while (lines.length < 4) {
    const end = head.indexOf(0x0a, at);
    if (end < 0 || end - at > 64) {
      throw new ToexError('bad-input', 'the adb backup header is damaged');
    }
    lines.push(head.subarray(at, end).toString('latin1'));
    at = end + 1;
  }
  const [, version, compressed, encryption] = lines as [string, string, string, string];
  if (encryption !== 'none') {
    throw new ToexError(
      'bad-input',
      `the adb backup is encrypted (${encryption.slice(0, 16)}); TOEX reads only backups made without a password`,
    );
  }
  if (!/^[1-9]\d*$/.test(version) || (compressed !== '0' && compressed !== '1')) {
    throw new ToexError('bad-input', 'the adb backup header is damaged');
  }
  return { kind: 'tar', start: at, compression: compressed === '1' ? 'zlib' : null };
}

/** An Android adb backup (.ab), told by its header: the apps' files, walked as a file system. */
export function adbBackup(formats: readonly Format[]): FileFormat {
  const inner = innerFormats(formats);
  return {
    kind: 'file',
    id: 'android.adb-backup',
    label: 'Android adb backup (.ab)',
    matches: (file) => file.head.subarray(0, MAGIC.length).toString('latin1') === MAGIC,
    parse: (ctx) => readPhoneArchive(ctx, adbLayout(ctx.file.head), inner),
  };
}
