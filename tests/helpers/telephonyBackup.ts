import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/** An SMS as Android's telephony backup agent writes it: every value a string. */
export interface BackupSms {
  address: string;
  body: string;
  /** Unix ms. */
  date: number;
  /** sms.type: 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued. */
  type: number;
  recipients: string[];
}

/** An MMS as the agent writes it: its addresses (137 from, 151 to) and its text. */
export interface BackupMms {
  /** Unix seconds. */
  date: number;
  /** 1 inbox, 2 sent. */
  msgBox: number;
  from: string;
  to: string[];
  body: string;
  recipients: string[];
}

/**
 * A file of the telephony provider's adb backup (d_f/000000_sms_backup and
 * the like): the messages as a JSON list, zlib-deflated.
 */
export function telephonyBackupFile(
  dir: string,
  messages: (BackupSms | BackupMms)[],
  name = '000000_sms_backup',
): string {
  const items = messages.map((m) =>
    'msgBox' in m
      ? {
          date: String(m.date),
          date_sent: '0',
          m_type: m.msgBox === 1 ? '132' : '128',
          msg_box: String(m.msgBox),
          recipients: m.recipients,
          read: '1',
          mms_addresses: [
            { type: 137, address: m.from, charset: 106 },
            ...m.to.map((address) => ({ type: 151, address, charset: 106 })),
          ],
          mms_body: m.body,
          mms_charset: 106,
        }
      : {
          address: m.address,
          body: m.body,
          date: String(m.date),
          date_sent: '0',
          status: '-1',
          type: String(m.type),
          recipients: m.recipients,
          read: '1',
        },
  );
  const path = join(dir, name);
  writeFileSync(path, deflateSync(Buffer.from(JSON.stringify(items))));
  return path;
}
