import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BackupSmsFixture {
  address: string;
  /** Unix ms. */
  date: number;
  /** 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued. */
  type: number;
  body: string;
  contactName?: string;
}

export interface BackupMmsFixture {
  /** The thread's other people, joined by "~" as the app writes them. */
  address: string;
  /** Unix ms. */
  date: number;
  /** 1 inbox, 2 sent. */
  box: number;
  text?: string;
  /** The sender (addr type 137) and recipients (151). */
  from: string;
  to: string[];
  image?: { name: string; bytes: Buffer };
  contactName?: string;
}

export interface BackupCallFixture {
  number: string;
  /** Seconds. */
  duration: number;
  /** Unix ms. */
  date: number;
  /** 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 refused. */
  type: number;
  /** 1 allowed, 2 restricted, 3 unknown, 4 payphone. */
  presentation?: number;
  contactName?: string;
}

/**
 * Escapes as the app does; with `charRefEmoji`, a character past U+FFFF is
 * written as references to its two UTF-16 halves, as the app's "emoji and
 * special characters" setting writes them (XML forbids it).
 */
function attr(text: string, charRefEmoji: boolean): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;');
  if (!charRefEmoji) return escaped;
  return escaped.replace(
    /[\uD800-\uDBFF][\uDC00-\uDFFF]/g,
    (pair) => `&#${pair.charCodeAt(0)};&#${pair.charCodeAt(1)};`,
  );
}

function element(name: string, attrs: [string, string][], charRefEmoji = false): string {
  return `<${name} ${attrs.map(([k, v]) => `${k}="${attr(v, charRefEmoji)}"`).join(' ')} />`;
}

const PROLOG = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<!--File Created By SMS Backup & Restore v10.20.002 on 10/03/2024 09:00:00-->
<?xml-stylesheet type="text/xsl" href="sms.xsl"?>
`;

/** Writes an SMS Backup & Restore messages backup (`<smses>`), attributes in the app's order. */
export function smsBackupXml(
  dir: string,
  options: {
    sms: BackupSmsFixture[];
    mms?: BackupMmsFixture[];
    charRefEmoji?: boolean;
    name?: string;
  },
): string {
  const path = join(dir, options.name ?? 'sms-20240310090000.xml');
  const mms = options.mms ?? [];
  const lines = [
    `${PROLOG}<smses count="${options.sms.length + mms.length}" backup_set="6f1c2b1e-0c1f-4c55-9d4e-1b9a3f0f7a10" backup_date="1710061200000" type="full">`,
  ];
  for (const m of options.sms) {
    lines.push(
      '  ' +
        element(
          'sms',
          [
            ['protocol', '0'],
            ['address', m.address],
            ['date', String(m.date)],
            ['type', String(m.type)],
            ['subject', 'null'],
            ['body', m.body],
            ['toa', 'null'],
            ['sc_toa', 'null'],
            ['service_center', m.type === 1 ? '+447802000332' : 'null'],
            ['read', '1'],
            ['status', '-1'],
            ['locked', '0'],
            ['date_sent', String(m.type === 1 ? m.date - 2000 : 0)],
            ['sub_id', '1'],
            ['readable_date', '9 Mar 2024 21:00:00'],
            ['contact_name', m.contactName ?? '(Unknown)'],
          ],
          options.charRefEmoji,
        ),
    );
  }
  for (const m of mms) {
    const parts = [
      element('part', [
        ['seq', '-1'],
        ['ct', 'application/smil'],
        ['name', 'null'],
        ['chset', 'null'],
        ['cl', 'smil.xml'],
        ['text', '<smil><body><par dur="5000ms"><text src="text_0.txt"/></par></body></smil>'],
      ]),
      ...(m.text === undefined
        ? []
        : [
            element('part', [
              ['seq', '0'],
              ['ct', 'text/plain'],
              ['name', 'null'],
              ['chset', '106'],
              ['cl', 'text_0.txt'],
              ['text', m.text],
            ]),
          ]),
      ...(m.image
        ? [
            element('part', [
              ['seq', '0'],
              ['ct', 'image/jpeg'],
              ['name', m.image.name],
              ['chset', 'null'],
              ['cl', m.image.name],
              ['text', 'null'],
              ['data', m.image.bytes.toString('base64')],
            ]),
          ]
        : []),
    ];
    const addrs = [
      element('addr', [
        ['address', m.from],
        ['type', '137'],
        ['charset', '106'],
      ]),
      ...m.to.map((to) =>
        element('addr', [
          ['address', to],
          ['type', '151'],
          ['charset', '106'],
        ]),
      ),
    ];
    lines.push(
      `  <mms date="${m.date}" ct_t="application/vnd.wap.multipart.related" msg_box="${m.box}" sub="null" address="${attr(m.address, false)}" m_type="${m.box === 1 ? 132 : 128}" read="1" contact_name="${attr(m.contactName ?? '(Unknown)', false)}">`,
      `    <parts>${parts.join('')}</parts>`,
      `    <addrs>${addrs.join('')}</addrs>`,
      '  </mms>',
    );
  }
  lines.push('</smses>', '');
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** Writes an SMS Backup & Restore call log backup (`<calls>`). */
export function callsBackupXml(dir: string, calls: BackupCallFixture[], name?: string): string {
  const path = join(dir, name ?? 'calls-20240310090000.xml');
  const lines = [
    `${PROLOG}<calls count="${calls.length}" backup_set="0b7e0d49-3a8e-4a51-8d61-0c3f0f4f9e21" backup_date="1710061200000" type="full">`,
    ...calls.map(
      (c) =>
        '  ' +
        element('call', [
          ['number', c.number],
          ['duration', String(c.duration)],
          ['date', String(c.date)],
          ['type', String(c.type)],
          ['presentation', String(c.presentation ?? 1)],
          ['subscription_id', '1'],
          ['post_dial_digits', ''],
          ['readable_date', '9 Mar 2024 21:00:00'],
          ['contact_name', c.contactName ?? '(Unknown)'],
        ]),
    ),
    '</calls>',
    '',
  ];
  writeFileSync(path, lines.join('\n'));
  return path;
}
