import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';

import { toToexError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { SECURITY_HEADERS } from '../web/security.js';
import { CONTENT_TYPES } from '../web/contentTypes.js';
import { isAppUrl } from './hardening.js';

const log = getLogger('electron');

/** Where the window's recordings come from: the API service, which checks the case and item. */
export interface MediaFiles {
  mediaFile(path: string): { file: string; mime: string };
}

/** What a Range header asks of a file: all of it, a part (ends included), or nothing it has. */
export type ByteRange =
  { kind: 'whole' } | { kind: 'part'; start: number; end: number } | { kind: 'unsatisfiable' };

/** Reads a Range header of one byte range; anything else is taken as asking for the whole file. */
export function byteRange(header: string | null, size: number): ByteRange {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };

  const [from, to] = [match[1]!, match[2]!];
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(size - 1, Number(to));
  return start > end || start >= size ? { kind: 'unsatisfiable' } : { kind: 'part', start, end };
}

/**
 * Answers the app scheme: the built window from `rendererDir` and, under
 * `/media/`, the case's recordings with byte ranges so the player can seek.
 * Nothing outside the folder is served, however the path is spelt, and every
 * response carries the window's Content-Security-Policy.
 */
export function appProtocolHandler(options: {
  rendererDir: string;
  media: MediaFiles;
}): (request: Request) => Response {
  const root = resolve(options.rendererDir);

  return (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return status(405);
    if (!isAppUrl(request.url)) return status(404);
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return status(400);
    }

    try {
      if (path.startsWith('/media/')) {
        const { file, mime } = options.media.mediaFile(path);
        return serve(request, file, mime, true);
      }
      if (path.includes('\0')) return status(404);
      const file = resolve(join(root, path === '/' ? 'index.html' : path));
      if (!file.startsWith(root + sep)) return status(404);
      return serve(
        request,
        file,
        CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        false,
      );
    } catch (err) {
      const e = toToexError(err);
      if (e.kind === 'internal') log.error({ err }, 'app scheme request failed');
      return status(e.kind === 'locked' ? 423 : e.kind === 'internal' ? 500 : 404);
    }
  };
}

function serve(request: Request, file: string, type: string, ranges: boolean): Response {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return status(404);
    size = stat.size;
  } catch {
    return status(404);
  }

  const headers = new Headers({ ...SECURITY_HEADERS, 'Content-Type': type });
  if (ranges) headers.set('Accept-Ranges', 'bytes');
  const range = ranges ? byteRange(request.headers.get('range'), size) : { kind: 'whole' as const };
  if (range.kind === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }

  // A range asked for is answered with 206 even when it covers the whole
  // file, as in web mode: the player's opening "bytes=0-" learns from it that
  // the recording can be sought.
  const { start, end } = range.kind === 'part' ? range : { start: 0, end: size - 1 };
  if (range.kind === 'part') headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  const body =
    request.method === 'HEAD' || end < start
      ? null
      : (Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>);
  return new Response(body, { status: range.kind === 'part' ? 206 : 200, headers });
}

function status(code: number): Response {
  return new Response(null, { status: code, headers: SECURITY_HEADERS });
}
