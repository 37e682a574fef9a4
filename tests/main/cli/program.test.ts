import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Workstation } from '../../../main/workstation/Workstation.js';
import { CLI_PASSPHRASE, startToex, toex } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/evidence.js';
import { JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';
const EVIDENCE_MARKER = 'Meet behind the leisure centre at 9, bring the package';
const MARKER_BYTES = Buffer.byteLength(EVIDENCE_MARKER);
const isRoot = process.getuid?.() === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('toex command line', () => {
  const tempDir = useTempDirs();

  async function homeWithCase(): Promise<{ home: string; recoveryKey: string }> {
    const home = tempDir();
    const init = await toex(home, ['--json', 'init', '--operator', 'DC Test 0001']);
    expect(init.code).toBe(0);
    const { recoveryKey } = JSON.parse(init.stdout) as { recoveryKey: string };
    const created = await toex(home, [
      'case',
      'create',
      '--reference',
      REF,
      '--title',
      'County lines',
      '--owner',
      'DS Kaur',
      '--classification',
      'OFFICIAL-SENSITIVE',
    ]);
    expect(created.code).toBe(0);
    return { home, recoveryKey };
  }

  async function bigEvidence(home: string, count: number, megabytes: number): Promise<void> {
    const dir = tempDir();
    const files = [];
    for (let i = 0; i < count; i++) {
      const path = join(dir, `dump-${i}.bin`);
      writeFileSync(path, Buffer.alloc(megabytes * 1024 * 1024, i + 1));
      files.push(path);
    }
    expect((await toex(home, ['evidence', 'add', REF, ...files])).code).toBe(0);
  }

  it('sets up, creates a case, imports, lists, verifies and audits, in text and in JSON', async () => {
    const { home, recoveryKey } = await homeWithCase();
    expect(recoveryKey).toMatch(/^([0-9A-Z]{4}-){12}[0-9A-Z]{4}$/);
    const dir = join(tempDir(), 'USB stick', 'Téléphone 1');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'chat export ü.txt');
    writeFileSync(file, EVIDENCE_MARKER);

    const added = await toex(home, ['evidence', 'add', REF, file, '--exhibit', 'JS/1']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(
      new RegExp(`^chat export ü\\.txt: item 1, ${MARKER_BYTES} B, sha256 [0-9a-f]{64}\n$`),
    );

    const again = await toex(home, ['evidence', 'add', REF, file]);
    expect(again.stdout).toBe(
      'chat export ü.txt: already in the case as item 1 (same SHA-256); nothing added\n',
    );

    const listed = JSON.parse((await toex(home, ['--json', 'evidence', 'list', REF])).stdout) as {
      exhibitRef: string;
      size: number;
      originalPath: string;
    }[];
    expect(listed).toMatchObject([
      { id: 1, exhibitRef: 'JS/1', size: MARKER_BYTES, originalPath: file },
    ]);

    const verified = await toex(home, ['evidence', 'verify', REF]);
    expect(verified).toMatchObject({
      code: 0,
      stdout: 'Checked 1 items: 1 match their import hashes.\n',
    });

    const audit = await toex(home, ['audit', 'verify', REF]);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/^Audit log intact: 7 entries, head [0-9a-f]{16}…\n$/);
    const entries = JSON.parse((await toex(home, ['--json', 'audit', 'show', REF])).stdout) as {
      action: string;
    }[];
    expect(entries.map((e) => e.action)).toEqual([
      'case.create',
      'evidence.import',
      'evidence.duplicate',
      'job.queue',
      'job.start',
      'evidence.verify',
      'job.finish',
    ]);

    const shown = JSON.parse((await toex(home, ['--json', 'case', 'show', REF])).stdout) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({
      reference: REF,
      classification: 'OFFICIAL-SENSITIVE',
      status: 'open',
      evidence: { items: 1, bytes: MARKER_BYTES },
      jobs: { total: 1 },
    });
    expect((await toex(home, ['audit', 'verify', '--workstation'])).code).toBe(0);
  });

  it.each([
    [
      'a wrong passphrase',
      ['case', 'list'],
      { TOEX_PASSPHRASE: 'not the passphrase' },
      4,
      'toex: wrong passphrase',
    ],
    [
      'an unknown case',
      ['case', 'show', 'OP-NOPE'],
      {},
      3,
      'toex: no case "OP-NOPE" on this workstation',
    ],
    [
      'a missing file',
      ['evidence', 'add', REF, '/nonexistent/x.bin'],
      {},
      3,
      'toex: reading x.bin: no such file or folder',
    ],
    [
      'a SECRET case',
      [
        'case',
        'create',
        '--reference',
        'OP-9',
        '--title',
        't',
        '--owner',
        'o',
        '--classification',
        'SECRET',
      ],
      {},
      2,
      'toex: SECRET material cannot be held here: this terminal is accredited up to OFFICIAL-SENSITIVE',
    ],
    [
      'no passphrase and no terminal',
      ['case', 'list'],
      { TOEX_PASSPHRASE: undefined },
      2,
      'toex: no passphrase: set TOEX_PASSPHRASE or give its file with --passphrase-file',
    ],
    [
      'a duplicate reference',
      [
        'case',
        'create',
        '--reference',
        REF,
        '--title',
        't',
        '--owner',
        'o',
        '--classification',
        'OFFICIAL',
      ],
      {},
      5,
      `toex: a case with reference ${REF} already exists`,
    ],
    [
      'an unknown job',
      ['jobs', 'cancel', REF, 'deadbeef'],
      {},
      3,
      'toex: no job deadbeef in this case',
    ],
  ])('answers %s with one line and its exit code', async (_why, args, env, code, line) => {
    const { home } = await homeWithCase();
    const result = await toex(home, args, { env });
    expect(result.code).toBe(code);
    expect(result.stderr).toBe(`${line}\n`);
  });

  it('refuses a data folder that is a file, and never creates a mistyped one just to log into it', async () => {
    const dir = tempDir();
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const onFile = await toex(file, ['case', 'list']);
    expect(onFile.code).toBe(6);
    expect(onFile.stderr).toBe(`toex: the data folder ${file} is a file, not a folder\n`);

    const missing = join(dir, 'typo', 'home');
    const result = await toex(missing, ['case', 'list']);
    expect(result).toMatchObject({
      code: 3,
      stderr: 'toex: no workstation is set up in this data folder (run `toex init`)\n',
    });
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('reports a page damaged inside a case database as damage, exit code 6, and leaves the file as it was', async () => {
    const { home } = await homeWithCase();
    const dir = tempDir();
    const files = Array.from({ length: 30 }, (_, i) => {
      const path = join(dir, `f${i}.bin`);
      writeFileSync(path, randomBytes(20_000));
      return path;
    });
    await toex(home, ['evidence', 'add', REF, ...files]);
    const [caseId] = readdirSync(join(home, 'cases'));
    const db = join(home, 'cases', caseId!, 'case.db');
    const bytes = readFileSync(db);
    randomBytes(4096).copy(bytes, 4096 * 3);
    writeFileSync(db, bytes);

    const listed = await toex(home, ['evidence', 'list', REF]);
    expect(listed).toMatchObject({
      code: 6,
      stderr:
        'toex: the case database is damaged (truncated or corrupt); restore it from a backup\n',
    });
    expect(readFileSync(db)).toEqual(bytes);
  });

  it('shows names from evidence with their control and direction characters escaped', async () => {
    const { home } = await homeWithCase();
    const file = join(tempDir(), 'red\u001b[31mtext\u202egnp.exe');
    writeFileSync(file, 'x');
    const added = await toex(home, ['evidence', 'add', REF, file]);
    expect(added.stdout).toMatch(
      /^red\\u\{1b\}\[31mtext\\u\{202e\}gnp\.exe: item 1, 1 B, sha256 [0-9a-f]{64}\n$/,
    );
    const listed = JSON.parse((await toex(home, ['--json', 'evidence', 'list', REF])).stdout) as {
      originalName: string;
    }[];
    expect(listed[0]!.originalName).toBe('red\u001b[31mtext\u202egnp.exe');
  });

  it('answers an unknown command with usage and exit code 2, and shows a stack only with --debug', async () => {
    const { home } = await homeWithCase();
    const unknown = await toex(home, ['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^toex: unknown command 'frobnicate'/);

    const debug = await toex(home, ['--debug', 'case', 'list'], {
      env: { TOEX_PASSPHRASE: 'not the passphrase' },
    });
    expect(debug.code).toBe(4);
    expect(debug.stderr.split('\n')[0]).toBe('toex: wrong passphrase');
    expect(debug.stderr).toMatch(/\n\s+at .*Keyring/);
  });

  it('reports a tampered copy and a tampered audit entry by name, with exit code 7', async () => {
    const { home } = await homeWithCase();
    const file = join(tempDir(), 'a.txt');
    writeFileSync(file, EVIDENCE_MARKER);
    await toex(home, ['evidence', 'add', REF, file]);

    const ws = await Workstation.unlock(home, CLI_PASSPHRASE);
    const store = ws.openCase(REF);
    const copy = store.evidence.absolutePath(store.evidence.get(1));
    chmodSync(copy, 0o644);
    writeFileSync(copy, 'changed');
    store.db.exec(
      `DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone else' WHERE seq = 2;`,
    );
    store.close();
    ws.close();

    const verify = await toex(home, ['evidence', 'verify', REF]);
    expect(verify.code).toBe(7);
    expect(verify.stdout).toMatch(
      new RegExp(
        `^Checked 1 items: 0 match their import hashes.\n {2}item 1: MISMATCH \\(expected sha256 [0-9a-f]{64} \\(${MARKER_BYTES} bytes\\), found [0-9a-f]{64} \\(7 bytes\\)\\)\n$`,
      ),
    );
    const audit = await toex(home, ['audit', 'verify', REF]);
    expect(audit.code).toBe(7);
    expect(audit.stdout).toContain('entry 2 (evidence.import) was altered after it was written');
  });

  it('loses nothing when the main process is killed with -9 mid-job: the job resumes where it stopped', async () => {
    const { home } = await homeWithCase();
    await bigEvidence(home, 8, 48);
    const ws = await Workstation.unlock(home, CLI_PASSPHRASE);
    const store = ws.openCase(REF);
    const checked = () =>
      (store.db.prepare('SELECT count(*) AS n FROM evidence_checks').get() as { n: number }).n;

    const run = startToex(home, ['--json', 'evidence', 'verify', REF]);
    await waitFor(() => checked() >= 2);
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');

    const [job] = store.jobs.list();
    expect(job!.state).toBe('running');
    await waitFor(() => !isAlive(job!.workerPid!), 10_000);
    const before = store.db
      .prepare('SELECT evidence_id, checked_at FROM evidence_checks ORDER BY evidence_id')
      .all();
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(8);

    const resumed = await toex(home, ['--json', 'jobs', 'resume', REF]);
    expect(resumed.code).toBe(0);
    const [finished] = JSON.parse(resumed.stdout) as {
      id: string;
      state: string;
      attempts: number;
      result: { checked: number; ok: number };
    }[];
    expect(finished).toMatchObject({
      id: job!.id,
      state: 'done',
      attempts: 2,
      result: { checked: 8, ok: 8 },
    });
    const after = store.db
      .prepare('SELECT evidence_id, checked_at FROM evidence_checks ORDER BY evidence_id')
      .all();
    expect(after).toHaveLength(8);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(store.audit.list().map((e) => e.action)).toEqual(
      expect.arrayContaining(['job.interrupted']),
    );
    expect(store.audit.verify(store.anchoredHead()).ok).toBe(true);
    store.close();
    ws.close();
  });

  it('cancels a running job from a second process; the first stops with exit code 8', async () => {
    const { home } = await homeWithCase();
    await bigEvidence(home, 8, 48);
    const ws = await Workstation.unlock(home, CLI_PASSPHRASE);
    const store = ws.openCase(REF);

    const run = startToex(home, ['evidence', 'verify', REF]);
    await waitFor(
      () =>
        store.jobs.list(['running']).length === 1 &&
        (store.db.prepare('SELECT count(*) AS n FROM evidence_checks').get() as { n: number }).n >=
          1,
    );
    const [job] = store.jobs.list(['running']);
    // Held still while the second process starts (it unlocks with the real scrypt), so the
    // job cannot finish first on a busy machine; it is let go once the cancel is recorded.
    process.kill(job!.workerPid!, 'SIGSTOP');
    const cancel = await toex(home, ['jobs', 'cancel', REF, job!.id.slice(0, 8)]);
    process.kill(job!.workerPid!, 'SIGCONT');
    expect(cancel).toMatchObject({
      code: 0,
      stdout: `Job ${job!.id.slice(0, 8)} asked to stop; it stops at the next safe point.\n`,
    });

    const first = await run.done;
    expect(first.code).toBe(8);
    expect(first.stdout).toBe('Verification cancelled.\n');
    expect(store.jobs.get(job!.id).state).toBe('cancelled');
    store.close();
    ws.close();
  });

  it('transcribes a recording in the case, printing timed segments, and fails a non-recording with its reason', async () => {
    const { home } = await homeWithCase();
    const notes = join(tempDir(), 'notes.txt');
    writeFileSync(notes, EVIDENCE_MARKER);
    await toex(home, ['evidence', 'add', REF, JFK_WAV, notes]);

    const done = await toex(home, [
      'transcribe',
      REF,
      '1',
      '--model',
      whisperModel('ggml-tiny.en.bin'),
      '--threads',
      '1',
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(
      /^\[00:00:00\.\d{3} --> 00:00:0\d\.\d{3}\] {2}And so my fellow Americans/,
    );
    expect(done.stdout).toMatch(/\n\n\d segments; language en; model whisper-tiny\.en\.\n$/);

    const failed = await toex(home, [
      'transcribe',
      REF,
      '2',
      '--model',
      whisperModel('ggml-tiny.en.bin'),
      '--threads',
      '1',
    ]);
    expect(failed).toMatchObject({
      code: 2,
      stdout:
        'Transcription failed: the file cannot be read as audio (damaged, empty, or not a recording).\n',
    });
  });

  it('changes the passphrase and recovers with the recovery key from the command line', async () => {
    const { home, recoveryKey } = await homeWithCase();
    const changed = await toex(home, ['passphrase', 'change'], {
      env: { TOEX_NEW_PASSPHRASE: 'a second long passphrase' },
    });
    expect(changed).toMatchObject({ code: 0, stdout: 'Passphrase changed.\n' });
    expect((await toex(home, ['case', 'list'])).code).toBe(4);
    expect(
      (await toex(home, ['case', 'list'], { env: { TOEX_PASSPHRASE: 'a second long passphrase' } }))
        .code,
    ).toBe(0);

    const keyFile = join(tempDir(), 'recovery.txt');
    writeFileSync(keyFile, `${recoveryKey}\n`);
    const tooShort = await toex(home, ['recover', '--recovery-key-file', keyFile], {
      env: { TOEX_PASSPHRASE: undefined, TOEX_NEW_PASSPHRASE: 'short' },
    });
    expect(tooShort.code).toBe(2);
    const recovered = await toex(home, ['recover', '--recovery-key-file', keyFile], {
      env: { TOEX_PASSPHRASE: undefined, TOEX_NEW_PASSPHRASE: 'set after recovery' },
    });
    expect(recovered).toMatchObject({
      code: 0,
      stdout: 'Unlocked with the recovery key; the new passphrase is set.\n',
    });
    const listed = await toex(home, ['case', 'list'], {
      env: { TOEX_PASSPHRASE: 'set after recovery' },
    });
    expect(listed.stdout).toContain(REF);
    const log = JSON.parse(
      (
        await toex(home, ['--json', 'audit', 'show', '--workstation'], {
          env: { TOEX_PASSPHRASE: 'set after recovery' },
        })
      ).stdout,
    ) as { action: string }[];
    expect(log.map((e) => e.action).filter((a) => a.startsWith('workstation.'))).toEqual([
      'workstation.init',
      'workstation.passphrase-change',
      'workstation.recovery-key-used',
      'workstation.passphrase-change',
    ]);
  });

  it('keeps passphrases, keys and evidence content out of its log', async () => {
    const { home, recoveryKey } = await homeWithCase();
    const file = join(tempDir(), 'secret-name-7431.txt');
    writeFileSync(file, EVIDENCE_MARKER);
    await toex(home, ['evidence', 'add', REF, file]);
    await toex(home, ['evidence', 'verify', REF]);
    await toex(home, ['case', 'list'], { env: { TOEX_PASSPHRASE: 'a wrong guess at it' } });
    await toex(home, ['passphrase', 'change'], {
      env: { TOEX_NEW_PASSPHRASE: 'the replacement phrase' },
    });

    const log = readFileSync(join(home, 'logs', 'toex.log'), 'utf8');
    expect(log).toContain('"msg":"evidence imported"');
    expect(log).toContain('"msg":"unlock refused: wrong passphrase"');
    for (const secret of [
      CLI_PASSPHRASE,
      'a wrong guess at it',
      'the replacement phrase',
      recoveryKey,
      recoveryKey.replace(/-/g, ''),
      EVIDENCE_MARKER,
      'secret-name-7431',
      'leisure',
    ]) {
      expect(log).not.toContain(secret);
    }
    const keyring = readFileSync(join(home, 'keyring.json'), 'utf8');
    expect(keyring).not.toContain(CLI_PASSPHRASE);
  });

  // Root reads every file, so the test takes from this toex the capabilities
  // that let it (setpriv, util-linux) and gives the file to another user.
  it.runIf(isRoot && existsSync('/usr/bin/setpriv'))(
    'refuses a file the user may not read, with exit code 6',
    async () => {
      const { home } = await homeWithCase();
      const file = join(tempDir(), 'someone-elses.bin');
      writeFileSync(file, EVIDENCE_MARKER);
      chownSync(file, 65534, 65534);
      chmodSync(file, 0o600);
      const withoutOverride = {
        prefix: [
          '/usr/bin/setpriv',
          '--bounding-set',
          '-dac_override,-dac_read_search',
          '--inh-caps',
          '-dac_override,-dac_read_search',
        ],
      };

      const result = await toex(home, ['evidence', 'add', REF, file], withoutOverride);
      expect(result).toMatchObject({
        code: 6,
        stderr: 'toex: reading someone-elses.bin: permission denied\n',
      });
      expect((await toex(home, ['--json', 'case', 'show', REF])).stdout).toContain('"items": 0');
    },
  );
});
