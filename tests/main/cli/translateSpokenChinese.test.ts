import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { interview } from '../../helpers/audio.js';
import { NOTE, chatWithVoiceNote, voiceNote } from '../../helpers/voiceNote.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';
const HAN = /\p{Script=Han}/u;

interface Shown {
  segments: { text: string; translations: { id: number; text: string; modelId: string }[] }[];
}

describe('translating a recorded Chinese interview', () => {
  const tempDir = useTempDirs();

  it('transcribes the speech, translates its Chinese segments, and exports the reviewed translation', async () => {
    // "I am going to the railway station tomorrow. The phone is dead. Send me the address."
    const audio = interview(
      tempDir(),
      [
        'ming2 tian1 wo3 qu4 huo3 che1 zhan4.',
        'shou3 ji1 mei2 dian4 le.',
        'ba3 di4 zhi3 fa1 gei3 wo3.',
      ],
      1.5,
      'cmn-latn-pinyin',
    );
    const home = tempDir();
    await toexSteps(home, [
      ...newCaseSteps(REF, [audio]),
      ['transcribe', REF, '1', '--model', whisperModel('ggml-base.bin'), '--language', 'zh'],
    ]);

    const run = await toex(home, ['translate', REF, '--transcript', '1']);
    expect(run.code).toBe(0);
    const shown = JSON.parse(
      (await toex(home, ['--json', 'transcript', 'show', REF, '1'])).stdout,
    ) as Shown;
    const chinese = shown.segments.filter((s) => HAN.test(s.text));
    const other = shown.segments.filter((s) => !HAN.test(s.text) && s.text.trim() !== '');
    expect(chinese.length).toBeGreaterThan(0);
    expect(run.stdout.split('\n')[0]).toBe(
      `Translated ${chinese.length} segment${chinese.length === 1 ? '' : 's'} from zh into en with opus-mt-zh-en (machine translation).`,
    );
    for (const s of chinese) {
      expect(s.translations).toHaveLength(1);
      expect(s.translations[0]!.modelId).toBe('opus-mt-zh-en');
      expect(s.translations[0]!.text).toMatch(/^[^\p{Script=Han}]*[a-z][^\p{Script=Han}]*$/iu);
    }
    // Whisper writes what it cannot place in Latin letters; those segments are left as heard.
    for (const s of other) expect(s.translations).toEqual([]);

    const id = chinese[0]!.translations[0]!.id;
    const edit = await toex(home, [
      'translation',
      'edit',
      REF,
      String(id),
      '--segment',
      '--text',
      'I am going to the railway station tomorrow.',
      '--reason',
      'checked with the interpreter',
    ]);
    expect(edit.stdout).toBe(`Saved version 2 of segment translation ${id}.\n`);

    const out = join(tempDir(), 'interview-translation.csv');
    const exported = await toex(home, [
      'translation',
      'export',
      REF,
      '--transcript',
      '1',
      '--out',
      out,
    ]);
    expect(exported.stdout.split('\n')[0]).toBe(
      `Wrote ${chinese.length} translation${chinese.length === 1 ? '' : 's'} as CSV to ${out}, marked as machine translation.`,
    );
    const lines = readFileSync(out, 'utf8')
      .replace(/^\ufeff/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Segment,Time in recording,Speaker,Original,Translation,Languages,Confidence,Status',
    );
    expect(lines).toHaveLength(chinese.length + 1);
    expect(lines.find((l) => l.includes('railway station'))).toMatch(
      /^\d+,\d\d:\d\d:\d\d\.\d{3} - \d\d:\d\d:\d\d\.\d{3},Unlabelled,.*,zh -> en,0\.\d+,"reviewed by DC Test 0001.*, version 2 \(machine: opus-mt-zh-en\)"$/,
    );
  });

  it("translates a Chinese voice note's transcript with the messages, shows it under the note, and does it once", async () => {
    const dir = tempDir();
    // "Send me the address. I am going to the railway station tomorrow."
    const note = voiceNote(
      dir,
      'ba3 di4 zhi3 fa1 gei3 wo3. ming2 tian1 wo3 qu4 huo3 che1 zhan4.',
      'cmn-latn-pinyin',
    );
    const home = tempDir();
    const ref = 'OP-VN/2026/2';
    await toexSteps(home, [
      ...newCaseSteps(ref, [chatWithVoiceNote(dir, note)]),
      ['ingest', ref, '1'],
      [
        'transcribe',
        ref,
        '--voice-notes',
        '--model',
        whisperModel('ggml-base.bin'),
        '--language',
        'zh',
      ],
    ]);

    const run = await toex(home, ['translate', ref]);
    expect(run.code).toBe(0);
    const shown = JSON.parse((await toex(home, ['--json', 'messages', ref])).stdout) as {
      body: string;
      voiceNotes: { text: string; translations: { text: string; modelId: string }[] }[];
    }[];
    const [withNote] = shown.filter((m) => m.voiceNotes.length > 0);
    const spoken = withNote!.voiceNotes[0]!;
    expect(withNote!.body).toBe(`${NOTE} (file attached)`);
    expect(spoken.text).toMatch(HAN);
    expect(spoken.translations.length).toBeGreaterThan(0);
    for (const t of spoken.translations) {
      expect(t.modelId).toBe('opus-mt-zh-en');
      expect(t.text).toMatch(/^[^\p{Script=Han}]*[a-z][^\p{Script=Han}]*$/iu);
    }
    expect(run.stdout).toContain(
      `Translated ${spoken.translations.length} segment${spoken.translations.length === 1 ? '' : 's'} of 1 voice note from zh into en with opus-mt-zh-en (machine translation).\n`,
    );

    const text = await toex(home, ['messages', ref, '--search', 'file attached']);
    expect(text.stdout).toMatch(
      /\n {4}voice note \(item 2\), transcript 1 \(machine transcription\): .*\n {6}machine translation \d+ \[segment\] zh->en \(opus-mt-zh-en, confidence 0\.\d\d\): /,
    );

    // The thread's export and the review list carry the voice note's translation too.
    const out = join(tempDir(), 'thread.csv');
    expect((await toex(home, ['translation', 'export', ref, '--out', out])).code).toBe(0);
    const rows = readFileSync(out, 'utf8').trimEnd().split('\r\n').slice(1);
    expect(rows).toHaveLength(spoken.translations.length);
    expect(rows[0]).toMatch(
      /^\d+,2024-03-09 20:16:00Z,Kai,[^,]*\p{Script=Han}.*,zh -> en,0\.\d+,voice note \(item 2\): machine translation \(opus-mt-zh-en\)$/u,
    );
    const listed = await toex(home, ['translation', 'list', ref]);
    expect(listed.stdout.split('\n')[1]).toMatch(/^\d+ \[segment\] +\d+ +zh->en /);

    // Translated once: a second run has nothing left to do.
    const again = await toex(home, ['translate', ref]);
    expect(again.stdout).not.toMatch(/voice note/);
  });
});
