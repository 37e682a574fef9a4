import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { segmentList } from '../../../main/cli/commands/transcriptCommands.js';
import { toex } from '../../helpers/cli.js';
import { JFK_WAV, whisperModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const REF = 'OP-ARCTIC/2026/0042';

describe('toex transcript', () => {
  const tempDir = useTempDirs();

  /** A data folder with one case holding JFK's speech, transcribed by tiny.en. */
  async function transcribedCase(): Promise<string> {
    const home = tempDir();
    const steps = [
      ['init', '--operator', 'DC Test 0001'],
      [
        'case',
        'create',
        '--reference',
        REF,
        '--title',
        'T',
        '--owner',
        'DS Kaur',
        '--classification',
        'OFFICIAL',
      ],
      ['evidence', 'add', REF, JFK_WAV, '--exhibit', 'JFK/1'],
      ['transcribe', REF, '1', '--model', whisperModel('ggml-tiny.en.bin'), '--threads', '1'],
    ];
    for (const args of steps) {
      const run = await toex(home, args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    return home;
  }

  it('corrects, labels, shows the history and the difference, and signs off', async () => {
    const home = await transcribedCase();
    const show = await toex(home, ['--json', 'transcript', 'show', REF, '1']);
    const { segments } = JSON.parse(show.stdout) as { segments: { id: number; text: string }[] };
    expect(segments.length).toBeGreaterThan(0);
    const first = segments[0]!;

    const edit = await toex(home, [
      'transcript',
      'edit',
      REF,
      '1',
      String(first.id),
      '--text',
      first.text.replace('Americans', 'Americans,'),
      '--reason',
      'punctuation heard',
    ]);
    expect(edit.stderr).toBe('');
    expect(edit.stdout).toBe('Saved version 2 of transcript 1 (1 segment changed).\n');

    const label = await toex(home, [
      'transcript',
      'label',
      REF,
      '1',
      'Speaker (JFK)',
      '--segments',
      segments.map((s) => s.id).join(','),
    ]);
    expect(label.stdout).toMatch(/^Saved version 3 of transcript 1: \d+ segment\(s\) labelled/);

    const diff = await toex(home, ['transcript', 'diff', REF, '1']);
    expect(diff.stdout).toContain(`#${first.id} [00:00:0`);
    expect(diff.stdout).toContain('speaker (none) -> Speaker (JFK);');
    expect(diff.stdout).toMatch(/\[-Americans-\] \{\+Americans,\+\}|\[-Americans,-\]/);

    const history = await toex(home, ['transcript', 'history', REF, '1']);
    expect(history.stdout).toMatch(
      /1\s+whisper\.cpp 1\.5\.0, whisper-tiny\.en.*machine transcript/,
    );
    expect(history.stdout).toMatch(/2\s+DC Test 0001.*punctuation heard/);

    const list = await toex(home, ['transcript', 'list', REF]);
    expect(list.stdout).toMatch(/^1\s+1\s+done\s+en\s+whisper-tiny\.en\s+3\s+draft$/m);
    const signOff = await toex(home, ['transcript', 'sign-off', REF, '1']);
    expect(signOff.stdout).toMatch(/^Version 3 of transcript 1 signed off by DC Test 0001/);
    const again = await toex(home, ['transcript', 'list', REF]);
    expect(again.stdout).toMatch(/3\s+signed off$/m);
    const audit = await toex(home, ['audit', 'verify', REF]);
    expect(audit.code).toBe(0);
  });

  it('exports a draft until signed off, records the hash of what it wrote, and never overwrites', async () => {
    const home = await transcribedCase();
    const out = tempDir();
    const draft = join(out, 'draft.txt');
    const first = await toex(home, ['transcript', 'export', REF, '1', '--out', draft]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^Wrote a DRAFT of version 1 of transcript 1 as TXT to /);
    const text = readFileSync(draft, 'utf8');
    expect(text).toContain('DRAFT — NOT CHECKED AGAINST THE AUDIO');
    expect(text).toContain(REF);
    // Lines are numbered and wrapped at 80 columns: read the words across them.
    const words = text.replace(/\s*\n\s*\d*/g, ' ').replace(/\s+/g, ' ');
    expect(words).toMatch(/ask not what your country can do for you/i);
    expect(text).toContain('921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f');

    const again = await toex(home, ['transcript', 'export', REF, '1', '--out', draft]);
    expect(again).toMatchObject({ code: 5, stderr: expect.stringMatching(/already exists/) });
    expect(readFileSync(draft, 'utf8')).toBe(text);

    expect((await toex(home, ['transcript', 'sign-off', REF, '1'])).code).toBe(0);
    const checked = join(out, 'checked.docx');
    const signed = await toex(home, ['--json', 'transcript', 'export', REF, '1', '--out', checked]);
    const result = JSON.parse(signed.stdout) as { sha256: string; draft: boolean; format: string };
    expect(result).toMatchObject({ draft: false, format: 'docx' });
    expect(createHash('sha256').update(readFileSync(checked)).digest('hex')).toBe(result.sha256);

    const log = await toex(home, ['--json', 'audit', 'show', REF]);
    const exports = (JSON.parse(log.stdout) as { action: string; details: unknown }[]).filter(
      (e) => e.action === 'transcript.export',
    );
    expect(exports.map((e) => e.details)).toEqual([
      expect.objectContaining({ format: 'txt', draft: true, version: 1 }),
      expect.objectContaining({ format: 'docx', draft: false, sha256: result.sha256 }),
    ]);

    const unknown = await toex(home, [
      'transcript',
      'export',
      REF,
      '1',
      '--out',
      join(out, 'a.pdf'),
    ]);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--format \(txt, srt/),
    });
    expect(existsSync(join(out, 'a.pdf'))).toBe(false);
  });

  it('refuses bad input with one line and the usage exit code, changing nothing', async () => {
    const home = await transcribedCase();
    const changes = join(tempDir(), 'changes.json');
    writeFileSync(changes, '{"segment": 1}');
    const cases: [string[], RegExp, number][] = [
      [['edit', REF, '1', '1', '--reason', 'r'], /segment 1: give new text or a speaker/, 2],
      [['edit', REF, '1', '--reason', 'r'], /give either a segment id or --changes/, 2],
      [['edit', REF, '1', '--changes', changes, '--reason', 'r'], /must hold a JSON list/, 2],
      [['edit', REF, '1', 'x', '--text', 'y', '--reason', 'r'], /segment id must be a whole/, 2],
      [['edit', REF, '7', '1', '--text', 'y', '--reason', 'r'], /no transcript 7 in this case/, 3],
      [['show', REF, '1', '--at', '9'], /has versions 1 to 1; there is no version 9/, 3],
      [['label', REF, '1', 'Interviewer'], /give one of --segments, --channel or --replace/, 2],
      [['label', REF, '1', 'Interviewer', '--channel', '2'], /no segment of the transcript/, 3],
    ];
    for (const [args, message, code] of cases) {
      const run = await toex(home, ['transcript', ...args]);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.code, args.join(' ')).toBe(code);
    }
    const history = await toex(home, ['--json', 'transcript', 'history', REF, '1']);
    expect((JSON.parse(history.stdout) as { versions: unknown[] }).versions).toHaveLength(1);
  });

  it('suggests speakers, marked as suggestions, and an officer confirms one by label', async () => {
    const home = await transcribedCase();
    const run = await toex(home, ['transcript', 'speakers', REF, '1', '--threads', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/machine suggestions, not labels/);
    expect(run.stdout).toMatch(
      /\[00:00:00\.\d{3} --> 00:00:\d\d\.\d{3}\] Speaker A \(suggested; #1(-#\d+)?(, similarity 0\.\d\d)?\): And so/,
    );
    expect(run.stdout).toMatch(
      /1 suggested speaker\(s\) over \d+ segments; model ge2e-speaker-encoder\./,
    );

    const show = await toex(home, ['transcript', 'show', REF, '1']);
    expect(show.stdout).toMatch(/Speaker A \(suggested\): And so/);
    const label = await toex(home, [
      'transcript',
      'label',
      REF,
      '1',
      'Speaker 1 (JFK)',
      '--replace',
      'Speaker A',
    ]);
    expect(label.code, label.stderr).toBe(0);
    const after = await toex(home, ['transcript', 'show', REF, '1']);
    expect(after.stdout).toMatch(/Speaker 1 \(JFK\): And so/);
    expect(after.stdout).not.toMatch(/suggested/);

    const refusals: [string[], RegExp, number][] = [
      [
        ['--speakers', '0'],
        /^toex: the number of speakers must be a whole number from 1 to 20$/m,
        2,
      ],
      [['--threshold', '2'], /--threshold takes a number between 0 and 1/, 2],
      [['--model', JFK_WAV], /matches no model in the manifest/, 2],
    ];
    for (const [args, message, code] of refusals) {
      const bad = await toex(home, ['transcript', 'speakers', REF, '1', ...args]);
      expect(bad.stderr, args.join(' ')).toMatch(message);
      expect(bad.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(bad.code, args.join(' ')).toBe(code);
    }
  });

  it.each([
    ['3,5,9-11', [3, 5, 9, 10, 11]],
    [' 4 ', [4]],
  ])('reads the segment list %s', (value, ids) => {
    expect(segmentList(value)).toEqual(ids);
  });

  it.each(['', '3-1', 'a', '1,,2'])('refuses the segment list "%s"', (value) => {
    expect(() => segmentList(value)).toThrow(/segment id|runs backwards/);
  });
});
