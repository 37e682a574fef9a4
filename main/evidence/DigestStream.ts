import { createHash, type Hash } from 'node:crypto';
import { createReadStream, constants as fsConstants, openSync } from 'node:fs';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Digest {
  size: number;
  sha256: string;
  md5: string;
}

/** 1 MiB reads: large enough to keep the disk busy, small enough to stay flat in memory. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Passes bytes through unchanged while hashing them with SHA-256 (the
 * evidential hash) and MD5 (for cross-checks against older tools' reports).
 */
export class DigestStream extends Transform {
  private readonly sha256: Hash = createHash('sha256');
  private readonly md5: Hash = createHash('md5');
  private bytes = 0;

  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sha256.update(chunk);
    this.md5.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  digest(): Digest {
    return { size: this.bytes, sha256: this.sha256.digest('hex'), md5: this.md5.digest('hex') };
  }
}

/**
 * Opens a file for reading without touching its access time where the
 * platform allows (O_NOATIME needs the file's owner or root), so reading an
 * original leaves no trace on it at all.
 */
export function openForReading(path: string, options: { noFollow?: boolean } = {}): number {
  const noAtime = (fsConstants as Record<string, number>).O_NOATIME ?? 0;
  const flags = fsConstants.O_RDONLY | (options.noFollow ? fsConstants.O_NOFOLLOW : 0);
  if (noAtime) {
    try {
      return openSync(path, flags | noAtime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return openSync(path, flags);
}

export interface DigestOptions {
  onBytes?: (total: number) => void;
  signal?: AbortSignal;
  /** Stop after this many bytes (at least 1): a file that should be n bytes is read to n + 1 at most. */
  maxBytes?: number;
  /** Refuse a symbolic link instead of following it (ELOOP). */
  noFollow?: boolean;
}

/** Hashes a file (or its first `maxBytes`) in constant memory. */
export async function digestFile(path: string, options: DigestOptions = {}): Promise<Digest> {
  const fd = openForReading(path, { noFollow: options.noFollow === true });
  const digest = new DigestStream(options.onBytes);
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const range =
    options.maxBytes === undefined ? {} : { start: 0, end: Math.max(1, options.maxBytes) - 1 };
  await pipeline(
    createReadStream('', { fd, highWaterMark: CHUNK_BYTES, ...range }),
    digest,
    sink,
    options.signal ? { signal: options.signal } : {},
  );
  return digest.digest();
}
