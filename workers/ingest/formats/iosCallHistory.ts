import { normaliseAddress } from '../addresses.js';
import { hasTables, type SqliteFormat, type SqliteSchema } from '../formats.js';
import type { CallRecord, IngestRecord } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';

const UTF8 = new TextDecoder('utf-8');

/**
 * 2001-01-01 in Unix ms. ZDATE is always in seconds, so it is converted here
 * rather than by fromAppleTime, whose guess by magnitude would read an absurd
 * seconds value as a plausible moment in nanoseconds.
 */
const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

function optional(schema: SqliteSchema, name: string): string {
  return schema.get('ZCALLRECORD')?.has(name) ? `"${name}"` : `NULL AS "${name}"`;
}

/** ZADDRESS is text in some iOS versions and a blob of the same UTF-8 in others. */
function addressText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return UTF8.decode(value);
  if (typeof value === 'number') return String(value);
  return null;
}

/**
 * iOS call history (CallHistory.storedata, a Core Data store): phone,
 * FaceTime and CallKit apps' calls in ZCALLRECORD, ZDATE in Apple seconds.
 */
export const iosCallHistory: SqliteFormat = {
  kind: 'sqlite',
  id: 'ios.callhistory',
  label: 'iOS call history (CallHistory.storedata)',

  matches(schema) {
    return hasTables(
      schema,
      'ZCALLRECORD.Z_PK',
      'ZCALLRECORD.ZADDRESS',
      'ZCALLRECORD.ZDATE',
      'ZCALLRECORD.ZORIGINATED',
    );
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    const total = (db.prepare('SELECT count(*) AS n FROM ZCALLRECORD').get() as { n: number }).n;
    const seen = new Set<string>();
    let done = 0;
    for (const r of db
      .prepare(
        `SELECT Z_PK, ZADDRESS, ZDATE, ZORIGINATED, ${optional(schema, 'ZDURATION')},
           ${optional(schema, 'ZANSWERED')}, ${optional(schema, 'ZNAME')}
         FROM ZCALLRECORD ORDER BY Z_PK`,
      )
      .iterate() as Iterable<{
      Z_PK: number;
      ZADDRESS: unknown;
      ZDATE: unknown;
      ZORIGINATED: unknown;
      ZDURATION: unknown;
      ZANSWERED: unknown;
      ZNAME: unknown;
    }>) {
      const source = { file, table: 'ZCALLRECORD', rowId: r.Z_PK };
      const raw = addressText(r.ZADDRESS)?.trim() || null;
      let participantKey: string | null = null;
      if (raw) {
        const address = normaliseAddress(raw, ctx.region);
        participantKey = `p:${address.identifier}`;
        if (!seen.has(participantKey)) {
          seen.add(participantKey);
          const name = typeof r.ZNAME === 'string' && r.ZNAME.trim() ? r.ZNAME : null;
          yield { type: 'participant', key: participantKey, raw, name, source, ...address };
        }
      }

      // Not yet: a declined call is not told from a missed one (ZDISCONNECTED_CAUSE is unread).
      const direction: CallRecord['direction'] =
        r.ZORIGINATED === 1
          ? 'outgoing'
          : r.ZANSWERED === 1
            ? 'incoming'
            : r.ZORIGINATED === 0
              ? 'missed'
              : 'unknown';
      // ZDURATION is fractional seconds; the store keeps whole ones.
      const duration =
        typeof r.ZDURATION === 'number' && Number.isFinite(r.ZDURATION) && r.ZDURATION >= 0
          ? Math.round(r.ZDURATION)
          : null;
      yield {
        type: 'call',
        key: `call:${r.Z_PK}`,
        participantKey,
        direction,
        startedAt:
          typeof r.ZDATE === 'number' && r.ZDATE !== 0
            ? fromUnixMs(APPLE_EPOCH_MS + r.ZDATE * 1000)
            : null,
        durationSeconds: duration,
        deleted: false,
        source,
      } satisfies IngestRecord;
      ctx.progress((done += 1), total);
    }
  },
};
