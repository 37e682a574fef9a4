import { columnsOf, type TranslationTable } from './TranslationTable.js';

/**
 * A cell as RFC 4180 quotes it. A cell a spreadsheet would run as a formula
 * (=, +, -, @, or a tab or carriage return first) gets a leading apostrophe:
 * message text from a suspect's phone must never execute when the export is
 * opened.
 */
function cell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The table as CSV (UTF-8 with a BOM, CRLF). Each row says in its Status
 * column that it is machine translation (or who reviewed it): a notice above
 * the header would break the table for any reader that takes line one as it.
 */
export function renderTranslationCsv(table: TranslationTable): Buffer {
  const columns = columnsOf(table);
  const lines = [
    columns.map(([name]) => cell(name)).join(','),
    ...table.rows.map((r) => columns.map(([, get]) => cell(get(r))).join(',')),
  ];
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}
