import { describe, expect, it } from 'vitest';

import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { useTempDirs } from '../../helpers/temp.js';
import { chatText, writeChatTxt } from '../../helpers/whatsappExport.js';

const REF = 'OP-ARCTIC/2026/0042';
const T0 = Date.parse('2024-03-09T21:00:00.000Z');

describe('toex detect and messages --language', () => {
  const tempDir = useTempDirs();

  it('tells the languages, lists them, and filters the messages by them', async () => {
    const db = androidSmsDb(tempDir(), {
      threads: [{ id: 1, addresses: ['07700 900123'] }],
      sms: [
        'unde ești acum frate, vin mâine la gară',
        'nuk mund të flas tani, të marr më vonë',
        'wenak ya 5ayi, ba3atlak el masari',
        'ok see you at the station',
      ].map((body, i) => ({
        thread: 1,
        address: '07700 900123',
        date: T0 + i * 60_000,
        type: 1,
        body,
      })),
    });
    const home = tempDir();
    await toexSteps(home, [...newCaseSteps(REF, [db]), ['ingest', REF, '1']]);

    const before = await toex(home, ['messages', REF, '--language', 'ro']);
    expect(before.stdout).toBe('No messages match.\n');
    expect(before.stderr).toBe(
      `toex: note: 4 messages of the case have no language yet and are not matched by --language (run toex detect ${REF})\n`,
    );

    const detect = await toex(home, ['detect', REF]);
    expect(detect.code).toBe(0);
    expect(detect.stdout).toMatch(
      /^Told the language of 4 messages \(eld-2\.1\.0-large\+arabizi-1\)\.$/m,
    );
    expect(detect.stdout).toMatch(/^LANGUAGE\s+MESSAGES\s+UNSURE$/m);
    expect(detect.stdout).toMatch(/^ar-Latn\s+1\s+0$/m);

    const romanian = await toex(home, ['messages', REF, '--language', 'RO,sq']);
    expect(romanian.stderr).toBe('');
    expect(romanian.stdout).toBe(
      [
        '#1 thread 1 2024-03-09 21:00:00Z <- +447700900123 [ro]: unde ești acum frate, vin mâine la gară',
        '#2 thread 1 2024-03-09 21:01:00Z <- +447700900123 [sq]: nuk mund të flas tani, të marr më vonë',
        '',
      ].join('\n'),
    );
    const arabic = await toex(home, ['--json', 'messages', REF, '--language', 'ar']);
    expect(JSON.parse(arabic.stdout).map((m: { id: number }) => m.id)).toEqual([3]);
    const again = await toex(home, ['detect', REF]);
    expect(again.stdout).toMatch(/^Told the language of 0 messages/m);
  });

  it("gives an export's media-omitted lines no language: they are the app's words, not the sender's", async () => {
    const chat = writeChatTxt(
      tempDir(),
      chatText('android-dmy', [
        { at: '2024-03-09T21:00:00Z', from: 'Dan', text: '<Без медиафайлов>' },
        { at: '2024-03-09T21:01:00Z', from: 'Dan', text: 'ты где брат, завтра приеду на вокзал' },
      ]),
    );
    const home = tempDir();
    await toexSteps(home, [...newCaseSteps(REF, [chat]), ['ingest', REF, '1'], ['detect', REF]]);
    const run = await toex(home, ['--json', 'messages', REF]);
    const rows = JSON.parse(run.stdout) as { flags: string[]; language: { code: string } }[];
    expect(rows.map((m) => [m.flags.includes('media-omitted'), m.language.code])).toEqual([
      [true, 'und'],
      [false, 'ru'],
    ]);
  });

  it('refuses a language that is no code, in one line', async () => {
    const home = tempDir();
    await toexSteps(
      home,
      newCaseSteps(REF, []).filter((step) => step[0] !== 'evidence'),
    );
    const run = await toex(home, ['messages', REF, '--language', 'romanian']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'toex: --language takes language codes separated by commas (ro,sq,ar-Latn,und)\n',
    );
  });
});
