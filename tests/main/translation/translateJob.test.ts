import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { JobRunner } from '../../../main/jobs/JobRunner.js';
import { TRANSLATE, translateKind } from '../../../main/translation/translateJob.js';
import { translationsOf } from '../../../main/translation/TranslationStore.js';
import { manifestEntry } from '../../../models/modelManifest.js';
import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { translationModel } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');

function phone(dir: string, bodies: string[]): string {
  return androidSmsDb(dir, {
    threads: [{ id: 1, addresses: ['07700 900123'] }],
    sms: bodies.map((body, i) => ({
      thread: 1,
      address: '07700 900123',
      date: T0 + i * 60_000,
      type: 1,
      body,
    })),
  });
}

async function detectedCase(home: string, file: string) {
  const c = await ingestedInNewCase(home, file);
  await c.store.runner().run(c.store.queueDetect().id);
  return c;
}

const MODEL_SHA256 = createHash('sha256')
  .update(
    manifestEntry('opus-mt-zh-en')
      .files.map((f) => `${f.sha256}\n`)
      .join(''),
  )
  .digest('hex');

describe('translateJob', () => {
  const tempDir = useTempDirs();
  afterEach(() => {
    delete process.env.TOEX_TRANSLATION_MODELS;
  });

  it('translates the messages a model here reads, names what made each, and leaves the originals', async () => {
    const bodies = [
      '明天我去火车站',
      '钱已经转到你账户了 😀',
      'see you at the station',
      'unde ești acum frate, vin mâine la gară',
    ];
    const c = await detectedCase(tempDir(), phone(tempDir(), bodies));
    try {
      const { jobs, unsupported } = await c.store.translations.queue({ to: 'en' });
      expect(unsupported).toEqual([{ language: 'ro', messages: 1 }]);
      expect(jobs).toHaveLength(1);
      const job = await c.store.runner().run(jobs[0]!.id);
      expect(job.state).toBe('done');
      expect(job.result).toMatchObject({
        from: 'zh',
        to: 'en',
        modelId: 'opus-mt-zh-en',
        translated: 2,
      });

      const rows = searchMessages(c.store.db, {});
      expect(rows.map((m) => m.body)).toEqual(bodies);
      const [station, money] = rows.map((m) => m.translations[0]);
      expect(station).toMatchObject({
        from: 'zh',
        to: 'en',
        modelId: 'opus-mt-zh-en',
        modelSha256: MODEL_SHA256,
        engine: 'onnxruntime-node (TOEX Marian decoder)',
        version: 1,
      });
      expect(station!.text).toMatch(/station/i);
      expect(money!.text).toMatch(/money/i);
      expect(money!.text).toContain('😀');
      expect(station!.confidence).toBeGreaterThan(0.2);
      expect(rows[2]!.translations).toEqual([]);

      const found = searchMessages(c.store.db, { search: 'station' }).map((m) => m.body);
      expect(found).toEqual([bodies[0], bodies[2]]);
      const audit = c.store.audit.list().find((e) => e.action === 'messages.translate');
      expect(audit!.details).toMatchObject({ translated: 2, modelSha256: MODEL_SHA256 });
      expect(JSON.stringify(audit)).not.toContain('money');

      const again = await c.store.translations.queue({ to: 'en' });
      const second = await c.store.runner().run(again.jobs[0]!.id);
      expect(second.result).toMatchObject({ translated: 0 });
      expect(() => c.store.db.prepare(`UPDATE translations SET text = 'x'`).run()).toThrow(
        /never changed/,
      );
    } finally {
      c.close();
    }
  });

  it('resumes after its worker is killed, translating every message exactly once', async () => {
    const texts = ['明天我去火车站', '把地址发给我', '手机没电了', '你在哪里？'];
    const c = await detectedCase(
      tempDir(),
      phone(
        tempDir(),
        Array.from({ length: 160 }, (_, i) => texts[i % 4]!),
      ),
    );
    try {
      const stored = () =>
        (c.store.db.prepare('SELECT count(*) AS n FROM translations').get() as { n: number }).n;
      const { jobs } = await c.store.translations.queue({ to: 'en', beamSize: 1 });
      const runner = new JobRunner(
        c.store.jobs,
        killFirstWorkerWhen(() => stored() >= 64),
        [
          translateKind(
            c.store.db,
            c.store.audit,
            c.store.actor,
            c.store.transcripts,
            c.store.home,
            100,
          ),
        ],
      );
      const job = await runner.run(jobs[0]!.id);
      expect(job.state).toBe('done');
      expect(job.attempts).toBe(2);
      expect(job.result).toMatchObject({ translated: 160 });
      expect(stored()).toBe(160);
      const distinct = c.store.db
        .prepare('SELECT count(DISTINCT message_id) AS n FROM translations')
        .get() as { n: number };
      expect(distinct.n).toBe(160);
      const same = c.store.db
        .prepare(
          `SELECT count(DISTINCT t.text) AS n FROM translations t JOIN messages m ON m.id = t.message_id
           WHERE m.body = '把地址发给我'`,
        )
        .get() as { n: number };
      expect(same.n).toBe(1);
    } finally {
      c.close();
    }
  });

  it('keeps a reviewer correction as a new version, searchable in place of the machine text', async () => {
    const c = await detectedCase(tempDir(), phone(tempDir(), ['明天我去火车站']));
    try {
      const { jobs } = await c.store.translations.queue({ to: 'en' });
      await c.store.runner().run(jobs[0]!.id);
      const [machine] = translationsOf(c.store.db, [1]).get(1)!;
      const saved = c.store.translations.correct({
        id: machine!.id,
        text: 'Tomorrow I am going to the railway depot.',
        reason: 'checked with the interpreter',
        basedOn: 1,
      });
      expect(saved).toMatchObject({
        version: 2,
        machineText: machine!.text,
        reviewedBy: expect.stringMatching(/^DC Test 0001/) as unknown,
      });
      expect(searchMessages(c.store.db, { search: 'depot' })).toHaveLength(1);
      expect(searchMessages(c.store.db, { search: 'station' })).toHaveLength(0);
      expect(() =>
        c.store.translations.correct({ id: machine!.id, text: 'x', reason: 'r', basedOn: 1 }),
      ).toThrow(/at version 2, not 1/);
      expect(c.store.audit.list().at(-1)).toMatchObject({ action: 'translation.correct' });

      // A closed case takes no more corrections.
      c.workstation.setCaseStatus(c.info.id, 'closed');
      const closed = c.workstation.openCase(c.info.id);
      try {
        expect(() =>
          closed.translations.correct({ id: machine!.id, text: 'y', reason: 'r' }),
        ).toThrow(/closed; reopen it before correcting a translation/);
      } finally {
        closed.close();
      }
    } finally {
      c.close();
    }
  });

  it('refuses a model file that was altered, in one line, translating nothing', async () => {
    const c = await detectedCase(tempDir(), phone(tempDir(), ['明天我去火车站']));
    try {
      const altered = tempDir();
      const model = translationModel();
      for (const f of manifestEntry(model.id).files) {
        copyFileSync(join(model.dir, f.name), join(altered, f.name));
      }
      const vocab = join(altered, `${model.id}.vocab.json`);
      // One entry of the vocabulary changed: a model that would translate "station" as something else.
      writeFileSync(
        vocab,
        readFileSync(vocab, 'utf8').replace('"\\u2581station"', '"\\u2581stati0n"'),
      );
      process.env.TOEX_TRANSLATION_MODELS = altered;
      await expect(c.store.translations.queue({ to: 'en' })).rejects.toThrow(
        /opus-mt-zh-en.vocab.json of opus-mt-zh-en does not match the manifest's SHA-256/,
      );
      expect(c.store.jobs.list().filter((j) => j.kind === TRANSLATE)).toEqual([]);
    } finally {
      c.close();
    }
  });

  it('translates a selection of messages only', async () => {
    const c = await detectedCase(
      tempDir(),
      phone(tempDir(), ['明天我去火车站', '把地址发给我', '手机没电了']),
    );
    try {
      const { jobs } = await c.store.translations.queue({
        to: 'en',
        messageIds: [1, 3],
        beamSize: 1,
      });
      const job = await c.store.runner().run(jobs[0]!.id);
      expect(job.result).toMatchObject({ translated: 2 });
      const translated = c.store.db
        .prepare('SELECT message_id FROM translations ORDER BY message_id')
        .all();
      expect(translated).toEqual([{ message_id: 1 }, { message_id: 3 }]);
    } finally {
      c.close();
    }
  });

  it('refuses a thread or a selection the case does not hold, and counts what it leaves', async () => {
    const c = await detectedCase(tempDir(), phone(tempDir(), ['明天我去火车站', '👍👍']));
    try {
      await expect(c.store.translations.queue({ to: 'en', threadId: 99 })).rejects.toThrow(
        'no thread 99 in this case',
      );
      await expect(
        c.store.translations.queue({ to: 'en', messageIds: [7, 8_000_000] }),
      ).rejects.toThrow('none of the messages given is in this case');
      const first = await c.store.translations.queue({ to: 'en', messageIds: [1, 2, 99] });
      expect(first.jobs[0]!.params.messageIds).toEqual([1, 2]);
      expect(first.undetermined).toBe(1);
      await c.store.runner().run(first.jobs[0]!.id);
      const again = await c.store.translations.queue({ to: 'en' });
      expect(again).toMatchObject({ kept: 1, undetermined: 1 });
    } finally {
      c.close();
    }
  });

  it('queues nothing for a case with no messages in a language a model here reads', async () => {
    const c = await detectedCase(tempDir(), phone(tempDir(), ['see you at the station']));
    try {
      expect(await c.store.translations.queue({ to: 'en' })).toEqual({
        jobs: [],
        unsupported: [],
        undetermined: 0,
        kept: 0,
      });
      expect(c.store.jobs.list().filter((j) => j.kind === TRANSLATE)).toEqual([]);
    } finally {
      c.close();
    }
  });
});
