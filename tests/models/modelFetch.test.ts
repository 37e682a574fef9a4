import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { REFUSED, fetchModel } from '../../models/modelFetch.js';
import { sha256OfFile } from '../../models/modelManifest.js';
import { modelsDir, verifyModels } from '../../models/modelStore.js';
import { type ModelServer, serveModel } from '../helpers/modelServer.js';
import { whisperModel } from '../helpers/models.js';
import { useTempDirs } from '../helpers/temp.js';

const ID = 'whisper-tiny.en';
const NAME = 'ggml-tiny.en.bin';
const SIZE = 77_704_715;
const SHA256 = '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f';

describe('modelFetch', () => {
  const tempDir = useTempDirs();
  let server: ModelServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<ModelServer> {
    server = await serveModel(whisperModel(NAME));
    return server;
  }

  it('downloads from a mirror, reporting progress, and installs the file read-only once it verifies', async () => {
    const { base, ranges } = await start();
    const home = tempDir();
    const seen: number[] = [];
    const result = await fetchModel(home, ID, {
      from: base,
      onProgress: (done, total) => {
        expect(total).toBe(SIZE);
        seen.push(done);
      },
    });
    expect(result).toEqual({
      id: ID,
      file: NAME,
      sha256: SHA256,
      from: `${base}${NAME}`,
      resumedAt: 0,
      alreadyInstalled: false,
    });
    expect(ranges).toEqual([null]);
    expect(seen.at(-1)).toBe(SIZE);
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
    const installed = join(modelsDir(home), NAME);
    expect(statSync(installed).mode & 0o222).toBe(0);
    expect(await sha256OfFile(installed)).toBe(SHA256);
    expect(readdirSync(modelsDir(home))).toEqual([NAME]);

    expect(await fetchModel(home, ID, { from: base })).toMatchObject({ alreadyInstalled: true });
    expect(ranges).toEqual([null]);
  });

  it('keeps an interrupted transfer and resumes it with a Range request', async () => {
    const srv = await start();
    const home = tempDir();
    srv.mode = 'cut';
    srv.cutAt = 30_000_000;
    await expect(fetchModel(home, ID, { from: srv.base })).rejects.toMatchObject({
      kind: 'storage',
      message: expect.stringMatching(
        new RegExp(
          `^the download of ${NAME} stopped at \\d+ of ${SIZE} bytes; run the same fetch again to resume$`,
        ),
      ) as string,
    });
    const partial = join(modelsDir(home), `${NAME}.partial`);
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(30_000_000);
    expect(existsSync(join(modelsDir(home), NAME))).toBe(false);

    srv.mode = 'whole';
    const result = await fetchModel(home, ID, { from: srv.base });
    expect(result).toMatchObject({ sha256: SHA256, resumedAt: kept, alreadyInstalled: false });
    expect(srv.ranges).toEqual([null, `bytes=${kept}-`]);
    expect(existsSync(partial)).toBe(false);
    expect(await verifyModels(home, ID)).toEqual([{ id: ID, file: NAME, state: 'ok' }]);
  });

  it('starts again from the first byte when the server ignores the Range request', async () => {
    const srv = await start();
    const home = tempDir();
    srv.mode = 'cut';
    srv.cutAt = 5_000_000;
    await expect(fetchModel(home, ID, { from: srv.base })).rejects.toMatchObject({
      kind: 'storage',
    });
    srv.mode = 'ignore-range';
    const result = await fetchModel(home, ID, { from: srv.base });
    expect(result).toMatchObject({ sha256: SHA256, resumedAt: 0 });
    expect(srv.ranges[1]).toMatch(/^bytes=\d+-$/);
  });

  it('deletes altered bytes and installs nothing, even when they arrive over a resume', async () => {
    const srv = await start();
    const home = tempDir();
    srv.mode = 'altered';
    const refusal = fetchModel(home, ID, { from: srv.base });
    await expect(refusal).rejects.toMatchObject({
      kind: 'bad-input',
      code: REFUSED,
      message: expect.stringMatching(
        new RegExp(
          `^the downloaded ${NAME.replace(/\./g, '\\.')} has sha256 [0-9a-f]{64}, not the manifest's; it was deleted, nothing was installed$`,
        ),
      ) as string,
    });
    expect(readdirSync(modelsDir(home))).toEqual([]);

    srv.mode = 'cut';
    srv.cutAt = 10_000_000;
    await expect(fetchModel(home, ID, { from: srv.base })).rejects.toMatchObject({
      kind: 'storage',
    });
    srv.mode = 'altered';
    await expect(fetchModel(home, ID, { from: srv.base })).rejects.toMatchObject({ code: REFUSED });
    expect(readdirSync(modelsDir(home))).toEqual([]);
  });

  it('follows a redirect on the same terms and names a file the server does not have', async () => {
    const srv = await start();
    const home = tempDir();
    expect(await fetchModel(home, ID, { from: `${srv.base}moved/` })).toMatchObject({
      from: `${srv.base}${NAME}`,
      sha256: SHA256,
    });
    await expect(fetchModel(home, 'whisper-base', { from: srv.base })).rejects.toMatchObject({
      kind: 'not-found',
      message: `${srv.base}ggml-base.bin answered HTTP 404; nothing was installed`,
    });
  });

  it('refuses a server that offers another size before writing a byte', async () => {
    const junk = createServer((_req, res) =>
      res.writeHead(200, { 'content-length': 1000 }).end(Buffer.alloc(1000)),
    );
    await new Promise<void>((resolve) => junk.listen(0, '127.0.0.1', resolve));
    const port = (junk.address() as { port: number }).port;
    const home = tempDir();
    try {
      await expect(
        fetchModel(home, ID, { from: `http://127.0.0.1:${port}` }),
      ).rejects.toMatchObject({
        code: REFUSED,
        message: `http://127.0.0.1:${port}/${NAME} offers 1000 bytes, but ${NAME} is ${SIZE}; nothing was installed`,
      });
    } finally {
      await new Promise((resolve) => junk.close(resolve));
    }
    expect(readdirSync(modelsDir(home))).toEqual([]);
  });

  it('never writes through a link left in place of the partial file', async () => {
    const { base } = await start();
    const home = tempDir();
    const victim = join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'untouched');
    mkdirSync(modelsDir(home));
    symlinkSync(victim, join(modelsDir(home), `${NAME}.partial`));
    expect(await fetchModel(home, ID, { from: base })).toMatchObject({
      sha256: SHA256,
      resumedAt: 0,
    });
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
  });

  it('says a mirror cannot be reached, and installs nothing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const home = tempDir();
    await expect(fetchModel(home, ID, { from: `http://127.0.0.1:${port}/` })).rejects.toMatchObject(
      {
        kind: 'storage',
        message: `http://127.0.0.1:${port}/${NAME} cannot be reached (ECONNREFUSED); nothing was installed`,
      },
    );
    expect(readdirSync(modelsDir(home))).toEqual([]);
  });

  it.each([
    ['plain http to another machine', 'http://192.0.2.7/models/'],
    ['ftp', 'ftp://127.0.0.1/'],
  ])('refuses %s before connecting', async (_what, from) => {
    await expect(fetchModel(tempDir(), ID, { from })).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringContaining('is refused: models are fetched over https') as string,
    });
  });

  it('refuses an unknown model id and a second fetch of the same model', async () => {
    const home = tempDir();
    await expect(fetchModel(home, 'whisper-huge')).rejects.toMatchObject({ kind: 'not-found' });
    mkdirSync(modelsDir(home));
    writeFileSync(join(modelsDir(home), `${NAME}.fetching`), String(process.pid));
    await expect(fetchModel(home, ID, { from: 'http://127.0.0.1:9/' })).rejects.toMatchObject({
      kind: 'locked',
      message: `another fetch of this model is running (process ${process.pid})`,
    });
  });
});
