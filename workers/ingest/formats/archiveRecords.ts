import type { IngestRecord, ProblemRecord } from '../records.js';

/**
 * A record read from one file inside an archive, made the archive's own: its
 * key and every key it refers to are prefixed with the file's path, so two
 * databases' `thread:1` stay apart, and its pointer names the inner file.
 */
export function rekey(record: IngestRecord, file: string): IngestRecord {
  const k = (key: string) => `${file}#${key}`;
  const source = { ...record.source, file };
  switch (record.type) {
    case 'thread':
      return {
        ...record,
        key: k(record.key),
        participantKeys: record.participantKeys.map(k),
        source,
      };
    case 'message':
      return {
        ...record,
        key: k(record.key),
        threadKey: k(record.threadKey),
        senderKey: record.senderKey === null ? null : k(record.senderKey),
        ...(record.quote
          ? {
              quote: {
                ...record.quote,
                key: record.quote.key === null ? null : k(record.quote.key),
              },
            }
          : {}),
        source,
      };
    case 'call':
      return {
        ...record,
        key: k(record.key),
        participantKey: record.participantKey === null ? null : k(record.participantKey),
        source,
      };
    default:
      return { ...record, key: k(record.key), source };
  }
}

/** A line of the ingest report about one inner file that could not be read, or not wholly. */
export function problem(file: string, key: string, message: string): ProblemRecord {
  return { type: 'problem', key: `${file}#${key}`, message, source: { file } };
}

/** A line of the ingest report saying what was found or read in one inner file. */
export function note(file: string, key: string, message: string): ProblemRecord {
  return { ...problem(file, key, message), note: true };
}

/** "12 messages, 3 threads" from counts by record type, problems left out. */
export function describeCounts(counts: Map<string, number>): string {
  const parts = [...counts]
    .filter(([type]) => type !== 'problem')
    .map(([type, n]) => `${n} ${n === 1 ? type : `${type}s`}`);
  const problems = counts.get('problem') ?? 0;
  if (problems) parts.push(`${problems} ${problems === 1 ? 'problem' : 'problems'}`);
  return parts.length ? parts.join(', ') : 'no records';
}
