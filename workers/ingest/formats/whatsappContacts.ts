import { normaliseAddress } from '../addresses.js';
import { hasTables, type SqliteFormat } from '../formats.js';
import type { IngestRecord } from '../records.js';
import { parseJid } from './whatsappJid.js';
import { columns, eachRow, lastRowId, textOf } from './whatsappRows.js';

/**
 * WhatsApp's address book on Android (wa.db): one row per jid the app knows,
 * with the name from the phone's contacts (display_name) or the one the
 * person gave WhatsApp (wa_name). Groups and broadcast lists are left out:
 * they are chats, named in msgstore.db.
 *
 * Not yet: the names are shown beside the number in `toex contacts`, but are not put on
 * msgstore.db's participants, so `toex messages` still shows a sender by number.
 */
export const whatsappContacts: SqliteFormat = {
  kind: 'sqlite',
  id: 'whatsapp.wa',
  label: 'WhatsApp on Android contacts (wa.db)',

  matches(schema) {
    return hasTables(schema, 'wa_contacts.jid', 'wa_contacts.display_name');
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    const total = lastRowId(db, 'wa_contacts');
    const wanted = ['jid', 'display_name', 'wa_name', 'number'];
    yield* eachRow<{
      _id: number;
      jid: unknown;
      display_name: unknown;
      wa_name: unknown;
      number: unknown;
    }>(
      db,
      `SELECT _id, ${columns(schema, 'wa_contacts', wanted)} FROM wa_contacts ORDER BY _id`,
      { file, table: 'wa_contacts' },
      function* (c) {
        ctx.progress(c._id, total);
        const flags: string[] = [];
        const jid = parseJid(textOf(c.jid, flags) ?? '', ctx.region);
        if (!jid?.address) return;
        const identifiers = [jid.address.identifier];
        const number = textOf(c.number, flags);
        const other = number?.trim() ? normaliseAddress(number, ctx.region).identifier : null;
        if (other && !identifiers.includes(other)) identifiers.push(other);
        yield {
          type: 'contact',
          key: `wa_contacts:${c._id}`,
          name: textOf(c.display_name, flags) ?? textOf(c.wa_name, flags),
          identifiers,
          source: { file, table: 'wa_contacts', rowId: c._id },
        } satisfies IngestRecord;
      },
    );
  },
};
