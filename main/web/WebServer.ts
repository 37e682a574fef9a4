import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { ApiService } from '../api/ApiService.js';
import { toToexError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { CONTENT_TYPES } from './contentTypes.js';
import { SECURITY_HEADERS, allowedHost, allowedOrigin, tokenMatches } from './security.js';

const log = getLogger('web');

const COOKIE = 'toex-session';
// A name with a separator, a NUL or another control character is not a plain file name.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const PATH_LIKE = /[/\\\u0000-\u001f\u007f]/;
const MAX_CALL_BYTES = 1024 * 1024;

/** What each kind of failure is to a browser, where it is not an API call's envelope. */
const STATUS: Partial<Record<string, number>> = {
  'bad-input': 400,
  'not-found': 404,
  'wrong-key': 403,
  locked: 423,
  conflict: 409,
  storage: 507,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Web mode: the renderer and the API on the loopback only, for a browser on
 * this machine and for the end-to-end tests. Each run has a fresh random
 * token, given once in the address `toex serve` prints; the page trades it
 * for a cookie only this origin can send (HttpOnly, SameSite=Strict). Every
 * request for the API or a recording needs that cookie or the token, and
 * requests naming another host or coming from another origin are refused.
 */
export class WebServer {
  private readonly token = randomBytes(32).toString('base64url');
  private readonly streams = new Set<ServerResponse>();
  private readonly server: Server;
  private unsubscribe: () => void;
  private port = 0;

  private constructor(
    private readonly api: ApiService,
    private readonly rendererDir: string,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.unsubscribe = api.onDidEvent((event) => {
      const line = `data: ${JSON.stringify(event)}\n\n`;
      for (const stream of this.streams) stream.write(line);
    });
  }

  static async start(
    api: ApiService,
    options: { rendererDir: string; port?: number },
  ): Promise<WebServer> {
    const web = new WebServer(api, options.rendererDir);
    await new Promise<void>((resolve, reject) => {
      web.server.once('error', reject);
      web.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = web.server.address();
    web.port = typeof address === 'object' && address ? address.port : 0;
    log.info({ port: web.port }, 'web mode listening on the loopback');
    return web;
  }

  /** The address to open: the token rides in the fragment, which browsers never send. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/#token=${this.token}`;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (!allowedHost(req.headers.host, this.port)) throw new HttpError(421, 'unknown host');
    if (!allowedOrigin(req.headers.origin, this.port)) throw new HttpError(403, 'other origin');

    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path.startsWith('/assets/'))) {
      return this.serveFile(res, path === '/' ? '/index.html' : path);
    }
    if (req.method === 'POST' && path === '/api/session') return this.startSession(req, res);

    if (!this.authorised(req)) {
      throw new HttpError(401, 'this window has no session: open the address toex serve printed');
    }
    if (req.method === 'POST' && path.startsWith('/api/call/')) {
      return this.callOperation(req, res, decodeURIComponent(path.slice('/api/call/'.length)));
    }
    if (req.method === 'POST' && path === '/api/upload') return this.upload(req, res, url);
    if (req.method === 'GET' && path === '/api/events') return this.events(req, res);
    if (req.method === 'GET' && path.startsWith('/media/')) return this.media(req, res, path);
    throw new HttpError(404, 'not found');
  }

  private authorised(req: IncomingMessage): boolean {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    return tokenMatches(bearer, this.token) || tokenMatches(cookie, this.token);
  }

  private startSession(req: IncomingMessage, res: ServerResponse): void {
    if (!this.authorised(req)) throw new HttpError(401, 'wrong token');
    res.setHeader('Set-Cookie', `${COOKIE}=${this.token}; HttpOnly; SameSite=Strict; Path=/`);
    res.writeHead(204).end();
  }

  private async callOperation(req: IncomingMessage, res: ServerResponse, name: string) {
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'calls are JSON');
    }
    const body = await readBody(req, MAX_CALL_BYTES);
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'the call is not JSON');
    }
    const reply = await this.api.call(name, input);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply));
  }

  /** Writes an uploaded file to the data folder, for a following `evidence:import`. */
  private async upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = (url.searchParams.get('name') ?? '').trim();
    if (!name || name.length > 255 || PATH_LIKE.test(name) || name === '.' || name === '..') {
      throw new HttpError(400, 'the file needs a plain name');
    }
    this.api.workstation();
    const dir = join(this.api.home, 'uploads');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${randomBytes(16).toString('hex')}.upload`);
    try {
      await pipeline(req, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      rmSync(path, { force: true });
      throw err;
    }
    const stagedId = this.api.stage({ path, name, owned: true });
    const size = statSync(path).size;
    log.info({ bytes: size }, 'file uploaded for import');
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ stagedId, name, size }));
  }

  /** Server-sent events: job progress as it happens. */
  private events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write(': events\n\n');
    this.streams.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(ping);
      this.streams.delete(res);
    });
  }

  /** A recording, with byte ranges so the player can seek. */
  private media(req: IncomingMessage, res: ServerResponse, path: string): void {
    const { file, mime } = this.api.mediaFile(path);
    const size = statSync(file).size;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', mime);
    if (!range || (range[1] === '' && range[2] === '')) {
      res.writeHead(200, { 'Content-Length': size });
      createReadStream(file).pipe(res);
      return;
    }
    const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end =
      range[1] === '' || range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    createReadStream(file, { start, end }).pipe(res);
  }

  private serveFile(res: ServerResponse, path: string): void {
    const file = normalize(join(this.rendererDir, path));
    if (!file.startsWith(this.rendererDir + sep)) throw new HttpError(404, 'not found');
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new HttpError(404, 'not found');
      size = stat.size;
    } catch {
      throw new HttpError(404, 'not found');
    }
    const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size });
    createReadStream(file).pipe(res);
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const known = err instanceof HttpError ? null : toToexError(err);
    const status = known ? (STATUS[known.kind] ?? 500) : (err as HttpError).status;
    if (status === 500) log.error({ err }, 'web request failed');
    const kind = known?.kind ?? ((err as HttpError).status === 401 ? 'locked' : 'bad-input');
    // A bug's own message may quote anything: it stays in the log.
    const message =
      status === 500
        ? 'the request failed inside TOEX; the log has the details'
        : (err as Error).message;
    res
      .writeHead(status, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ ok: false, error: { kind, message } }));
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // An oversized call is read to its end but not kept, so the refusal reaches the caller
    // rather than a reset connection.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () =>
      size > max
        ? reject(new HttpError(413, 'the call is too large'))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}
