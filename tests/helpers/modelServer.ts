import { createReadStream, statSync } from 'node:fs';
import { type RequestListener, type Server, createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { basename } from 'node:path';
import { Transform } from 'node:stream';

/**
 * How the next requests are answered: `whole` honours Range as a mirror
 * would; `cut` sends `cutAt` bytes and drops the connection; `altered` flips
 * one byte in the middle; `ignore-range` answers 200 with the whole file.
 */
export type Mode = 'whole' | 'cut' | 'altered' | 'ignore-range';

export interface ModelServer {
  /** http://127.0.0.1:<port>/ : the file is served under its own name. */
  base: string;
  mode: Mode;
  cutAt: number;
  /** The Range header of every request for the file, or null when there was none. */
  ranges: (string | null)[];
  close(): Promise<void>;
}

/** A loopback server serving one real model file, for fetch tests; https when given a key and certificate. */
export async function serveModel(
  path: string,
  tls?: { key: string; cert: string },
): Promise<ModelServer> {
  const name = basename(path);
  const size = statSync(path).size;
  const state: ModelServer = {
    base: '',
    mode: 'whole',
    cutAt: 0,
    ranges: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const answer: RequestListener = (req, res) => {
    if (req.url === `/moved/${name}`) {
      res.writeHead(302, { location: `/${name}` }).end();
      return;
    }
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    const range = req.headers.range ?? null;
    state.ranges.push(range);
    const start =
      range && state.mode !== 'ignore-range' ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    if (start > 0) {
      res.writeHead(206, {
        'content-length': size - start,
        'content-range': `bytes ${start}-${size - 1}/${size}`,
      });
    } else {
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    }
    const body = createReadStream(path, { start });
    if (state.mode === 'cut') {
      let sent = 0;
      body.on('data', (chunk) => {
        if (sent >= state.cutAt) return;
        const bytes = chunk as Buffer;
        const room = state.cutAt - sent;
        sent += bytes.length;
        if (room <= bytes.length) {
          res.write(bytes.subarray(0, Math.max(0, room)), () => res.destroy());
          body.destroy();
        } else {
          res.write(bytes);
        }
      });
      return;
    }
    if (state.mode === 'altered') {
      const at = Math.floor(size / 2) - start;
      let seen = 0;
      const flip = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (at >= seen && at < seen + chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[at - seen] = chunk[at - seen]! ^ 0xff;
          }
          seen += chunk.length;
          done(null, chunk);
        },
      });
      body.pipe(flip).pipe(res);
      return;
    }
    body.pipe(res);
  };
  const server: Server = tls ? createTlsServer(tls, answer) : createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  state.base = `${tls ? 'https' : 'http'}://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  return state;
}
