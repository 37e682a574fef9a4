import { createHash } from 'node:crypto';

import { parseMapping, type ExportMapping } from '../tabular/exportMapping.js';

/**
 * The mappings TOEX ships, as the JSON a user would write. A CSV whose header
 * row is exactly one of these headers is read without --mapping.
 *
 * The XRY and Oxygen layouts are NOT taken from either vendor's documentation:
 * no public description of their CSV column names was found, so these are
 * the message-export columns as they are commonly described, and must be
 * checked against a real export before they are relied on. A header that
 * differs in any column simply matches nothing, and the file is refused
 * until a --mapping is given for it.
 */
const SOURCES: Record<string, object> = {
  // Not yet: checked against a real MSAB XRY export; the column names and time style are
  // unverified.
  'xry-messages': {
    mapping: 1,
    name: 'xry-messages',
    label: 'MSAB XRY messages export (tab-separated text; layout unverified)',
    record: 'message',
    file: { type: 'csv', delimiter: '\t', encoding: 'auto' },
    header: [
      '#',
      'Type',
      'Direction',
      'From',
      'From Name',
      'To',
      'Time',
      'Text',
      'Application',
      'Deleted',
      'Attachment',
    ],
    fields: {
      sender: 'From',
      senderName: 'From Name',
      recipients: { column: 'To', separator: ';' },
      direction: {
        column: 'Direction',
        values: {
          Incoming: 'incoming',
          Outgoing: 'outgoing',
          Received: 'incoming',
          Sent: 'outgoing',
        },
      },
      time: { column: 'Time', format: 'dd/MM/yyyy HH:mm:ss' },
      body: 'Text',
      service: {
        column: 'Application',
        values: {
          SMS: 'sms',
          MMS: 'mms',
          iMessage: 'imessage',
          WhatsApp: 'whatsapp',
          Telegram: 'telegram',
          Signal: 'signal',
        },
        default: 'other',
      },
      deleted: { column: 'Deleted', values: { Yes: true, No: false } },
      attachmentName: { column: 'Attachment', separator: ';' },
    },
  },
  // Not yet: checked against a real Oxygen Forensic Detective export; the column names and time
  // style are unverified.
  'oxygen-messages': {
    mapping: 1,
    name: 'oxygen-messages',
    label: 'Oxygen Forensic Detective messages export (CSV; layout unverified)',
    record: 'message',
    file: { type: 'csv', delimiter: ',', encoding: 'auto' },
    header: [
      'Source',
      'Type',
      'Direction',
      'Timestamp',
      'Remote party',
      'Remote party name',
      'Text',
      'Status',
      'Deleted',
      'Attachments',
    ],
    fields: {
      sender: 'Remote party',
      senderName: 'Remote party name',
      direction: { column: 'Direction', values: { Incoming: 'incoming', Outgoing: 'outgoing' } },
      time: { column: 'Timestamp', format: 'dd.MM.yyyy HH:mm:ss' },
      body: 'Text',
      service: {
        column: 'Source',
        values: {
          SMS: 'sms',
          MMS: 'mms',
          iMessage: 'imessage',
          WhatsApp: 'whatsapp',
          Telegram: 'telegram',
          Signal: 'signal',
        },
        default: 'other',
      },
      deleted: { column: 'Deleted', values: { Yes: true, No: false } },
      attachmentName: { column: 'Attachments', separator: ';' },
    },
  },
  // The layout a user can shape any tool's export into (documented in the README).
  'generic-messages': {
    mapping: 1,
    name: 'generic-messages',
    label: 'Messages CSV in the generic TOEX layout',
    record: 'message',
    file: { type: 'csv', delimiter: ',', encoding: 'auto' },
    header: [
      'thread',
      'sender',
      'sender_name',
      'recipients',
      'direction',
      'time',
      'body',
      'service',
      'deleted',
      'attachment',
    ],
    fields: {
      thread: 'thread',
      sender: 'sender',
      senderName: 'sender_name',
      recipients: { column: 'recipients', separator: ';' },
      direction: {
        column: 'direction',
        values: { incoming: 'incoming', outgoing: 'outgoing', in: 'incoming', out: 'outgoing' },
      },
      time: { column: 'time', format: 'iso8601' },
      body: 'body',
      service: {
        column: 'service',
        values: {
          sms: 'sms',
          mms: 'mms',
          imessage: 'imessage',
          whatsapp: 'whatsapp',
          telegram: 'telegram',
          signal: 'signal',
          other: 'other',
        },
        default: 'other',
      },
      deleted: {
        column: 'deleted',
        values: { true: true, false: false, '1': true, '0': false, yes: true, no: false },
      },
      attachmentName: { column: 'attachment', separator: ';' },
    },
  },
};

/** A mapping with its text, as a job keeps it, and that text's SHA-256 for the audit log. */
export interface MappingSource {
  mapping: ExportMapping;
  json: string;
  sha256: string;
}

export function mappingSource(json: string, origin?: string): MappingSource {
  return {
    mapping: parseMapping(json, origin),
    json,
    sha256: createHash('sha256').update(json).digest('hex'),
  };
}

export const BUILTIN_MAPPINGS: ReadonlyMap<string, MappingSource> = new Map(
  Object.entries(SOURCES).map(([name, m]) => [
    name,
    mappingSource(JSON.stringify(m, null, 2), `built-in mapping ${name}`),
  ]),
);
