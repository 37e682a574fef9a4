import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const isRoot = process.getuid?.() === 0;
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

describe('EvidenceStore', () => {
  const tempDir = useTempDirs();
  const mounts: string[] = [];
  afterEach(() => {
    for (const m of mounts.splice(0)) execFileSync('umount', ['--lazy', m]);
  });

  it('copies a file in, with SHA-256 and MD5, size, who and when, leaving the original as it was', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const source = join(tempDir(), 'phone dump.bin');
    const content = Buffer.from('exhibit JS/1: the handset dump\n'.repeat(1000));
    writeFileSync(source, content);
    const statBefore = statSync(source);

    const { item, duplicate } = await store.importEvidence(source, { exhibitRef: 'JS/1' });

    expect(duplicate).toBe(false);
    expect(item).toMatchObject({
      id: 1,
      exhibitRef: 'JS/1',
      originalName: 'phone dump.bin',
      originalPath: source,
      size: content.length,
      sha256: sha256(content),
      md5: md5(content),
      importedBy: workstation.actor,
      storedPath: join('evidence', sha256(content).slice(0, 2), sha256(content)),
    });
    expect(Date.now() - Date.parse(item.importedAt)).toBeLessThan(60_000);
    expect(readFileSync(store.evidence.absolutePath(item))).toEqual(content);
    expect(statSync(store.evidence.absolutePath(item)).mode & 0o777).toBe(0o444);

    const statAfter = statSync(source);
    expect(readFileSync(source)).toEqual(content);
    expect(statAfter.mtimeMs).toBe(statBefore.mtimeMs);
    expect(statAfter.mode).toBe(statBefore.mode);
    expect(store.audit.list().at(-1)).toMatchObject({
      action: 'evidence.import',
      subject: 'evidence:1',
      details: { sha256: sha256(content), size: content.length },
    });
    store.close();
    workstation.close();
  });

  it('detects the same content imported twice by its hash, whatever the file is called', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'same bytes');
    writeFileSync(join(dir, 'b.txt'), 'same bytes');

    const first = await store.importEvidence(join(dir, 'a.txt'));
    const second = await store.importEvidence(join(dir, 'b.txt'), { exhibitRef: 'JS/2' });

    expect(second).toEqual({ item: first.item, duplicate: true });
    expect(store.evidence.list()).toHaveLength(1);
    expect(readdirSync(join(store.dir, 'evidence', '.incoming'))).toEqual([]);
    expect(store.audit.list().at(-1)).toMatchObject({
      action: 'evidence.duplicate',
      subject: 'evidence:1',
      details: { exhibitRef: 'JS/2', originalName: 'b.txt', originalPath: join(dir, 'b.txt') },
    });
    store.close();
    workstation.close();
  });

  it('imports an empty file as a zero-byte item with the hashes of nothing', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const source = join(tempDir(), 'empty.txt');
    writeFileSync(source, '');
    const { item } = await store.importEvidence(source);
    expect(item).toMatchObject({ size: 0, sha256: sha256(''), md5: md5('') });
    store.close();
    workstation.close();
  });

  it('keeps unicode and spaces in names and paths', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const dir = join(tempDir(), 'Téléphone de Zoë', 'دليل');
    mkdirSync(dir, { recursive: true });
    const source = join(dir, 'WhatsApp Chat – Дмитрий 😀.txt');
    writeFileSync(source, 'мессидж');
    const { item } = await store.importEvidence(source);
    expect(item.originalName).toBe('WhatsApp Chat – Дмитрий 😀.txt');
    expect(item.originalPath).toBe(source);
    expect(store.evidence.list()[0]!.originalName).toBe('WhatsApp Chat – Дмитрий 😀.txt');
    store.close();
    workstation.close();
  });

  it.each([
    [
      'a missing file',
      (dir: string) => join(dir, 'not-there.bin'),
      /reading not-there.bin: no such file or folder/,
    ],
    ['a folder', (dir: string) => dir, /is a folder; import the files in it one by one/],
    ['an empty path', () => '', /no file was given/],
    ['a device', () => '/dev/null', /not a regular file/],
  ])('refuses %s with one clear line and stores nothing', async (_why, path, message) => {
    const { workstation, store } = await workstationWithCase(tempDir());
    await expect(store.importEvidence(path(tempDir()))).rejects.toThrow(message);
    expect(store.evidence.list()).toEqual([]);
    store.close();
    workstation.close();
  });

  it.skipIf(isRoot)('refuses a file it may not read (as a normal user)', async () => {
    const { workstation, store } = await workstationWithCase(tempDir());
    const source = join(tempDir(), 'locked.bin');
    writeFileSync(source, 'x');
    chmodSync(source, 0o000);
    await expect(store.importEvidence(source)).rejects.toThrow(
      /reading locked.bin: permission denied/,
    );
    store.close();
    workstation.close();
  });

  it.runIf(isRoot)(
    'fails cleanly when the disk fills mid-copy, keeping what was stored and taking the next import',
    async () => {
      const mount = tempDir('toex-full-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
      mounts.push(mount);
      const { workstation, store } = await workstationWithCase(mount);
      const small = join(tempDir(), 'small.txt');
      writeFileSync(small, 'first exhibit');
      await store.importEvidence(small);
      const big = join(tempDir(), 'big.bin');
      writeFileSync(big, Buffer.alloc(6 * 1024 * 1024, 1));

      await expect(store.importEvidence(big)).rejects.toMatchObject({
        kind: 'storage',
        message: 'importing big.bin: no space left on the device',
      });

      expect(store.evidence.list().map((i) => i.originalName)).toEqual(['small.txt']);
      expect(readdirSync(join(store.dir, 'evidence', '.incoming'))).toEqual([]);
      expect(store.audit.list().at(-1)).toMatchObject({
        action: 'evidence.import-failed',
        details: { kind: 'storage' },
      });
      const another = join(tempDir(), 'another.txt');
      writeFileSync(another, 'second exhibit');
      expect((await store.importEvidence(another)).item.id).toBe(2);
      expect(store.audit.verify().ok).toBe(true);
      store.close();
      workstation.close();
    },
  );

  it('removes partial copies left by interrupted imports when the case opens, not those of a live import', async () => {
    const home = tempDir();
    const { workstation, store, info } = await workstationWithCase(home);
    mkdirSync(join(store.dir, 'evidence', '.incoming'), { recursive: true });
    writeFileSync(
      join(store.dir, 'evidence', '.incoming', `${deadPid()}-left.part`),
      'half a file',
    );
    writeFileSync(join(store.dir, 'evidence', '.incoming', 'no-owner.part'), 'half a file');
    const live = `${process.pid}-being-written.part`;
    writeFileSync(
      join(store.dir, 'evidence', '.incoming', live),
      'another process is still writing this',
    );
    store.close();
    const reopened = workstation.openCase(info.id);
    expect(readdirSync(join(reopened.dir, 'evidence', '.incoming'))).toEqual([live]);
    reopened.close();
    workstation.close();
  });

  it('streams a file over 1 GiB in bounded memory, with hashes that sha256sum and md5sum agree with', () => {
    const dir = tempDir();
    const source = join(dir, 'image.dd');
    writeFileSync(source, 'start of a disk image');
    truncateSync(source, 1.25 * 1024 ** 3);
    const expectedSha = execFileSync('sha256sum', [source], { encoding: 'utf8' }).split(' ')[0];
    const expectedMd5 = execFileSync('md5sum', [source], { encoding: 'utf8' }).split(' ')[0];
    const home = join(dir, 'home');

    const out = execFileSync(
      process.execPath,
      [join(import.meta.dirname, '..', '..', 'helpers', 'importInChild.mjs'), home, source],
      { encoding: 'utf8' },
    );
    const { item, maxRssBytes } = JSON.parse(out) as {
      item: { size: number; sha256: string; md5: string };
      maxRssBytes: number;
    };

    expect(item).toMatchObject({ size: 1.25 * 1024 ** 3, sha256: expectedSha, md5: expectedMd5 });
    expect(maxRssBytes).toBeLessThan(256 * 1024 * 1024);
    rmSync(home, { recursive: true, force: true });
    expect(existsSync(home)).toBe(false);
  });
});
