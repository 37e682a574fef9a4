import { spawnSync } from 'node:child_process';

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

/** Every folder of code: the processes' sources, the window, the tests and the benchmarks. */
const CHECKED = ['main', 'workers', 'bin', 'tests', 'bench', 'models', 'renderer'];

describe('lint', () => {
  /** What tsc says of one project: nothing, when every file in it type-checks. */
  function typeCheck(project: string): { output: string; status: number | null } {
    const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], {
      cwd: root,
      encoding: 'utf8',
    });
    return { output: tsc.stdout + tsc.stderr, status: tsc.status };
  }

  it('type-checks the sources together with the tests and benchmarks', () => {
    expect(typeCheck('tsconfig.test.json')).toEqual({ output: '', status: 0 });
  });

  it('type-checks the window against the DOM, apart from Node', () => {
    expect(typeCheck('renderer/tsconfig.json')).toEqual({ output: '', status: 0 });
  });

  it('finds every file formatted as Prettier would (width 100)', () => {
    const prettier = spawnSync(
      process.execPath,
      ['node_modules/prettier/bin/prettier.cjs', '--list-different', ...CHECKED],
      { cwd: root, encoding: 'utf8' },
    );
    expect(prettier.stdout.trim().split('\n').filter(Boolean)).toEqual([]);
  });

  it('finds nothing to report in the sources, tests and benchmarks', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(CHECKED);
    const problems = results.flatMap((r) =>
      r.messages.map(
        (m) => `${r.filePath.split('/main/').at(-1)}:${m.line} ${m.ruleId}: ${m.message}`,
      ),
    );
    expect(results.length).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });
});
