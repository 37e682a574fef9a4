import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ApiService } from '../../../main/api/ApiService.js';
import { CONTENT_SECURITY_POLICY } from '../../../main/web/security.js';
import { WebServer } from '../../../main/web/WebServer.js';
import { PASSPHRASE, useTempDirs } from '../../helpers/temp.js';
import { newWorkstation } from '../../helpers/workstation.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so Host and Origin can be anything a hostile page could send. */
function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('web mode', () => {
  const tempDir = useTempDirs();
  const open: { web: WebServer; api: ApiService }[] = [];

  afterEach(async () => {
    for (const { web, api } of open.splice(0)) {
      await web.close();
      await api.dispose();
    }
  });

  async function start() {
    const home = tempDir();
    (await newWorkstation(home)).workstation.close();
    const renderer = tempDir();
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>TOEX</title>');
    mkdirSync(join(renderer, 'assets'));
    writeFileSync(join(renderer, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(tempDir(), 'secret.txt'), 'not to be served');
    const api = new ApiService(home);
    const web = await WebServer.start(api, { rendererDir: renderer });
    open.push({ web, api });
    const url = new URL(web.url);
    const token = url.hash.slice('#token='.length);
    return { home, api, web, port: Number(url.port), token, url };
  }

  const call = (port: number, name: string, input: unknown, headers: Record<string, string>) =>
    send(port, {
      method: 'POST',
      path: `/api/call/${name}`,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(input),
    });

  it('listens on 127.0.0.1 with a fresh 256-bit token in the fragment of its address', async () => {
    const a = await start();
    const b = await start();
    expect(a.url.hostname).toBe('127.0.0.1');
    expect(a.url.pathname).toBe('/');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
  });

  it('serves the window with its Content-Security-Policy and no inline script allowed', async () => {
    const { port } = await start();
    const page = await send(port, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>TOEX</title>');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await send(port, { path: '/assets/app.js' })).status).toBe(200);
    for (const path of [
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
    ]) {
      const escape = await send(port, { path });
      expect(escape.body).not.toContain('not to be served');
      expect(escape.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('refuses the API without the token, with a wrong one, and from another host or origin', async () => {
    const { port, token } = await start();
    const ok = { Authorization: `Bearer ${token}` };
    expect((await call(port, 'session:state', {}, {})).status).toBe(401);
    expect(
      (await call(port, 'session:state', {}, { Authorization: `Bearer ${'x'.repeat(43)}` })).status,
    ).toBe(401);
    expect((await send(port, { path: '/api/events' })).status).toBe(401);

    const rebound = await call(port, 'session:state', {}, { ...ok, Host: `evil.example:${port}` });
    expect(rebound.status).toBe(421);
    const foreign = await call(port, 'session:state', {}, { ...ok, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    const otherPort = await call(
      port,
      'session:state',
      {},
      { ...ok, Origin: `http://127.0.0.1:${port + 1}` },
    );
    expect(otherPort.status).toBe(403);

    const reply = await call(
      port,
      'session:state',
      {},
      { ...ok, Origin: `http://127.0.0.1:${port}` },
    );
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      ok: true,
      value: { initialised: true, unlocked: false, operator: null },
    });
  });

  it('trades the token for a cookie only this origin sends, which then carries the session', async () => {
    const { port, token } = await start();
    expect((await send(port, { method: 'POST', path: '/api/session' })).status).toBe(401);
    const session = await send(port, {
      method: 'POST',
      path: '/api/session',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(session.status).toBe(204);
    const cookie = (session.headers['set-cookie'] as string[])[0]!;
    expect(cookie).toBe(`toex-session=${token}; HttpOnly; SameSite=Strict; Path=/`);
    const reply = await call(port, 'session:state', {}, { Cookie: cookie.split(';')[0]! });
    expect(JSON.parse(reply.body).ok).toBe(true);
  });

  it('answers bad calls with an envelope: unknown operation, input off the contract, not JSON', async () => {
    const { port, token } = await start();
    const auth = { Authorization: `Bearer ${token}` };
    expect(JSON.parse((await call(port, 'evidence:delete', {}, auth)).body)).toEqual({
      ok: false,
      error: { kind: 'bad-input', message: 'unknown operation' },
    });
    const bad = JSON.parse((await call(port, 'cases:open', { caseId: 42 }, auth)).body);
    expect(bad).toEqual({
      ok: false,
      error: { kind: 'bad-input', message: expect.stringMatching(/^cases:open: caseId: /) },
    });
    const locked = JSON.parse((await call(port, 'cases:list', {}, auth)).body);
    expect(locked.error.kind).toBe('locked');
    const text = await send(port, {
      method: 'POST',
      path: '/api/call/cases:list',
      headers: { ...auth, 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    const big = await call(
      port,
      'session:unlock',
      { passphrase: 'x'.repeat(2 * 1024 * 1024) },
      auth,
    );
    expect(big.status).toBe(413);
  });

  it('takes uploads only once unlocked, under a plain name, into the data folder', async () => {
    const { port, token, home } = await start();
    const auth = { Authorization: `Bearer ${token}` };
    const upload = (name: string) =>
      send(port, {
        method: 'POST',
        path: `/api/upload?name=${encodeURIComponent(name)}`,
        headers: auth,
        body: 'abc',
      });
    expect((await upload('call.wav')).status).toBe(423);
    await call(port, 'session:unlock', { passphrase: PASSPHRASE }, auth);
    expect((await upload('../escape.wav')).status).toBe(400);
    expect((await upload('')).status).toBe(400);
    const sent = await upload('call.wav');
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toEqual({
      stagedId: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'call.wav',
      size: 3,
    });
    expect(readdirSync(join(home, 'uploads'))).toHaveLength(1);
  });
});
