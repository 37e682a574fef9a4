import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { COPY_MODEL_ID, TEST_MODELS_DIR, listCopyModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';
const T0 = Date.parse('2024-03-09T21:00:00.000Z');

describe('toex translate and translation edit', () => {
  const tempDir = useTempDirs();

  async function caseWith(bodies: string[]): Promise<string> {
    const db = androidSmsDb(tempDir(), {
      threads: [{ id: 1, addresses: ['07700 900123'] }],
      sms: bodies.map((body, i) => ({
        thread: 1,
        address: '07700 900123',
        date: T0 + i * 60_000,
        type: 1,
        body,
      })),
    });
    const home = tempDir();
    await toexSteps(home, [...newCaseSteps(REF, [db]), ['ingest', REF, '1']]);
    return home;
  }

  it('tells the languages, translates what it can with a glossary, and shows the translation under the original', async () => {
    const home = await caseWith(['明天老王去火车站', 'unde ești acum frate, vin mâine la gară']);
    const glossary = join(tempDir(), 'glossary.json');
    writeFileSync(glossary, JSON.stringify({ terms: [{ source: '老王', target: 'Old Wang' }] }));

    const run = await toex(home, ['translate', REF, '--glossary', glossary]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'Translated 1 message from zh into en with opus-mt-zh-en (machine translation).',
        'No model here translates ro into en: 1 message left untranslated.',
        '',
      ].join('\n'),
    );
    const shown = await toex(home, ['messages', REF, '--search', 'station']);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toBe(
      '#1 thread 1 2024-03-09 21:00:00Z <- +447700900123 [zh]: 明天老王去火车站',
    );
    expect(lines[1]).toMatch(
      /^ {4}machine translation \d+ zh->en \(opus-mt-zh-en, confidence 0\.\d\d\): .*Old Wang.*station/i,
    );

    const listed = JSON.parse((await toex(home, ['--json', 'messages', REF])).stdout) as {
      translations: { id: number; version: number }[];
    }[];
    const id = listed[0]!.translations[0]!.id;
    const edit = await toex(home, [
      'translation',
      'edit',
      REF,
      String(id),
      '--text',
      'Old Wang goes to the railway station tomorrow.',
      '--reason',
      'checked with the interpreter',
    ]);
    expect(edit.stdout).toBe(`Saved version 2 of translation ${id}.\n`);
    const after = await toex(home, ['messages', REF, '--search', 'railway']);
    expect(after.stdout).toMatch(
      /^ {4}translation \d+ zh->en, reviewed by DC Test 0001.* \(version 2\): Old Wang goes to the railway station tomorrow\.$/m,
    );
  });

  it('lists translations for review: flagged first, then the least sure, with filters', async () => {
    const home = await caseWith([
      '今天天气很好。',
      '㐀㐁㐂㐃㐄 今天',
      '丝芙兰的冷雨',
      '把地址发给我',
    ]);
    expect((await toex(home, ['translate', REF, '--beam', '1'])).code).toBe(0);
    const listed = async (...args: string[]) =>
      JSON.parse((await toex(home, ['--json', 'translation', 'list', REF, ...args])).stdout) as {
        item: number;
        confidence: number;
        flags: string[];
      }[];

    const all = await listed();
    expect(all.map((r) => r.item)[0]).toBe(2);
    expect(all[0]!.flags).toEqual(['unreadable']);
    const rest = all.slice(1).map((r) => r.confidence);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(all.map((r) => r.item).sort()).toEqual([1, 2, 3, 4]);

    expect((await listed('--flagged')).map((r) => r.item)).toEqual([2]);
    const cut = rest[1]!;
    const below = await listed('--below', String(cut));
    expect(below.every((r) => r.confidence < cut)).toBe(true);
    expect(below.length).toBeGreaterThan(0);
    expect(await listed('--limit', '1')).toHaveLength(1);

    const shown = await toex(home, ['translation', 'list', REF, '--flagged']);
    expect(shown.stdout).toMatch(
      /^ID +MESSAGE +LANGUAGES +CONFIDENCE +ORIGINAL +TRANSLATION\n\d+ +2 +zh->en +0\.\d\d \(unreadable\) +㐀㐁㐂㐃㐄 今天 +\S/,
    );
    expect((await toex(home, ['translation', 'list', REF, '--below', '2'])).stderr).toBe(
      'toex: --below takes a confidence above 0 and at most 1\n',
    );
  });

  it("translates through English into a language only a site's second model reads, naming both", async () => {
    const home = await caseWith(['明天老王去火车站', '把地址发给我']);
    // The site lists the model it converted, and its files come in like any model's.
    listCopyModel(home);
    const imported = await toex(home, ['models', 'import', TEST_MODELS_DIR]);
    expect(imported.stdout).toMatch(/\n4 imported, 0 refused\.\n$/);
    const listed = await toex(home, ['models', 'list']);
    expect(listed.stdout).toMatch(
      new RegExp(`\\n${COPY_MODEL_ID} +\\d+\\.\\d MiB +en, qtx +yes\\n`),
    );

    const pivot = await toex(home, ['translate', REF, '--to', 'qtx', '--beam', '1']);
    expect(pivot.stdout).toBe(
      `Translated 2 messages from zh into qtx with opus-mt-zh-en > ${COPY_MODEL_ID} (machine translation).\n`,
    );
    expect((await toex(home, ['translate', REF, '--to', 'en', '--beam', '1'])).code).toBe(0);
    const shown = JSON.parse((await toex(home, ['--json', 'messages', REF])).stdout) as {
      translations: {
        to: string;
        modelId: string;
        modelSha256: string;
        text: string;
        via: string | null;
      }[];
    }[];
    for (const m of shown) {
      const [qtx, en] = m.translations;
      expect([qtx!.to, qtx!.modelId]).toEqual(['qtx', `opus-mt-zh-en > ${COPY_MODEL_ID}`]);
      expect([en!.to, en!.modelId]).toEqual(['en', 'opus-mt-zh-en']);
      // The second model copies English: through it, the first model's words come out whole.
      expect(qtx!.text).toBe(en!.text);
      expect(qtx!.via).toBe(en!.text);
      expect(en!.via).toBeNull();
      expect(qtx!.modelSha256).not.toBe(en!.modelSha256);
    }
    const first = shown[0]!.translations[0]!.text;
    const lines = (await toex(home, ['messages', REF])).stdout.split('\n');
    expect(lines[1]).toMatch(
      new RegExp(
        `^ {4}machine translation \\d+ zh->qtx \\(opus-mt-zh-en > ${COPY_MODEL_ID}, confidence \\d\\.\\d\\d\\): .+ \\(through English: .+\\)$`,
      ),
    );
    expect(lines[1]!.endsWith(`: ${first} (through English: ${first})`)).toBe(true);

    const none = await toex(home, ['translate', REF, '--to', 'de']);
    expect(none.stdout).toBe(
      'No model here translates zh into de: 2 messages left untranslated.\n',
    );
  });

  it('refuses bad options and a glossary of the wrong shape in one line', async () => {
    const home = await caseWith(['明天我去火车站']);
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, JSON.stringify({ terms: [{ target: 'x' }] }));
    const cases: [string[], string][] = [
      [['translate', REF, '--beam', '0'], 'toex: --beam takes a whole number from 1 to 16\n'],
      [['translate', REF, '--to', 'English'], 'toex: --to takes a language code such as en\n'],
      [
        ['translate', REF, '--messages', '1-99999,100000-100001'],
        'toex: a list takes at most 100000 ids\n',
      ],
      [['translate', REF, '--thread', '9'], 'toex: no thread 9 in this case\n'],
      [
        ['translate', REF, '--messages', '1,x'],
        'toex: "x" is not a message id or a range such as 9-12\n',
      ],
      [
        ['translation', 'edit', REF, '99', '--text', 'x', '--reason', 'checked'],
        'toex: no translation 99 in this case\n',
      ],
      [
        ['translate', REF, '--glossary', bad],
        `toex: glossary ${bad} term 1: source (and target, when given) must be text of 1 to 200 characters\n`,
      ],
    ];
    // Export options that cannot go together, refused as bad input before anything is written.
    const out = join(tempDir(), 't.csv');
    for (const [args, message] of [
      [
        ['translation', 'export', REF, '--out', out, '--transcript', '1', '--thread', '1'],
        'toex: --transcript cannot be given with --thread or --language\n',
      ],
      [
        ['translation', 'export', REF, '--out', out, '--at', '2'],
        'toex: --at is the version of a --transcript\n',
      ],
    ] as [string[], string][]) {
      const run = await toex(home, args);
      expect(run.stderr, args.join(' ')).toBe(message);
      expect(run.code, args.join(' ')).toBe(2);
    }
    expect(existsSync(out)).toBe(false);
    for (const [args, message] of cases) {
      const run = await toex(home, args);
      expect(run.stderr, args.join(' ')).toBe(message);
      expect(run.code, args.join(' ')).toBe(
        args.includes('--thread') || args[0] === 'translation' ? 3 : 2,
      );
    }
  });
});
