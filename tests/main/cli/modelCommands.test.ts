import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { toex } from '../../helpers/cli.js';
import { flipByte } from '../../helpers/flipByte.js';
import { type ModelServer, serveModel } from '../../helpers/modelServer.js';
import { JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { NEW_CASE, workstationWithCase } from '../../helpers/workstation.js';

describe('toex models', () => {
  const tempDir = useTempDirs();
  let server: ModelServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A data folder set up with the test scrypt, which the CLI unlocks with its own passphrase. */
  async function home(): Promise<string> {
    const dir = tempDir();
    const { workstation, store } = await workstationWithCase(dir);
    store.close();
    workstation.close();
    return dir;
  }

  it('lists every manifest model, imports a USB folder refusing what fails, and verifies', async () => {
    const dir = await home();
    const listed = await toex(dir, ['--json', 'models', 'list']);
    expect(listed.code).toBe(0);
    const models = JSON.parse(listed.stdout) as { id: string; installed: boolean }[];
    expect(models).toHaveLength(19);
    // The translation model bin/setup built is read from where it put it.
    expect(models.filter((m) => m.installed).map((m) => m.id)).toEqual(['opus-mt-zh-en']);

    const usb = tempDir();
    copyFileSync(whisperModel('ggml-tiny.en.bin'), join(usb, 'ggml-tiny.en.bin'));
    copyFileSync(whisperModel('ggml-tiny.en.bin'), join(usb, 'ggml-tiny.bin'));
    writeFileSync(join(usb, 'readme.txt'), 'models for the interview suite');
    const imported = await toex(dir, ['models', 'import', usb]);
    expect(imported).toMatchObject({
      code: 7,
      stdout: [
        'refused ggml-tiny.bin: 77704715 bytes, but ggml-tiny.bin is 77691713 bytes (truncated or altered); not imported',
        'imported ggml-tiny.en.bin as whisper-tiny.en (sha256 matches the manifest)',
        'refused readme.txt: not a model file the manifest lists; not imported',
        '1 imported, 2 refused.',
        '',
      ].join('\n'),
    });

    const after = await toex(dir, ['models', 'list']);
    expect(after.stdout).toMatch(/\nwhisper-tiny\.en {9} {3}74\.1 MiB {2}en {11}yes\n/);
    expect(after.stdout).toMatch(/\nwhisper-base {14}141\.1 MiB {2}multilingual {1}no\n/);

    expect(await toex(dir, ['models', 'verify'])).toMatchObject({
      code: 0,
      stdout: [
        'ok  whisper-tiny.en  ggml-tiny.en.bin',
        "ok  opus-mt-zh-en  4 files (bin/setup's copy)",
        '2 models verified.',
        '',
      ].join('\n'),
    });
    flipByte(join(dir, 'models', 'ggml-tiny.en.bin'), 1000);
    const altered = await toex(dir, ['models', 'verify', 'whisper-tiny.en']);
    expect(altered.code).toBe(7);
    expect(altered.stdout).toMatch(
      /^ALTERED {2}whisper-tiny\.en {2}ggml-tiny\.en\.bin {2}\(sha256 [0-9a-f]{64}\)\n1 of 1 model FAILED verification\.\n$/,
    );
    const missing = await toex(dir, ['--json', 'models', 'verify', 'whisper-small']);
    expect(missing.code).toBe(7);
    expect(JSON.parse(missing.stdout)).toEqual([
      {
        id: 'whisper-small',
        file: 'ggml-small.bin',
        state: 'missing',
        detail: 'not in the models folder',
      },
    ]);
  });

  it('fetches from a loopback mirror, and refuses altered bytes with exit code 7', async () => {
    const dir = await home();
    server = await serveModel(whisperModel('ggml-tiny.en.bin'));
    server.mode = 'altered';
    const bad = await toex(dir, ['models', 'fetch', 'whisper-tiny.en', '--from', server.base]);
    expect(bad.code).toBe(7);
    expect(bad.stderr).toMatch(
      /^toex: the downloaded ggml-tiny\.en\.bin has sha256 [0-9a-f]{64}, not the manifest's; it was deleted, nothing was installed\n$/,
    );
    expect(readdirSync(join(dir, 'models'))).toEqual([]);

    server.mode = 'whole';
    const good = await toex(dir, [
      '--json',
      'models',
      'fetch',
      'whisper-tiny.en',
      '--from',
      server.base,
    ]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ id: 'whisper-tiny.en', resumedAt: 0 });
    const progress = good.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; done: number; total: number });
    expect(progress.at(-1)).toMatchObject({ event: 'progress', done: 77704715, total: 77704715 });
  });

  it('fetches over https from a mirror whose certificate the machine trusts, and from no other', async () => {
    const dir = await home();
    const pki = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(pki, 'key.pem'),
        '-out',
        join(pki, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    server = await serveModel(whisperModel('ggml-tiny.en.bin'), {
      key: readFileSync(join(pki, 'key.pem'), 'utf8'),
      cert: readFileSync(join(pki, 'cert.pem'), 'utf8'),
    });
    expect(server.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const args = ['models', 'fetch', 'whisper-tiny.en', '--from', `${server.base}moved/`];

    const untrusted = await toex(dir, args);
    expect(untrusted).toMatchObject({
      code: 6,
      stderr: `toex: ${server.base}moved/ggml-tiny.en.bin cannot be reached (DEPTH_ZERO_SELF_SIGNED_CERT); nothing was installed\n`,
    });
    const trusted = await toex(dir, args, {
      env: { NODE_EXTRA_CA_CERTS: join(pki, 'cert.pem') },
    });
    expect(trusted).toMatchObject({
      code: 0,
      stdout: `Fetched whisper-tiny.en (ggml-tiny.en.bin) from ${server.base}ggml-tiny.en.bin; sha256 matches the manifest.\n`,
    });
    expect(server.ranges).toEqual([null]);
  });

  it('refuses plain http to another machine, and commands that write before `toex init`', async () => {
    const dir = await home();
    expect(
      await toex(dir, ['models', 'fetch', 'whisper-base', '--from', 'http://192.0.2.7/']),
    ).toMatchObject({
      code: 2,
      stderr:
        'toex: http://192.0.2.7 is refused: models are fetched over https (plain http only from 127.0.0.1 or localhost)\n',
    });
    const bare = tempDir();
    expect(await toex(bare, ['models', 'import', whisperModel('ggml-tiny.en.bin')])).toMatchObject({
      code: 3,
      stderr: `toex: no workstation in ${bare}: run \`toex init\` first\n`,
    });
  });

  it('transcribes with an installed model named by its id, and says how to install one that is not', async () => {
    const dir = await home();
    expect((await toex(dir, ['evidence', 'add', NEW_CASE.reference, JFK_WAV])).code).toBe(0);
    const absent = await toex(dir, [
      'transcribe',
      NEW_CASE.reference,
      '1',
      '--model',
      'whisper-base.en',
    ]);
    expect(absent).toMatchObject({
      code: 3,
      stderr:
        'toex: model whisper-base.en is not installed; add it with `toex models import <file or folder>` or `toex models fetch whisper-base.en`\n',
    });

    expect((await toex(dir, ['models', 'import', whisperModel('ggml-tiny.en.bin')])).code).toBe(0);
    const done = await toex(dir, [
      'transcribe',
      NEW_CASE.reference,
      '1',
      '--model',
      'whisper-tiny.en',
      '--threads',
      '1',
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/And so my fellow Americans/);
    expect(done.stdout).toMatch(/; model whisper-tiny\.en\.\n$/);
  });
});
