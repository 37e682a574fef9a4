import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = ['main', 'workers', 'bin'].flatMap(sources);
const importsOf = (file: string) =>
  [
    ...readFileSync(join(root, file), 'utf8').matchAll(
      /^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1]!);

describe('layering', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('keeps electron out of everything but main/electron', () => {
    const offenders = files.filter(
      (f) =>
        !f.startsWith(join('main', 'electron')) &&
        importsOf(f).some((i) => i === 'electron' || i.startsWith('electron/')),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps workers away from keys: no worker imports the store, the workstation or cases', () => {
    const offenders = files
      .filter((f) => f.startsWith('workers'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => /main\/(store|workstation|cases)\//.test(i))
          .map((i) => `${f}: ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('writes to the console nowhere: output goes through the CLI or the log', () => {
    const offenders = files.filter((f) =>
      /\bconsole\.(log|error|warn|info|debug)\(/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(offenders.map((f) => relative(root, join(root, f)))).toEqual([]);
  });
});
