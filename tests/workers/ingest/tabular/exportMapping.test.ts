import { describe, expect, it } from 'vitest';

import { BUILTIN_MAPPINGS } from '../../../../workers/ingest/mappings/builtinMappings.js';
import { columnsUsed, parseMapping } from '../../../../workers/ingest/tabular/exportMapping.js';
import { customMapping } from '../../../helpers/tabularExport.js';

const text = (m: unknown) => JSON.stringify(m);
const fields = (f: Record<string, unknown>) => customMapping({ fields: f });

describe('exportMapping', () => {
  it('reads a full mapping with its defaults filled in', () => {
    const m = parseMapping(text(customMapping()));
    expect(m.file).toEqual({
      type: 'csv',
      delimiter: ',',
      quote: '"',
      encoding: 'auto',
      headerRow: 1,
      trim: false,
    });
    expect(m.fields.sender).toEqual({ column: 'Party' });
    expect(m.fields.time).toEqual({
      column: 'When',
      format: 'dd/MM/yyyy HH:mm:ss',
      offset: null,
      zone: 'Europe/Bucharest',
    });
    expect(m.fields.attachmentName).toEqual({ columns: ['File'], separator: ';' });
    expect(columnsUsed(m)).toEqual([
      'Chat',
      'Party',
      'Name',
      'Dir',
      'When',
      'Text',
      'App',
      'Del',
      'File',
    ]);
  });

  it('reads a JSON mapping with a pointer to its records and an offset', () => {
    const m = parseMapping(
      text({
        mapping: 1,
        name: 'j',
        record: 'message',
        file: { type: 'json', records: '/data/messages' },
        fields: { body: 'text', time: { column: '/meta/ts', format: 'iso8601', offset: '+05:30' } },
      }),
    );
    expect(m.file).toEqual({ type: 'json', records: '/data/messages' });
    expect(m.fields.time?.offset).toBe(330);
    expect(m.label).toBe('j');
  });

  it.each([
    ['not JSON', '{', /^mapping is not JSON: /],
    ['no object', '[]', 'mapping the mapping: must be an object'],
    [
      'a wrong version',
      text({ ...customMapping(), mapping: 2 }),
      'mapping mapping: must be 1 (the version of this format)',
    ],
    [
      'an unknown top key',
      text({ ...customMapping(), extra: 1 }),
      /^mapping extra: is not a known key/,
    ],
    [
      'a bad name',
      text(customMapping({ name: 'My Export' })),
      'mapping name: must be lower-case letters, digits and dashes, at most 64',
    ],
    [
      'an unknown record kind',
      text(customMapping({ record: 'email' })),
      'mapping record: must be one of message, call, contact',
    ],
    [
      'an unknown file type',
      text(customMapping({ file: { type: 'xlsx' } })),
      'mapping file.type: must be one of csv, json',
    ],
    [
      'a two-letter delimiter',
      text(customMapping({ file: { type: 'csv', delimiter: ';;' } })),
      'mapping file.delimiter: must be one ASCII character (use "\\t" for a tab)',
    ],
    [
      'a quote equal to the delimiter',
      text(customMapping({ file: { type: 'csv', delimiter: ';', quote: ';' } })),
      'mapping file.quote: must differ from the delimiter',
    ],
    [
      'an unknown encoding',
      text(customMapping({ file: { type: 'csv', encoding: 'latin9' } })),
      'mapping file.encoding: must be one of auto, utf-8, utf-16le, utf-16be, windows-1252',
    ],
    [
      'a header row of 0',
      text(customMapping({ file: { type: 'csv', headerRow: 0 } })),
      'mapping file.headerRow: must be a whole number from 1 to 1000',
    ],
    [
      'a records path without a slash',
      text(customMapping({ file: { type: 'json', records: 'messages' } })),
      'mapping file.records: must be a JSON Pointer such as "/messages", or "" for the whole file',
    ],
    [
      'a field of another record kind',
      text(fields({ body: 'Text', duration: { column: 'D', format: 'seconds' } })),
      /^mapping fields.duration: is not a known key \(known: thread, /,
    ],
    [
      'a misspelt field',
      text(fields({ body: 'Text', sendr: 'From' })),
      /^mapping fields.sendr: is not a known key/,
    ],
    [
      'an empty column name',
      text(fields({ body: '' })),
      'mapping fields.body: must be a non-empty string',
    ],
    [
      'a direction value outside the model',
      text(fields({ body: 'T', direction: { column: 'D', values: { In: 'inbound' } } })),
      'mapping fields.direction.values.In: must be one of incoming, outgoing, unknown',
    ],
    [
      'a direction without values',
      text(fields({ body: 'T', direction: { column: 'D' } })),
      'mapping fields.direction.values: must be a non-empty object',
    ],
    [
      'a deleted value that is text',
      text(fields({ body: 'T', deleted: { column: 'X', values: { Yes: 'yes' } } })),
      'mapping fields.deleted.values.Yes: must be true or false',
    ],
    [
      'an unknown service',
      text(fields({ body: 'T', service: { default: 'viber' } })),
      'mapping fields.service.default: must be one of sms, mms, imessage, whatsapp, telegram, signal, call, other',
    ],
    [
      'service values without a column',
      text(fields({ body: 'T', service: { values: { S: 'sms' } } })),
      'mapping fields.service.values: needs a column',
    ],
    [
      'a time pattern with an unknown letter',
      text(fields({ body: 'T', time: { column: 'W', format: 'dd/MM/yyyy HH:mm:ss zzz' } })),
      'mapping fields.time.format: has "z", which is no token (quote letters meant literally: \'T\')',
    ],
    [
      'a time pattern with no day',
      text(fields({ body: 'T', time: { column: 'W', format: 'MM/yyyy' } })),
      'mapping fields.time.format: needs a year, a month and a day',
    ],
    [
      'a 12-hour pattern without AM/PM',
      text(fields({ body: 'T', time: { column: 'W', format: 'dd/MM/yyyy hh:mm' } })),
      'mapping fields.time.format: uses hh or h with a (AM/PM), and neither without it',
    ],
    [
      'a bad offset',
      text(fields({ body: 'T', time: { column: 'W', format: 'iso8601', offset: '+25:00' } })),
      'mapping fields.time.offset: must be an offset such as "+02:00" or "Z"',
    ],
    [
      'an unknown zone',
      text(fields({ body: 'T', time: { column: 'W', format: 'iso8601', zone: 'Mars/Olympus' } })),
      'mapping fields.time.zone: "Mars/Olympus" is not a time zone this system knows',
    ],
    [
      'both an offset and a zone',
      text(
        fields({ body: 'T', time: { column: 'W', format: 'iso8601', offset: 'Z', zone: 'UTC' } }),
      ),
      'mapping fields.time: takes offset or zone, not both',
    ],
    [
      'recipients with column and columns',
      text(fields({ body: 'T', recipients: { column: 'A', columns: ['B'] } })),
      'mapping fields.recipients: needs exactly one of column or columns',
    ],
    [
      'a message mapping with no body or time',
      text(fields({ sender: 'From' })),
      'mapping fields: a message mapping needs at least one of body, time',
    ],
    [
      'a header missing a mapped column',
      text(customMapping({ header: ['Chat', 'Text'] })),
      'mapping header: does not hold the mapped column "Party"',
    ],
    [
      'a header on a JSON mapping',
      text(customMapping({ file: { type: 'json' }, header: ['x'] })),
      'mapping header: is for CSV mappings only',
    ],
  ])('refuses %s with one line naming the field', (_, source, message) => {
    let error: Error | undefined;
    try {
      parseMapping(source);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toMatchObject({ kind: 'bad-input' });
    expect(error!.message).not.toContain('\n');
    if (typeof message === 'string') expect(error!.message).toBe(message);
    else expect(error!.message).toMatch(message);
  });

  it('names the file the mapping came from', () => {
    expect(() => parseMapping('{"mapping":1}', 'mapping ./xry.json')).toThrow(
      /^mapping \.\/xry\.json name: must be a non-empty string$/,
    );
  });

  it('ships the XRY, Oxygen and generic layouts, each with its header', () => {
    expect([...BUILTIN_MAPPINGS.keys()]).toEqual([
      'xry-messages',
      'oxygen-messages',
      'generic-messages',
    ]);
    for (const { mapping, sha256, json } of BUILTIN_MAPPINGS.values()) {
      expect(mapping.header!.length).toBeGreaterThan(5);
      expect(sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(parseMapping(json)).toEqual(mapping);
    }
    expect(BUILTIN_MAPPINGS.get('xry-messages')!.mapping.file).toMatchObject({ delimiter: '\t' });
  });
});
