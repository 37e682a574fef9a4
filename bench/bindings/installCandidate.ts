import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { type Candidate } from './candidates.js';

export type Installed =
  { ok: true; dir: string; seconds: number; reused: boolean } | { ok: false; reason: string };

/**
 * The environment bin/setup gives npm, plus a git ceiling: one candidate's
 * install script runs `git submodule update`, which would otherwise act on
 * this checkout's own repository.
 */
function npmEnv(root: string): NodeJS.ProcessEnv {
  const nodeDir = dirname(dirname(process.execPath));
  return {
    ...process.env,
    ...(existsSync(join(nodeDir, 'include', 'node', 'node.h'))
      ? { npm_config_nodedir: nodeDir }
      : {}),
    ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    GIT_CEILING_DIRECTORIES: root,
  };
}

/** The line of a log that says what went wrong, else its last line. */
function reasonIn(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const telling =
    lines.find((l) => /fatal:|ENOTFOUND|GLIBC|not found|No such file/.test(l)) ??
    lines.find((l) => /^npm error command sh -c/.test(l)) ??
    lines.find((l) => /error/i.test(l)) ??
    lines[lines.length - 1] ??
    'no output';
  return telling.replace(/^npm error\s*/, '').slice(0, 140);
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): boolean {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  writeFileSync(logFile, `${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ?? ''}`, {
    flag: 'a',
  });
  return result.status === 0;
}

/**
 * Installs one candidate from the npm registry into <root>/<id>, with its
 * install scripts as a user would get them, then runs its build step if it
 * has one. A folder that installed before is reused (`--reinstall` clears
 * them). Failures come back with the telling line of the log; the log stays
 * in the folder as install.log.
 */
export function installCandidate(root: string, candidate: Candidate, fresh: boolean): Installed {
  const dir = join(root, candidate.id);
  const stamp = join(dir, '.installed');
  const spec = `${candidate.name}@${candidate.version}`;
  if (!fresh && existsSync(stamp) && readFileSync(stamp, 'utf8') === spec) {
    return { ok: true, dir, seconds: 0, reused: true };
  }

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const log = join(dir, 'install.log');
  const env = npmEnv(root);
  const started = process.hrtime.bigint();
  const npmArgs = ['install', '--no-audit', '--no-fund', '--foreground-scripts', spec];
  if (!run('npm', npmArgs, dir, env, log)) {
    return { ok: false, reason: `npm install failed: ${reasonIn(readFileSync(log, 'utf8'))}` };
  }

  const build = candidate.build;
  if (build) {
    const cwd = join(dir, 'node_modules', candidate.name, build.cwd);
    run(build.command, build.args, cwd, env, log);
    if (!existsSync(join(cwd, build.produces))) {
      return { ok: false, reason: `build failed: ${reasonIn(readFileSync(log, 'utf8'))}` };
    }
  }

  writeFileSync(stamp, spec);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ok: true, dir, seconds, reused: false };
}
