import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { segmentTranslations } from '../../../main/translation/TranslationStore.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/**
 * A case holding a finished Chinese transcript. Its rows are written as the
 * transcription job stores them; the recording and Whisper are not what
 * these tests are about.
 */
async function caseWithTranscript(home: string, audio: string) {
  const c = await workstationWithCase(home);
  writeFileSync(audio, 'a recording');
  const { item } = await c.store.importEvidence(audio);
  c.store.db.exec(`
    INSERT INTO jobs (id, kind, state, params, created_by, created_at)
      VALUES ('t1', 'transcribe', 'done', '{}', 'me', 'now'), ('t2', 'transcribe', 'running', '{}', 'me', 'now');
    INSERT INTO transcripts (id, evidence_id, job_id, engine, model_id, model_sha256, language, created_by, created_at)
      VALUES (1, ${item.id}, 't1', 'whisper.cpp', 'whisper-base', '${'c'.repeat(64)}', 'zh', 'me', 'now'),
             (2, ${item.id}, 't2', 'whisper.cpp', 'whisper-base', '${'c'.repeat(64)}', 'zh', 'me', 'now');
    INSERT INTO segments (id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
      VALUES (1, 1, 0, 2000, '明天我去火车站', '[]', -0.2, '[]', 0),
             (2, 1, 2000, 4000, '手机没电了', '[]', -0.2, '[]', 0),
             (3, 1, 4000, 5000, '', '[]', -0.2, '[]', 0),
             (4, 1, 5000, 6000, 'OK, see you', '[]', -0.2, '[]', 0);
  `);
  return c;
}

describe('translating a transcript', () => {
  const tempDir = useTempDirs();

  it('translates each segment as it reads at a version, and again for a corrected version', async () => {
    const c = await caseWithTranscript(tempDir(), join(tempDir(), 'interview.wav'));
    try {
      const first = await c.store.translations.queueTranscript(1, { to: 'en', beamSize: 1 });
      expect((await c.store.runner().run(first.id)).result).toMatchObject({
        translated: 2,
        otherScript: 1,
      });
      const v1 = segmentTranslations(c.store.db, 1, 1);
      expect(v1.get(1)![0]!.text).toMatch(/station/i);
      expect(v1.get(2)![0]!.text).toMatch(/phone/i);
      expect(v1.has(3)).toBe(false);
      expect(v1.has(4)).toBe(false);

      c.store.transcripts.edit(1, {
        changes: [{ segmentId: 2, text: '把地址发给我' }],
        reason: 'checked against the audio',
      });
      const second = await c.store.translations.queueTranscript(1, { to: 'en', beamSize: 1 });
      expect((await c.store.runner().run(second.id)).result).toMatchObject({ translated: 2 });
      expect(segmentTranslations(c.store.db, 1, 2).get(2)![0]!.text).toMatch(/address/i);
      expect(segmentTranslations(c.store.db, 1, 1).get(2)![0]!.text).toMatch(/phone/i);
      const audited = c.store.audit.list().filter((e) => e.action === 'transcript.translate');
      expect(audited.map((e) => e.subject)).toEqual(['transcript:1', 'transcript:1']);
    } finally {
      c.store.close();
      c.workstation.close();
    }
  });

  it('refuses an unfinished transcript and a language no model here reads, queueing nothing', async () => {
    const c = await caseWithTranscript(tempDir(), join(tempDir(), 'interview.wav'));
    try {
      await expect(c.store.translations.queueTranscript(2, { to: 'en' })).rejects.toThrow(
        /transcript 2 is not finished \(its job is running\)/,
      );
      await expect(c.store.translations.queueTranscript(1, { to: 'de' })).rejects.toThrow(
        /transcript 1 is in zh; no model here translates zh into de/,
      );
      expect(c.store.jobs.list().filter((j) => j.kind === 'translate')).toEqual([]);
    } finally {
      c.store.close();
      c.workstation.close();
    }
  });

  it("keeps a reviewer's corrections of segment translations as versions, and exports them with the segments", async () => {
    const c = await caseWithTranscript(tempDir(), join(tempDir(), 'interview.wav'));
    try {
      const job = await c.store.translations.queueTranscript(1, { to: 'en', beamSize: 1 });
      await c.store.runner().run(job.id);
      const machine = segmentTranslations(c.store.db, 1, 1).get(1)![0]!;
      const change = { id: machine.id, text: 'I am going to the station tomorrow.' };
      const saved = c.store.translations.correctSegment({ ...change, reason: 'interpreter' });
      expect(saved).toMatchObject({
        version: 2,
        text: change.text,
        machineText: machine.text,
        reviewedBy: c.store.actor,
      });
      expect(() =>
        c.store.translations.correctSegment({ ...change, text: 'x', reason: 'r', basedOn: 1 }),
      ).toThrow(/translation \d+ is at version 2, not 1/);
      expect(() => c.store.translations.correctSegment({ id: 99, text: 'x', reason: 'r' })).toThrow(
        /no segment translation 99 in this case/,
      );

      let csv = '';
      const written = c.store.translations.export({
        format: 'csv',
        transcript: { id: 1 },
        write: (bytes) => (csv = bytes.toString('utf8')),
      });
      expect(written.rows).toBe(2);
      expect(csv.replace(/^\ufeff/, '').split('\r\n')).toEqual([
        'Segment,Time in recording,Speaker,Original,Translation,Languages,Confidence,Status',
        `1,00:00:00.000 - 00:00:02.000,Unlabelled,明天我去火车站,${change.text},zh -> en,${Math.round(machine.confidence * 100) / 100},"reviewed by ${c.store.actor}, version 2 (machine: opus-mt-zh-en)"`,
        expect.stringMatching(
          /^2,00:00:02\.000 - 00:00:04\.000,Unlabelled,手机没电了,.*phone.*,zh -> en,0\.\d+,machine translation \(opus-mt-zh-en\)$/i,
        ),
        '',
      ]);
      const audited = c.store.audit.list().filter((e) => e.action.startsWith('translation.'));
      expect(audited.map((e) => [e.action, e.subject])).toEqual([
        ['translation.correct', `segment-translation:${machine.id}`],
        ['translation.export', 'transcript:1'],
      ]);
    } finally {
      c.store.close();
      c.workstation.close();
    }
  });
});
