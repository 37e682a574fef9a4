import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';

/** Text as vCard 2.1 writes it under ENCODING=QUOTED-PRINTABLE, soft-broken every 30 bytes. */
function quotedPrintable(text: string): string {
  const hex = [...Buffer.from(text, 'utf8')].map(
    (b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
  );
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 10) lines.push(hex.slice(i, i + 10).join(''));
  return lines.join('=\r\n');
}

/** An address-book export as phones write one: 3.0 and 2.1 cards, CRLF line ends. */
function addressBook(dir: string): string {
  const cards = [
    [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Popescu;Ștefan;;;',
      'FN:Ștefan Popescu',
      'TEL;TYPE=CELL:07700 900123',
      'item1.TEL;TYPE=HOME:+44 7700 900123',
      'EMAIL;TYPE=INTERNET:Stefan@Example.ORG',
      'NOTE:a long note that the exporting phone folded onto a second',
      '  line',
      'END:VCARD',
    ],
    [
      'BEGIN:VCARD',
      'VERSION:2.1',
      `FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${quotedPrintable('Kai 🚚 Dealer')}`,
      'TEL;CELL;PREF:07700900456',
      'END:VCARD',
    ],
    ['BEGIN:VCARD', 'VERSION:3.0', 'N:Smith;Jo;;Dr;', 'TEL:tel:+40721234567', 'END:VCARD'],
    ['BEGIN:VCARD', 'VERSION:2.1', 'ORG:AAA Car Service', 'TEL;WORK:0161 496 0000'],
    ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Last', 'TEL:07700 900789'],
  ];
  const path = join(dir, 'contacts.vcf');
  writeFileSync(path, `\uFEFF${cards.map((c) => c.join('\r\n')).join('\r\n')}\r\n`);
  return path;
}

describe('vCard ingest', () => {
  const tempDir = useTempDirs();

  it('reads each card as a contact: its name as the phone shows it, numbers in E.164, e-mail folded', async () => {
    const r = await ingestedInNewCase(tempDir(), addressBook(tempDir()));
    expect(r.job.result).toMatchObject({ format: 'vcard', contacts: 5, messages: 0, problems: 2 });
    const contacts = r.store.db
      .prepare('SELECT name, identifiers, source FROM contacts ORDER BY id')
      .all() as { name: string; identifiers: string; source: string }[];
    expect(
      contacts.map((c) => [c.name, JSON.parse(c.identifiers), JSON.parse(c.source).line]),
    ).toEqual([
      ['Ștefan Popescu', ['+447700900123', 'stefan@example.org'], 1],
      ['Kai 🚚 Dealer', ['+447700900456'], 11],
      ['Dr Jo Smith', ['+40721234567'], 17],
      ['AAA Car Service', ['+441614960000'], 22],
      ['Last', ['+447700900789'], 26],
    ]);
    const problems = r.store.db
      .prepare('SELECT message FROM ingest_problems ORDER BY id')
      .pluck()
      .all();
    expect(problems).toEqual([
      'a card with no END:VCARD; read up to the next card',
      'the file ends inside a card (no END:VCARD); what the card held is kept',
    ]);
    r.close();
  });

  const corpus = (name: string) => join(CORPUS, 'mobile', 'contacts', name);
  it.skipIf(!existsSync(corpus('aleph_john-doe_apple_vcard30.vcf')))(
    "reads the corpus vCards: Apple's John Doe, IPED's four contacts, and a Samsung export's 2.1 and 3.0 cards",
    async () => {
      const names = async (file: string, region: string) => {
        const r = await ingestedInNewCase(tempDir(), corpus(file), region);
        const rows = r.store.db
          .prepare('SELECT name, identifiers FROM contacts ORDER BY id')
          .all() as { name: string; identifiers: string }[];
        r.close();
        return rows.map((c) => [c.name, JSON.parse(c.identifiers) as string[]]);
      };
      expect(await names('aleph_john-doe_apple_vcard30.vcf', 'US')).toEqual([
        [
          'John Doe',
          ['johndoe@example.org', '+16175551212', '+16175551234', '+17815551212', '+12025551212'],
        ],
      ]);
      const iped = await names('iped_contactsCompleteInfo_vcard30.vcf', 'BR');
      expect(iped.map(([name]) => name)).toEqual([
        'Taxi Lago Norte',
        'Sushi Loko Flamingo',
        'Smart Assistência Técnica',
        'Magnanimo Test@paraparaparapara el raton para el',
      ]);
      const samsung = await names('whatsapp_chat_exporter_contacts_vcard21_30.vcf', 'US');
      expect(samsung.map(([name]) => name)).toEqual([
        'Sample Contact',
        'Yard Lawn Guy, Jose Lopez',
        'John Butler 🌟💫🌟',
        "Airline Contact #'s",
        'James Peacock Elementary',
        'AAA Car Service',
      ]);
      expect(samsung[0]![1]).toEqual(['+85288888888']);
    },
  );
});
