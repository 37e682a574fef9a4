import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { zipSync } from 'fflate';

export const CELLEBRITE_NS = 'http://pa.cellebrite.com/report/2.0';

export interface UfdrParty {
  id: string;
  name?: string;
  owner?: boolean;
}

export interface UfdrAttachment {
  filename?: string;
  contentType?: string;
  url?: string;
  /** Where Physical Analyzer put the file in the archive, with its backslashes. */
  extractedPath?: string;
}

export interface UfdrMessage {
  id?: string;
  from?: UfdrParty;
  to?: UfdrParty[];
  body?: string;
  /** As report.xml writes it, e.g. 2019-03-04T10:22:33.000+01:00. */
  time?: string;
  deleted?: boolean;
  attachments?: UfdrAttachment[];
}

export interface UfdrChat {
  id?: string;
  source?: string;
  name?: string;
  participants: UfdrParty[];
  messages: UfdrMessage[];
}

export interface UfdrCall {
  parties: UfdrParty[];
  type?: string;
  direction?: string;
  time?: string;
  duration?: string;
  deleted?: boolean;
}

export interface UfdrContact {
  name: string;
  entries: { kind: 'PhoneNumber' | 'UserID' | 'EmailAddress'; value: string }[];
}

/** An SMS or MMS model: everyone under Parties with a Role; an Email: From, To and Cc. */
export interface UfdrText {
  type: 'SMS' | 'MMS' | 'Email';
  from?: UfdrParty;
  to?: UfdrParty[];
  cc?: UfdrParty[];
  folder?: string;
  subject?: string;
  body?: string;
  time?: string;
  deleted?: boolean;
  source?: string;
  attachments?: UfdrAttachment[];
}

export interface UfdrReport {
  chats?: UfdrChat[];
  texts?: UfdrText[];
  calls?: UfdrCall[];
  contacts?: UfdrContact[];
  /** Raw XML put inside decodedData as it is, e.g. a corpus fragment wrapped in its modelType. */
  extra?: string;
}

const cdata = (text: string) => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

function field(name: string, value: string | undefined, type = 'String'): string {
  if (value === undefined) return `<field name="${name}" type="${type}"><empty /></field>`;
  if (type === 'TimeStamp') {
    return `<field name="${name}" type="TimeStamp"><value type="TimeStamp" format="TimeStampKnown">${value}</value></field>`;
  }
  return `<field name="${name}" type="${type}"><value type="${type}">${cdata(value)}</value></field>`;
}

let ids = 0;
const nextId = () => `00000000-0000-4000-8000-${String((ids += 1)).padStart(12, '0')}`;
const state = (deleted?: boolean) => (deleted ? 'Deleted' : 'Intact');

function partyXml(p: UfdrParty, role?: string): string {
  return [
    `<model type="Party" id="${nextId()}" deleted_state="Unknown">`,
    field('Identifier', p.id),
    role ? field('Role', role, 'PartyRole') : '',
    field('Name', p.name),
    field('IsPhoneOwner', p.owner ? 'True' : 'False', 'Boolean'),
    '</model>',
  ].join('');
}

function attachmentsXml(list: UfdrAttachment[] = []): string[] {
  return list.map((a) =>
    [
      `<model type="Attachment" id="${nextId()}" deleted_state="Intact">`,
      field('Filename', a.filename),
      field('ContentType', a.contentType),
      field('URL', a.url),
      ...(a.extractedPath === undefined
        ? []
        : [field('attachment_extracted_path', a.extractedPath)]),
      '</model>',
    ].join(''),
  );
}

function textXml(t: UfdrText): string {
  const people =
    t.type === 'Email'
      ? [
          t.from ? `<modelField name="From" type="Party">${partyXml(t.from)}</modelField>` : '',
          `<multiModelField name="To" type="Party">${(t.to ?? []).map((p) => partyXml(p)).join('')}</multiModelField>`,
          `<multiModelField name="Cc" type="Party">${(t.cc ?? []).map((p) => partyXml(p)).join('')}</multiModelField>`,
        ]
      : [
          `<multiModelField name="Parties" type="Party">${[
            ...(t.from ? [partyXml(t.from, 'From')] : []),
            ...(t.to ?? []).map((p) => partyXml(p, 'To')),
          ].join('')}</multiModelField>`,
        ];
  return [
    `<model type="${t.type}" id="${nextId()}" deleted_state="${state(t.deleted)}">`,
    field('Source', t.source),
    field('Folder', t.folder),
    ...people,
    field('Subject', t.subject),
    field('Body', t.body),
    field('TimeStamp', t.time, 'TimeStamp'),
    `<multiModelField name="Attachments" type="Attachment">${attachmentsXml(t.attachments).join('')}</multiModelField>`,
    '</model>',
  ].join('\n');
}

function messageXml(m: UfdrMessage): string {
  const attachments = attachmentsXml(m.attachments);
  return [
    `<model type="InstantMessage" id="${m.id ?? nextId()}" deleted_state="${state(m.deleted)}">`,
    field('Source', 'WhatsApp'),
    m.from
      ? `<modelField name="From" type="Party">${partyXml(m.from, 'From')}</modelField>`
      : '<modelField name="From" type="Party"><empty /></modelField>',
    `<multiModelField name="To" type="Party">${(m.to ?? []).map((p) => partyXml(p, 'To')).join('')}</multiModelField>`,
    field('Body', m.body),
    field('TimeStamp', m.time, 'TimeStamp'),
    `<multiModelField name="Attachments" type="Attachment">${attachments.join('')}</multiModelField>`,
    '</model>',
  ].join('\n');
}

function chatXml(c: UfdrChat): string {
  return [
    `<model type="Chat" id="${c.id ?? nextId()}" deleted_state="Intact">`,
    field('Source', c.source ?? 'WhatsApp'),
    field('Name', c.name),
    `<multiModelField name="Participants" type="Party">${c.participants.map((p) => partyXml(p)).join('')}</multiModelField>`,
    `<multiModelField name="Messages" type="InstantMessage">`,
    ...c.messages.map(messageXml),
    '</multiModelField>',
    '</model>',
  ].join('\n');
}

function callXml(c: UfdrCall): string {
  return [
    `<model type="Call" id="${nextId()}" deleted_state="${state(c.deleted)}">`,
    field('Source', 'Phone'),
    field('Type', c.type, 'CallType'),
    field('Direction', c.direction, 'CallDirection'),
    field('TimeStamp', c.time, 'TimeStamp'),
    field('Duration', c.duration, 'TimeSpan'),
    `<multiModelField name="Parties" type="Party">${c.parties.map((p) => partyXml(p)).join('')}</multiModelField>`,
    '</model>',
  ].join('\n');
}

function contactXml(c: UfdrContact): string {
  const entries = c.entries.map((e) =>
    [
      `<model type="${e.kind}" id="${nextId()}" deleted_state="Intact">`,
      field('Category', e.kind === 'PhoneNumber' ? 'Mobile' : 'Id'),
      field('Value', e.value),
      '</model>',
    ].join(''),
  );
  return [
    `<model type="Contact" id="${nextId()}" deleted_state="Intact">`,
    field('Name', c.name),
    `<multiModelField name="Entries" type="ContactEntry">${entries.join('')}</multiModelField>`,
    '</model>',
  ].join('\n');
}

/**
 * A report.xml as Cellebrite's UFED Physical Analyzer writes it: the project
 * root in its namespace, then decodedData with one modelType per kind.
 */
export function ufdrReportXml(report: UfdrReport): string {
  const types: string[] = [];
  const section = (type: string, models: string[]) => {
    if (models.length) types.push(`<modelType type="${type}">\n${models.join('\n')}\n</modelType>`);
  };
  section('Chat', (report.chats ?? []).map(chatXml));
  section('Call', (report.calls ?? []).map(callXml));
  section('Contact', (report.contacts ?? []).map(contactXml));
  for (const type of ['SMS', 'MMS', 'Email'] as const) {
    section(type, (report.texts ?? []).filter((t) => t.type === type).map(textXml));
  }
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<project id="fixture" name="fixture" reportVersion="5.2.0.0" containsGarbage="False" xmlns="${CELLEBRITE_NS}">`,
    '<sourceExtractions><extractionInfo id="0" name="Logical" type="Logical" /></sourceExtractions>',
    '<decodedData>',
    ...types,
    report.extra ?? '',
    '</decodedData>',
    '</project>',
    '',
  ].join('\n');
}

export function writeUfdrXml(
  dir: string,
  report: UfdrReport | string,
  name = 'report.xml',
): string {
  const path = join(dir, name);
  writeFileSync(path, typeof report === 'string' ? report : ufdrReportXml(report));
  return path;
}

/** A UFDR zip: report.xml and the files beside it, deflated unless `level` is 0. */
export function writeUfdrZip(
  dir: string,
  report: UfdrReport | string | Buffer,
  options: { files?: Record<string, string | Buffer>; name?: string; level?: 0 | 6 | 9 } = {},
): string {
  const text =
    typeof report === 'string' || Buffer.isBuffer(report) ? report : ufdrReportXml(report);
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(options.files ?? {})) entries[name] = Buffer.from(data);
  entries['report.xml'] = Buffer.from(text);
  const path = join(dir, options.name ?? 'extraction.ufdr');
  writeFileSync(path, zipSync(entries, { level: options.level ?? 6 }));
  return path;
}

/** Offsets of one entry's local and central headers in a zip without comments or ZIP64. */
function headers(zip: Buffer, name: string): { local: number; central: number } {
  const eocd = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  let at = zip.readUInt32LE(eocd + 16);
  while (zip.readUInt32LE(at) === 0x02014b50) {
    const length = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + length).toString('utf8') === name) {
      return { local: zip.readUInt32LE(at + 42), central: at };
    }
    at += 46 + length + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`no entry ${name}`);
}

/** Sets an entry's "encrypted" bit, as a password-protected archive would have it. */
export function markEncrypted(zip: Buffer, name: string): Buffer {
  const out = Buffer.from(zip);
  const { local, central } = headers(out, name);
  out.writeUInt16LE(out.readUInt16LE(local + 6) | 1, local + 6);
  out.writeUInt16LE(out.readUInt16LE(central + 8) | 1, central + 8);
  return out;
}

/** Rewrites the size an entry claims to unpack to, as a crafted bomb does. */
export function claimUncompressedSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const { local, central } = headers(out, name);
  out.writeUInt32LE(size, local + 22);
  out.writeUInt32LE(size, central + 24);
  return out;
}
