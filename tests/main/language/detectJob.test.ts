import { describe, expect, it } from 'vitest';

import {
  DETECT,
  detectKind,
  languageCounts,
  undetectedMessages,
} from '../../../main/language/detectJob.js';
import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { JobRunner } from '../../../main/jobs/JobRunner.js';
import { ForkWorkerHost } from '../../../main/jobs/WorkerHost.js';
import { androidSmsDb } from '../../helpers/androidSmsDb.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { useTempDirs } from '../../helpers/temp.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');

const TEXTS = [
  'unde ești acum frate, vin mâine la gară',
  'nuk mund të flas tani, të marr më vonë',
  'the boys are waiting outside the shop',
  'ba3atlak el masari 3al 7sab',
  '👍',
  null,
];

/** A phone holding the texts above, `copies` times over, one a minute. */
function phone(dir: string, copies = 1): string {
  const sms = Array.from({ length: TEXTS.length * copies }, (_, i) => ({
    thread: 1,
    address: '07700 900123',
    date: T0 + i * 60_000,
    type: 1,
    body: TEXTS[i % TEXTS.length]!,
  }));
  return androidSmsDb(dir, { threads: [{ id: 1, addresses: ['07700 900123'] }], sms });
}

describe('detectJob', () => {
  const tempDir = useTempDirs();

  it('tells each message its language in a worker, and the filter finds them by it', async () => {
    const c = await ingestedInNewCase(tempDir(), phone(tempDir()));
    try {
      expect(undetectedMessages(c.store.db)).toBe(6);
      const job = await c.store.runner().run(c.store.queueDetect().id);
      expect(job.state).toBe('done');
      expect(job.result).toMatchObject({ detector: 'eld-2.1.0-large+arabizi-1', detected: 6 });

      const byLanguage = Object.fromEntries(
        languageCounts(c.store.db).map((l) => [l.language, l.messages]),
      );
      expect(byLanguage).toEqual({ und: 2, ro: 1, sq: 1, en: 1, 'ar-Latn': 1 });
      const bodies = (languages: string[]) =>
        searchMessages(c.store.db, { languages }).map((m) => m.body);
      expect(bodies(['ro'])).toEqual([TEXTS[0]]);
      expect(bodies(['ro', 'sq'])).toEqual([TEXTS[0], TEXTS[1]]);
      expect(bodies(['ar'])).toEqual([TEXTS[3]]);
      expect(bodies(['ar-Latn'])).toEqual([TEXTS[3]]);
      const [romanian] = searchMessages(c.store.db, { search: 'gara', languages: ['ro'] });
      expect(romanian!.language).toMatchObject({ code: 'ro', reliable: true });
      expect(undetectedMessages(c.store.db)).toBe(0);

      const audit = c.store.audit.list().find((e) => e.action === 'messages.detect-language');
      expect(audit!.details).toMatchObject({ jobId: job.id, detected: 6 });
      expect(JSON.stringify(audit)).not.toContain('frate');
    } finally {
      c.close();
    }
  });

  it('finds nothing to do the second time, and does not queue a second job beside a queued one', async () => {
    const c = await ingestedInNewCase(tempDir(), phone(tempDir()));
    try {
      const first = c.store.queueDetect();
      expect(c.store.queueDetect().id).toBe(first.id);
      await c.store.runner().run(first.id);
      const again = await c.store.runner().run(c.store.queueDetect().id);
      expect(again.state).toBe('done');
      expect(again.result).toMatchObject({ detected: 0 });
    } finally {
      c.close();
    }
  });

  it('resumes after its worker is killed, and works through a case a slice at a time', async () => {
    const c = await ingestedInNewCase(tempDir(), phone(tempDir(), 2000));
    try {
      const stored = () =>
        (c.store.db.prepare('SELECT count(*) AS n FROM message_languages').get() as { n: number })
          .n;
      const killed = await c.store
        .runner(killFirstWorkerWhen(() => stored() >= 2000))
        .run(c.store.queueDetect().id);
      expect(killed.state).toBe('done');
      expect(killed.attempts).toBe(2);
      expect(killed.result).toMatchObject({ detected: 12_000 });
      expect(stored()).toBe(12_000);
      expect(
        Object.fromEntries(languageCounts(c.store.db).map((l) => [l.language, l.messages])),
      ).toEqual({ und: 4000, ro: 2000, sq: 2000, en: 2000, 'ar-Latn': 2000 });

      // Languages are an aid, not evidence: cleared here to be told again in slices.
      c.store.db.prepare('DELETE FROM message_languages').run();
      let workers = 0;
      const host = new ForkWorkerHost();
      const counting = {
        start: (entry: string, name: string) => {
          workers += 1;
          return host.start(entry, name);
        },
      };
      const runner = new JobRunner(c.store.jobs, counting, [
        detectKind(c.store.db, c.store.audit, c.store.actor, 4000),
      ]);
      const sliced = await runner.run(c.store.jobs.enqueue(DETECT, {}).id);
      expect(sliced.result).toMatchObject({ detected: 12_000 });
      expect(sliced.attempts).toBe(1);
      expect(workers).toBe(3);
      expect(stored()).toBe(12_000);
    } finally {
      c.close();
    }
  });

  it('is kept out of a closed case', async () => {
    const c = await ingestedInNewCase(tempDir(), phone(tempDir()));
    try {
      c.workstation.setCaseStatus(c.info.id, 'closed');
      const closed = c.workstation.openCase(c.info.id);
      expect(() => closed.queueDetect()).toThrow(/closed; reopen it before detecting/);
      closed.close();
    } finally {
      c.close();
    }
  });
});
