import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CaseStore } from '../../../main/cases/CaseStore.js';
import { writeFileAtomic } from '../../../main/store/atomicWrite.js';
import { Workstation } from '../../../main/workstation/Workstation.js';
import { interview } from '../../helpers/audio.js';
import { whisperModel } from '../../helpers/models.js';
import { PASSPHRASE, useTempDirs } from '../../helpers/temp.js';
import { NEW_CASE, workstationWithCase } from '../../helpers/workstation.js';

const SENTENCES = [
  'Where were you on the night of the ninth of March?',
  'I was at home with my brother.',
  'No comment.',
];

/**
 * One real transcription (tiny.en, espeak-ng speech with pauses) made once;
 * each test works on its own copy of the data folder.
 */
describe('TranscriptStore', () => {
  const tempDir = useTempDirs();
  let master: string;
  let transcriptId: number;

  beforeAll(async () => {
    master = mkdtempSync(join(tmpdir(), 'toex-transcripts-'));
    const audio = mkdtempSync(join(tmpdir(), 'toex-audio-'));
    const { workstation, store } = await workstationWithCase(master);
    const { item } = await store.importEvidence(interview(audio, SENTENCES, 2));
    const job = await store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), {
      threads: 1,
    });
    const done = await store.runner().run(job.id);
    expect(done.state).toBe('done');
    transcriptId = store.transcripts.list()[0]!.id;
    store.close();
    workstation.close();
    rmSync(audio, { recursive: true, force: true });
  });

  afterAll(() => rmSync(master, { recursive: true, force: true }));

  async function openCopy(): Promise<{ store: CaseStore; close: () => void }> {
    const home = tempDir();
    cpSync(master, home, { recursive: true });
    const ws = await Workstation.unlock(home, PASSPHRASE);
    const store = ws.openCase(NEW_CASE.reference);
    return {
      store,
      close: () => {
        store.close();
        ws.close();
      },
    };
  }

  it('reads version 1 as the machine wrote it, one segment per sentence', async () => {
    const { store, close } = await openCopy();
    const segments = store.transcripts.segmentsAt(transcriptId);
    expect(store.transcripts.currentVersion(transcriptId)).toBe(1);
    expect(segments).toHaveLength(3);
    expect(segments[2]!.text).toMatch(/no comment/i);
    expect(segments.every((s) => !s.textEdited && s.speaker === null)).toBe(true);
    close();
  });

  it('saves a correction as version 2 and keeps version 1 readable', async () => {
    const { store, close } = await openCopy();
    const [first, second] = store.transcripts.segmentsAt(transcriptId);
    const saved = store.transcripts.edit(transcriptId, {
      changes: [
        { segmentId: first!.id, speaker: 'Interviewer' },
        {
          segmentId: second!.id,
          text: 'I was at home with my brother Jay.',
          speaker: 'Interviewee',
        },
      ],
      reason: 'checked against the audio at 00:00:04',
    });

    expect(saved).toMatchObject({
      version: 2,
      author: expect.stringMatching(/^DC Test 0001/),
      segmentsChanged: 2,
    });
    const now = store.transcripts.segmentsAt(transcriptId);
    expect(now[0]).toMatchObject({
      speaker: 'Interviewer',
      textEdited: false,
      speakerEdited: true,
    });
    expect(now[1]).toMatchObject({
      text: 'I was at home with my brother Jay.',
      machineText: second!.text,
      speaker: 'Interviewee',
      textEdited: true,
    });
    expect(store.transcripts.segmentsAt(transcriptId, 1)[1]!.text).toBe(second!.text);
    expect(store.transcripts.versions(transcriptId).map((v) => [v.version, v.reason])).toEqual([
      [1, 'machine transcript'],
      [2, 'checked against the audio at 00:00:04'],
    ]);
    const entry = store.audit.list().at(-1)!;
    expect(entry).toMatchObject({
      action: 'transcript.edit',
      subject: `transcript:${transcriptId}`,
    });
    expect(entry.details).toMatchObject({ version: 2, segments: [first!.id, second!.id] });
    expect(JSON.stringify(entry.details)).not.toContain('Jay');
    close();
  });

  it('carries earlier changes into later versions and shows the difference from the machine text', async () => {
    const { store, close } = await openCopy();
    const [first, second] = store.transcripts.segmentsAt(transcriptId);
    store.transcripts.edit(transcriptId, {
      changes: [{ segmentId: second!.id, text: 'I was at home with my brother Jay.' }],
      reason: 'name heard',
    });
    store.transcripts.edit(transcriptId, {
      changes: [{ segmentId: first!.id, speaker: 'DC Smith' }],
      reason: 'labelled',
    });

    const v3 = store.transcripts.segmentsAt(transcriptId, 3);
    expect(v3[1]!.text).toBe('I was at home with my brother Jay.');
    expect(v3[0]!.speaker).toBe('DC Smith');
    const diff = store.transcripts.diff(transcriptId);
    expect(diff.map((d) => d.segmentId)).toEqual([first!.id, second!.id]);
    expect(diff[0]).toMatchObject({ speakerFrom: null, speakerTo: 'DC Smith' });
    const added = diff[1]!.text.filter((p) => p.op === 'added').map((p) => p.text);
    expect(added.join(' ')).toMatch(/Jay\.$/);
    expect(store.transcripts.diff(transcriptId, 2, 3).map((d) => d.segmentId)).toEqual([first!.id]);
    close();
  });

  it('refuses an edit made on an older version, saving nothing', async () => {
    const { store, close } = await openCopy();
    const [first] = store.transcripts.segmentsAt(transcriptId);
    store.transcripts.edit(transcriptId, {
      changes: [{ segmentId: first!.id, speaker: 'Interviewer' }],
      reason: 'first officer',
      baseVersion: 1,
    });
    expect(() =>
      store.transcripts.edit(transcriptId, {
        changes: [{ segmentId: first!.id, speaker: 'Solicitor' }],
        reason: 'second officer, stale screen',
        baseVersion: 1,
      }),
    ).toThrow(/at version 2 now, not 1/);
    expect(store.transcripts.currentVersion(transcriptId)).toBe(2);
    close();
  });

  it.each([
    ['no reason', { reason: '  ' }, /say why/],
    ['a segment of another transcript', { segmentId: 999_999 }, /has no segment 999999/],
    ['a change that changes nothing', { text: 'same' }, /leave the transcript as it already is/],
    ['an empty speaker', { speaker: ' ' }, /cannot be empty/],
    ['control characters', { speaker: 'Inter\u001b[31mviewer' }, /control characters/],
    ['a label that is a paragraph', { speaker: 'x'.repeat(61) }, /at most 60/],
  ])('refuses %s and saves nothing', async (_name, change, message) => {
    const { store, close } = await openCopy();
    const first = store.transcripts.segmentsAt(transcriptId)[0]!;
    const { reason = 'why', ...rest } = change as Record<string, string | number>;
    const segmentChange = {
      segmentId: first.id,
      ...rest,
      ...(rest.text === 'same' ? { text: first.text } : {}),
    };
    expect(() =>
      store.transcripts.edit(transcriptId, {
        changes: [segmentChange as never],
        reason: String(reason),
      }),
    ).toThrow(message);
    expect(store.transcripts.currentVersion(transcriptId)).toBe(1);
    close();
  });

  it('signs off only the newest version, and an edit after it makes the transcript a draft again', async () => {
    const { store, close } = await openCopy();
    const first = store.transcripts.segmentsAt(transcriptId)[0]!;
    const signed = store.transcripts.signOff(transcriptId);
    expect(signed).toMatchObject({ version: 1, signedBy: expect.stringMatching(/^DC Test 0001/) });
    expect(store.transcriptDocument(transcriptId).signOff?.by).toMatch(/^DC Test 0001/);
    expect(() => store.transcripts.signOff(transcriptId)).toThrow(/already signed off/);

    store.transcripts.edit(transcriptId, {
      changes: [{ segmentId: first.id, speaker: 'Interviewer' }],
      reason: 'labelled',
    });
    expect(store.transcriptDocument(transcriptId).signOff).toBeNull();
    expect(store.transcriptDocument(transcriptId, 1).signOff).not.toBeNull();
    expect(() => store.transcripts.signOff(transcriptId, { version: 1 })).toThrow(
      /only the newest version \(2\)/,
    );
    close();
  });

  it('never lets a version, an edit or a sign-off be rewritten in the database', async () => {
    const { store, close } = await openCopy();
    const first = store.transcripts.segmentsAt(transcriptId)[0]!;
    store.transcripts.edit(transcriptId, {
      changes: [{ segmentId: first.id, text: 'Where were you?' }],
      reason: 'shortened',
    });
    store.transcripts.signOff(transcriptId);
    for (const sql of [
      `UPDATE segment_edits SET text = 'something else'`,
      'DELETE FROM segment_edits',
      `UPDATE transcript_versions SET reason = 'other'`,
      'DELETE FROM transcript_signoffs',
      `UPDATE segments SET text = 'x'`,
      'DELETE FROM segments',
    ]) {
      expect(() => store.db.prepare(sql).run(), sql).toThrow(/never/);
    }
    close();
  });

  it('gathers the export document: case, exhibit, model, speakers, and struck-out segments left out', async () => {
    const { store, close } = await openCopy();
    const [first, second, third] = store.transcripts.segmentsAt(transcriptId);
    store.transcripts.edit(transcriptId, {
      changes: [
        { segmentId: first!.id, speaker: 'Interviewer' },
        { segmentId: third!.id, text: '' },
      ],
      reason: 'last segment was a cough',
    });
    const doc = store.transcriptDocument(transcriptId);
    expect(doc).toMatchObject({
      caseReference: NEW_CASE.reference,
      classification: 'OFFICIAL-SENSITIVE',
      transcript: { id: transcriptId, version: 2, modelId: 'whisper-tiny.en', language: 'en' },
      signOff: null,
      exportedBy: expect.stringMatching(/^DC Test 0001/),
    });
    expect(doc.transcript.modelSha256).toMatch(/^921e4cf8/);
    expect(doc.exhibit.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.segments.map((s) => [s.speaker, s.text])).toEqual([
      ['Interviewer', first!.text],
      [null, second!.text],
    ]);
    expect(doc.segments[0]!.edited).toBe(true);
    close();
  });

  it.runIf(process.getuid?.() === 0)(
    'fails an export to a disk with too little room, leaving no file and no audit entry',
    async () => {
      const { store, close } = await openCopy();
      const mount = tempDir('toex-full-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
      try {
        writeFileSync(join(mount, 'filler'), Buffer.alloc(60 * 1024, 1));
        const out = join(mount, 'interview.docx');
        const before = store.audit.head().seq;
        expect(() =>
          store.exportTranscript(transcriptId, {
            format: 'docx',
            write: (bytes) => writeFileAtomic(out, bytes),
          }),
        ).toThrow(/ENOSPC|no space/);
        expect(readdirSync(mount)).toEqual(['filler']);
        expect(store.audit.head().seq).toBe(before);
      } finally {
        execFileSync('umount', [mount]);
      }
      close();
    },
  );

  it('refuses to correct a transcript whose job has not finished', async () => {
    const home = tempDir();
    const audio = tempDir();
    const { workstation, store } = await workstationWithCase(home);
    const { item } = await store.importEvidence(interview(audio, ['Yes.'], 1));
    await store.queueTranscription(item.id, whisperModel('ggml-tiny.en.bin'), { threads: 1 });
    const t = store.transcripts.list()[0]!;
    expect(() => store.transcripts.signOff(t.id)).toThrow(/not finished \(its job is queued\)/);
    expect(() => store.exportTranscript(t.id, { format: 'txt', write: () => {} })).toThrow(
      /not finished \(its job is queued\); it can be exported once it is/,
    );
    store.close();
    workstation.close();
  });
});
