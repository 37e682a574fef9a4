import { showControls } from '../visibleText.js';

/**
 * One line of output made safe for a terminal: file names and titles come
 * from suspects' devices, and a name holding escape codes must not recolour,
 * retitle or rewrite the examiner's screen.
 */
export function forTerminal(line: string): string {
  return showControls(line);
}

// Characters a terminal draws two columns wide: East Asian scripts and full-width forms.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/** The columns a terminal gives a line: wide characters two, combining marks none. */
export function displayWidth(line: string): number {
  let width = 0;
  for (const ch of line) width += WIDE.test(ch) ? 2 : /\p{M}/u.test(ch) ? 0 : 1;
  return width;
}

/** Lays rows out in columns for the terminal; the first row is the header. */
export function table(given: string[][]): string[] {
  if (given.length === 0) return [];
  // Escaped before measuring, so a name holding control characters keeps its column.
  const rows = given.map((r) => r.map(forTerminal));
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => displayWidth(r[col] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, col) =>
        col === r.length - 1 ? cell : cell + ' '.repeat(widths[col]! - displayWidth(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/** "1 thread", "2 threads": a count with its noun, plural unless one. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
