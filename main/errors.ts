import { basename } from 'node:path';

import type { ErrorKind } from './errorKinds.js';

export type { ErrorKind } from './errorKinds.js';

export interface SerializedError {
  kind: ErrorKind;
  message: string;
  code?: string;
}

export class ToexError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ToexError';
    this.code = options?.code;
  }

  readonly code: string | undefined;

  toJSON(): SerializedError {
    return this.code === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, code: this.code };
  }
}

export function isToexError(err: unknown, kind?: ErrorKind): err is ToexError {
  return err instanceof ToexError && (kind === undefined || err.kind === kind);
}

/** Node's errno codes that mean the disk or the file system said no. */
const storageCodes: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EIO: 'input/output error on the device',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EMFILE: 'too many open files',
};

/**
 * Turns a file-system error into a ToexError whose message names what was being
 * done, without the absolute path Node puts in its own message.
 */
export function fromFsError(err: unknown, doing: string): ToexError {
  if (err instanceof ToexError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code !== undefined ? storageCodes[code] : undefined;
  if (code === 'ENOENT') {
    return new ToexError('not-found', `${doing}: ${reason}`, { cause: err, code });
  }
  if (reason !== undefined) {
    return new ToexError('storage', `${doing}: ${reason}`, { cause: err, code });
  }
  return new ToexError('internal', `${doing}: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}

/** Maps SQLite's result codes onto our kinds with a message a user can act on. */
export function fromSqliteError(err: unknown, what: string): ToexError {
  if (err instanceof ToexError) return err;
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  if (code.startsWith('SQLITE_NOTADB')) {
    return new ToexError(
      'wrong-key',
      `${what} cannot be decrypted with this key (wrong key or not a TOEX database)`,
      { cause: err, code },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new ToexError(
      'storage',
      `${what} is damaged (truncated or corrupt); restore it from a backup`,
      { cause: err, code },
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new ToexError('storage', `${what}: no space left on the device`, { cause: err, code });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new ToexError('locked', `${what} is busy in another process; try again`, {
      cause: err,
      code,
    });
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new ToexError('storage', `${what} cannot be written or read (${code})`, {
      cause: err,
      code,
    });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new ToexError('conflict', `${what}: ${(err as Error).message}`, { cause: err, code });
  }
  return new ToexError('internal', `${what}: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
    code,
  });
}

/**
 * The last line of defence at a boundary (the CLI, a worker reply): whatever
 * was thrown becomes a ToexError with a kind and a message fit to show.
 */
export function toToexError(err: unknown, what = 'the database'): ToexError {
  if (err instanceof ToexError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return fromSqliteError(err, what);
  if (typeof code === 'string' && code in storageCodes) {
    const e = err as NodeJS.ErrnoException;
    const doing = [e.syscall ?? 'a file operation', e.path ? basename(e.path) : undefined]
      .filter(Boolean)
      .join(' ');
    return fromFsError(err, doing);
  }
  return new ToexError('internal', (err as Error)?.message ?? String(err), { cause: err });
}
