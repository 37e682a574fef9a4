import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import {
  CUSTOM_HEADER,
  customMapping,
  writeCsvExport,
  writeMappingFile,
} from '../../helpers/tabularExport.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';
const T0 = Date.parse('2024-03-09T21:00:00.000Z');

describe('toex ingest, messages and contacts', () => {
  const tempDir = useTempDirs();

  async function caseWith(files: string[]): Promise<string> {
    const home = tempDir();
    await toexSteps(home, newCaseSteps(REF, files));
    return home;
  }

  it('ingests a phone database, then finds its messages and who talks to whom', async () => {
    const db = androidSmsDb(tempDir(), {
      threads: [{ id: 1, addresses: ['07700 900123'] }],
      sms: [
        {
          thread: 1,
          address: '07700 900123',
          date: T0,
          type: 1,
          body: 'meet at the\nleisure centre',
        },
        { thread: 1, address: '07700 900123', date: T0 + 60_000, type: 2, body: 'on my way' },
      ],
    });
    const home = await caseWith([db]);

    const ingest = await toex(home, ['ingest', REF, '1']);
    expect(ingest.stderr).toBe('');
    expect(ingest.stdout).toBe(
      'Item 1 (Android SMS/MMS (mmssms.db)): 2 messages in 1 thread, 1 person, 0 calls, 0 contacts.\n',
    );
    const found = await toex(home, ['messages', REF, '--search', 'LEISURE']);
    expect(found.stdout).toBe(
      '#1 thread 1 2024-03-09 21:00:00Z <- +447700900123: meet at the ⏎ leisure centre\n',
    );
    const out = await toex(home, ['messages', REF, '--direction', 'outgoing']);
    expect(out.stdout).toMatch(
      /^#2 thread 1 2024-03-09 21:01:00Z -> \(device owner\): on my way$/m,
    );
    const contacts = await toex(home, ['contacts', REF]);
    expect(contacts.stdout).toMatch(/^\+447700900123\s+1\s+1\s+0\s+2024-03-09T21:00:00.000Z/m);
    const audit = await toex(home, ['--json', 'audit', 'show', REF]);
    expect(audit.stdout).toContain('"action": "evidence.ingest"');
    expect(audit.stdout).not.toContain('leisure');
  });

  it('refuses bad input with one line, queueing nothing', async () => {
    const db = androidSmsDb(tempDir(), { threads: [], sms: [] });
    const home = await caseWith([db]);
    const cases: [string[], RegExp, number][] = [
      [['ingest', REF, '1', '7'], /no evidence item 7|item 7/, 3],
      [['ingest', REF, 'x'], /"x" is not an evidence item number/, 2],
      [['ingest', REF, '1', '--region', 'ZZ'], /unknown country "ZZ"/, 2],
      [['messages', REF, '--direction', 'sideways'], /--direction is incoming or outgoing/, 2],
      [['messages', REF, '--from', 'yesterday'], /is not a date/, 2],
      [['messages', REF, '--search', '""'], /at least one word/, 2],
    ];
    for (const [args, message, code] of cases) {
      const run = await toex(home, args);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.code, args.join(' ')).toBe(code);
    }
    const jobs = await toex(home, ['--json', 'jobs', 'list', REF]);
    expect(JSON.parse(jobs.stdout)).toEqual([]);
  });

  it('ingests a CSV export through --mapping, refusing a bad mapping with one line', async () => {
    const dir = tempDir();
    const csv = writeCsvExport(
      dir,
      'export.csv',
      CUSTOM_HEADER,
      [
        [
          'c1',
          '07700 900123',
          'Ana',
          'In',
          '19/07/2024 21:00:00',
          'meet at the\nstation',
          'SMS',
          'No',
          '',
        ],
        ['c1', '07700 900123', 'Ana', 'Out', '19/07/2024 21:01:00', 'ok', 'SMS', 'No', ''],
      ],
      { encoding: 'utf-16le-bom' },
    );
    const home = await caseWith([csv]);
    const good = writeMappingFile(dir, customMapping());
    const bad = writeMappingFile(
      dir,
      customMapping({ fields: { body: { column: 'Text', kind: 'x' } } }),
      'bad.json',
    );
    const none = join(dir, 'none.json');

    const refused: [string, string][] = [
      [bad, `mapping ${bad} fields.body.kind: is not a known key (known: column)`],
      [
        none,
        `--mapping "${none}" is neither a mapping file nor a built-in (xry-messages, oxygen-messages, generic-messages)`,
      ],
    ];
    for (const [mapping, message] of refused) {
      const run = await toex(home, ['ingest', REF, '1', '--mapping', mapping]);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
      expect(run.code).toBe(2);
    }
    const jobs = await toex(home, ['--json', 'jobs', 'list', REF]);
    expect(JSON.parse(jobs.stdout)).toEqual([]);

    const wrong = await toex(home, ['ingest', REF, '1', '--mapping', 'generic-messages']);
    expect(wrong.stdout).toContain('Item 1: failed: the export has no column "thread"');
    expect(wrong.code).toBe(2);

    const run = await toex(home, ['ingest', REF, '1', '--mapping', good]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      'Item 1 (Custom test export): 2 messages in 1 thread, 1 person, 0 calls, 0 contacts.\n',
    );
    const found = await toex(home, ['messages', REF, '--search', 'station']);
    expect(found.stdout).toBe(
      '#1 thread 1 2024-07-19 18:00:00Z (+03:00) <- Ana: meet at the ⏎ station\n',
    );
    const audit = await toex(home, ['--json', 'audit', 'show', REF]);
    const ingests = (JSON.parse(audit.stdout) as { action: string; details: object }[]).filter(
      (e) => e.action === 'evidence.ingest',
    );
    expect(ingests.map((e) => e.details)).toMatchObject([
      { format: 'export.custom-test', mapping: { name: 'custom-test', builtin: false } },
    ]);
    expect(audit.stdout).not.toContain('station');
  });
});
