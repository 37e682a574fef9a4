import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { appProtocolHandler, byteRange } from '../../../main/electron/appProtocol.js';
import { ToexError } from '../../../main/errors.js';
import { CONTENT_SECURITY_POLICY } from '../../../main/web/security.js';
import { useTempDirs } from '../../helpers/temp.js';

const CASE = '4a0e3c3e-2b6c-4c39-9a57-0f1d3b7f7a11';

describe('appProtocol', () => {
  const tempDir = useTempDirs();

  /** A built window in `<dir>/renderer`, a secret beside it, and one recording of ten bytes. */
  function setUp() {
    const dir = tempDir();
    const rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>TOEX</title>');
    writeFileSync(join(rendererDir, 'assets', 'index.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'not for the window');
    const recording = join(dir, 'interview.wav');
    writeFileSync(recording, '0123456789');
    const asked: string[] = [];
    const media = {
      mediaFile(path: string) {
        asked.push(path);
        if (path !== `/media/${CASE}/3`) throw new ToexError('not-found', 'no such recording');
        return { file: recording, mime: 'audio/wav' };
      },
    };
    const handler = appProtocolHandler({ rendererDir, media });
    const get = (url: string, headers: Record<string, string> = {}) =>
      handler(new Request(url, { headers }));
    return { get, asked, handler };
  }

  it('serves the window with its policy on every response', async () => {
    const { get } = setUp();
    for (const url of ['app://toex/', 'app://toex/index.html']) {
      const res = get(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(await res.text()).toContain('<title>TOEX</title>');
    }
    const script = get('app://toex/assets/index.js');
    expect(script.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {};');
  });

  it.each([
    'app://toex/../secret.txt',
    'app://toex/%2e%2e/secret.txt',
    'app://toex/..%2fsecret.txt',
    'app://toex/assets/..%2f..%2fsecret.txt',
    'app://toex/..%5csecret.txt',
    'app://toex/%00index.html',
    'app://toex/missing.js',
    'app://toex/assets',
    'app://other/index.html',
  ])('refuses %s', (url) => {
    const res = setUp().get(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses anything but reading', () => {
    const { handler } = setUp();
    const res = handler(new Request('app://toex/index.html', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(405);
  });

  it('streams a recording through the API service, whole or by range', async () => {
    const { get, asked } = setUp();
    const whole = get(`app://toex/media/${CASE}/3`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('Content-Type')).toBe('audio/wav');
    expect(whole.headers.get('Accept-Ranges')).toBe('bytes');
    expect(whole.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await whole.text()).toBe('0123456789');

    const part = get(`app://toex/media/${CASE}/3`, { Range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.headers.get('Content-Range')).toBe('bytes 2-5/10');
    expect(part.headers.get('Content-Length')).toBe('4');
    expect(await part.text()).toBe('2345');

    const opening = get(`app://toex/media/${CASE}/3`, { Range: 'bytes=0-' });
    expect(opening.status).toBe(206);
    expect(await opening.text()).toBe('0123456789');

    const beyond = get(`app://toex/media/${CASE}/3`, { Range: 'bytes=10-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('Content-Range')).toBe('bytes */10');
    expect(asked).toEqual([
      `/media/${CASE}/3`,
      `/media/${CASE}/3`,
      `/media/${CASE}/3`,
      `/media/${CASE}/3`,
    ]);
  });

  it('answers 404 for a recording the API service does not know, and 423 while locked', () => {
    const { get } = setUp();
    expect(get(`app://toex/media/${CASE}/4`).status).toBe(404);

    const locked = appProtocolHandler({
      rendererDir: tempDir(),
      media: {
        mediaFile: () => {
          throw new ToexError('locked', 'the workstation is locked');
        },
      },
    });
    expect(locked(new Request(`app://toex/media/${CASE}/3`)).status).toBe(423);
  });

  it.each([
    [null, { kind: 'whole' }],
    ['bytes=0-', { kind: 'part', start: 0, end: 9 }],
    ['bytes=2-5', { kind: 'part', start: 2, end: 5 }],
    ['bytes=8-100', { kind: 'part', start: 8, end: 9 }],
    ['bytes=-3', { kind: 'part', start: 7, end: 9 }],
    ['bytes=-30', { kind: 'part', start: 0, end: 9 }],
    ['bytes=5-2', { kind: 'unsatisfiable' }],
    ['bytes=10-', { kind: 'unsatisfiable' }],
    ['bytes=-', { kind: 'whole' }],
    ['bytes=0-1,4-5', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
  ])('reads the Range %s of a ten-byte file', (header, expected) => {
    expect(byteRange(header, 10)).toEqual(expected);
  });
});
