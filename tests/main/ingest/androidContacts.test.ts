import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary } from '../../../main/ingest/messageSearch.js';
import { androidCallLogDb } from '../../helpers/androidCallLogDb.js';
import { androidContactsDb } from '../../helpers/androidContactsDb.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { waContactsDb } from '../../helpers/whatsappMsgstoreDb.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const AT = Date.parse('2024-03-09T21:00:00Z');

describe('Android call log and contacts ingest', () => {
  const tempDir = useTempDirs();

  it('stores calls with their flags, and shows the names address books save for a number', async () => {
    const dir = tempDir();
    const r = await ingestedInNewCase(
      tempDir(),
      androidCallLogDb(dir, [
        { number: '07700 900123', date: AT, duration: 61, type: 1 },
        { number: '07700900123', date: AT + 60_000, duration: 0, type: 4, deleted: true },
        { number: '-2', date: AT + 120_000, duration: 0, type: 6, presentation: 2 },
      ]),
    );
    const run = async (file: string) => {
      const { item } = await r.store.importEvidence(file);
      return { item, job: await r.store.runner().run(r.store.queueIngest(item.id).id) };
    };
    const book = await run(
      androidContactsDb(dir, {
        contacts: [
          { displayName: 'Ștefan Popescu', phones: ['+44 7700 900123'] },
          { displayName: 'Never Called', phones: ['07700 900999'] },
        ],
      }),
    );
    const wa = await run(
      waContactsDb(dir, [{ jid: '447700900123@s.whatsapp.net', displayName: 'Dealer Dan' }]),
    );

    expect(r.job.result).toMatchObject({
      format: 'android.contacts',
      formatLabel: 'Android call log and contacts (calllog.db, contacts2.db)',
      calls: 3,
      participants: 1,
      contacts: 0,
      problems: 0,
    });
    expect(book.job.result).toMatchObject({ format: 'android.contacts', contacts: 2, calls: 0 });
    const stored = r.store.db
      .prepare(
        `SELECT p.identifier, c.direction, c.started_at, c.duration_seconds, c.deleted, c.flags,
           c.source
         FROM calls c LEFT JOIN participants p ON p.id = c.participant_id ORDER BY c.id`,
      )
      .all();
    expect(stored).toEqual([
      {
        identifier: '+447700900123',
        direction: 'incoming',
        started_at: '2024-03-09T21:00:00.000Z',
        duration_seconds: 61,
        deleted: 0,
        flags: '[]',
        source: '{"file":"calllog.db","table":"calls","rowId":1}',
      },
      expect.objectContaining({ direction: 'missed', deleted: 1, flags: '["voicemail"]' }),
      expect.objectContaining({
        identifier: null,
        direction: 'rejected',
        flags: '["blocked","number-withheld"]',
      }),
    ]);

    expect(contactSummary(r.store.db)).toEqual([
      {
        identifier: '+447700900123',
        names: ['Dealer Dan', 'Ștefan Popescu'],
        kind: 'phone',
        evidenceIds: [r.item.id, book.item.id, wa.item.id],
        messagesFrom: 0,
        messagesTo: 0,
        calls: 2,
        first: '2024-03-09T21:00:00.000Z',
        last: '2024-03-09T21:01:00.000Z',
      },
    ]);

    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ calls: 3, participants: 1 });
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every call exactly once', async () => {
    const file = androidCallLogDb(
      tempDir(),
      Array.from({ length: 20000 }, (_, i) => ({
        number: `07700 90000${i % 5}`,
        date: AT + i * 1000,
        duration: i,
        type: 1 + (i % 3),
      })),
    );
    const ctx = await workstationWithCase(tempDir());
    const stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const { item } = await ctx.store.importEvidence(file);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({
      state: 'done',
      attempts: 2,
      result: { calls: 20000, participants: 5 },
    });
    const distinct = ctx.store.db
      .prepare('SELECT count(DISTINCT duration_seconds) AS n FROM calls')
      .get();
    expect(distinct).toEqual({ n: 20000 });
    ctx.store.close();
    ctx.workstation.close();
  });

  const plaso = join(CORPUS, 'mobile', 'android', 'plaso', 'contacts2.db');
  it.skipIf(!existsSync(plaso))(
    'ingests the corpus Android 4 contacts2.db (plaso test file): 3 calls with one US number',
    async () => {
      // Read in the country each call was logged in (US), though the case's device is GB.
      const r = await ingestedInNewCase(tempDir(), plaso, 'GB');
      expect(r.job.result).toMatchObject({
        format: 'android.contacts',
        calls: 3,
        participants: 1,
        contacts: 0,
        problems: 0,
      });
      expect(
        r.store.db
          .prepare(
            `SELECT c.direction, c.started_at, c.duration_seconds, c.flags, c.source
             FROM calls c ORDER BY c.id`,
          )
          .all(),
      ).toEqual([
        {
          direction: 'missed',
          started_at: '2013-11-06T21:17:16.690Z',
          duration_seconds: 0,
          flags: '[]',
          source: '{"file":"contacts2.db","table":"calls","rowId":714}',
        },
        {
          direction: 'outgoing',
          started_at: '2013-11-06T21:18:53.283Z',
          duration_seconds: 126,
          flags: '[]',
          source: '{"file":"contacts2.db","table":"calls","rowId":715}',
        },
        {
          direction: 'incoming',
          started_at: '2013-11-07T00:03:36.690Z',
          duration_seconds: 639,
          flags: '[]',
          source: '{"file":"contacts2.db","table":"calls","rowId":717}',
        },
      ]);
      expect(contactSummary(r.store.db)).toMatchObject([
        { identifier: '+15404561685', names: ['Barney'], kind: 'phone', calls: 3 },
      ]);
      r.close();
    },
  );
});
