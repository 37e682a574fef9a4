import { describe, expect, it } from 'vitest';

import { contactSummary } from '../../../main/ingest/messageSearch.js';
import { iosAddressBookDb } from '../../helpers/iosAddressBookDb.js';
import { appleSeconds, iosCallHistoryDb } from '../../helpers/iosCallHistoryDb.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

describe('iOS call history and address book ingest', () => {
  const tempDir = useTempDirs();

  it('stores an iPhone call history and address book as calls and contacts in one case', async () => {
    const ctx = await workstationWithCase(tempDir());
    const dir = tempDir();
    const calls = iosCallHistoryDb(dir, [
      {
        address: Buffer.from('07700 900123'),
        date: appleSeconds('2024-03-09T21:00:00Z'),
        duration: 61.4,
        originated: false,
        answered: true,
        name: 'Stef',
      },
      {
        address: '+447700900123',
        date: appleSeconds('2024-03-10T09:30:00Z'),
        duration: 0,
        originated: false,
        answered: false,
      },
      {
        address: 'taxi@example.org',
        date: appleSeconds('2024-03-10T10:00:00Z'),
        duration: 12,
        originated: true,
        answered: true,
      },
    ]);
    const book = iosAddressBookDb(dir, [
      { first: 'Ștefan', last: 'Popescu', phones: ['07700 900123'] },
      { organization: 'Taxi Firm Ltd', emails: ['taxi@example.org'] },
    ]);
    const run = async (file: string) => {
      const { item } = await ctx.store.importEvidence(file);
      const job = await ctx.store.runner().run(ctx.store.queueIngest(item.id, { region: 'GB' }).id);
      return { item, job };
    };

    const { item: callItem, job: callJob } = await run(calls);
    const { job: bookJob } = await run(book);

    expect(callJob.result).toMatchObject({
      format: 'ios.callhistory',
      calls: 3,
      participants: 2,
      messages: 0,
      problems: 0,
    });
    expect(bookJob.result).toMatchObject({ format: 'ios.addressbook', contacts: 2, calls: 0 });
    const stored = ctx.store.db
      .prepare(
        `SELECT p.identifier, c.direction, c.started_at, c.duration_seconds
         FROM calls c JOIN participants p ON p.id = c.participant_id ORDER BY c.id`,
      )
      .all();
    expect(stored).toEqual([
      {
        identifier: '+447700900123',
        direction: 'incoming',
        started_at: '2024-03-09T21:00:00.000Z',
        duration_seconds: 61,
      },
      {
        identifier: '+447700900123',
        direction: 'missed',
        started_at: '2024-03-10T09:30:00.000Z',
        duration_seconds: 0,
      },
      {
        identifier: 'taxi@example.org',
        direction: 'outgoing',
        started_at: '2024-03-10T10:00:00.000Z',
        duration_seconds: 12,
      },
    ]);
    expect(contactSummary(ctx.store.db).map((p) => [p.identifier, p.calls])).toEqual([
      ['+447700900123', 2],
      ['taxi@example.org', 1],
    ]);
    expect(
      ctx.store.db.prepare('SELECT name, identifiers FROM contacts ORDER BY id').all(),
    ).toEqual([
      { name: 'Ștefan Popescu', identifiers: '["+447700900123"]' },
      { name: 'Taxi Firm Ltd', identifiers: '["taxi@example.org"]' },
    ]);

    const again = await ctx.store.runner().run(ctx.store.queueIngest(callItem.id).id);
    expect(again.result).toMatchObject({ calls: 3, participants: 2 });
    ctx.store.close();
    ctx.workstation.close();
  });
});
