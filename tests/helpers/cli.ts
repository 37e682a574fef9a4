import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const TOEX = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'toex.js');
export const CLI_PASSPHRASE = 'correct horse battery staple';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** A command that runs toex, such as setpriv dropping capabilities. */
  prefix?: string[];
}

/** Starts the built `toex` as a user would, with its own data folder. */
export function startToex(
  home: string,
  args: string[],
  options: CliOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const [command, ...before] = [...(options.prefix ?? []), process.execPath];
  const child = spawn(command!, [...before, TOEX, ...args], {
    env: {
      PATH: process.env.PATH,
      TOEX_HOME: home,
      TOEX_PASSPHRASE: CLI_PASSPHRASE,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function toex(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startToex(home, args, options).done;
}

/** The steps that make a workstation and one case, with `files` added to it as evidence. */
export function newCaseSteps(reference: string, files: string[]): string[][] {
  return [
    ['init', '--operator', 'DC Test 0001'],
    [
      'case',
      'create',
      '--reference',
      reference,
      '--title',
      'T',
      '--owner',
      'O',
      '--classification',
      'OFFICIAL',
    ],
    ['evidence', 'add', reference, ...files],
  ];
}

/** Runs each step as a user would; the first that fails throws with what it printed. */
export async function toexSteps(home: string, steps: string[][]): Promise<void> {
  for (const args of steps) {
    const run = await toex(home, args);
    if (run.code !== 0) {
      throw new Error(`toex ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    }
  }
}
