import { createReadStream } from 'node:fs';

import type { CsvFile } from './exportMapping.js';
import { CsvSplitter, sniffEncoding, type CsvRow } from './csvSplitter.js';

/** A record that could not be read as one, and where it began. */
export interface CsvFault {
  line: number;
  problem: string;
}

/**
 * More unclosed quotes than an export has: each one costs a read to the end
 * of the file, so past this many the rest of the file is given up, reported.
 */
const MAX_REREADS = 100;

/**
 * Streams a CSV file's records in order. A quote still open at the end of the
 * file spoils only the record it opened: that record is reported, and reading
 * starts again on the line after the one the quote was on.
 */
export async function* readCsv(
  path: string,
  head: Buffer,
  file: CsvFile,
  signal: AbortSignal,
): AsyncGenerator<CsvRow | CsvFault> {
  const { encoding, bom } = sniffEncoding(head, file.encoding);
  let start = bom;
  let line = 1;
  for (let rereads = 0; ; rereads += 1) {
    const splitter = new CsvSplitter(file, encoding, start, line);
    for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      yield* splitter.push(chunk);
    }
    const { rows, open } = splitter.end();
    yield* rows;
    if (!open) return;

    yield { line: open.line, problem: 'a quoted field is never closed; the record is skipped' };
    if (open.resumeAt === null) return;
    if (rereads === MAX_REREADS) {
      yield {
        line: open.line + 1,
        problem: `more than ${MAX_REREADS} unclosed quotes; the rest of the file is not read`,
      };
      return;
    }
    start = open.resumeAt;
    line = open.line + 1;
  }
}
