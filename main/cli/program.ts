import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { Command, CommanderError } from 'commander';

import { ToexError, toToexError } from '../errors.js';
import { installRoot } from '../installRoot.js';
import { configureLogging, getLogger } from '../log/log.js';
import { registerAuditCommands } from './commands/auditCommands.js';
import { registerCaseCommands } from './commands/caseCommands.js';
import { registerEvidenceCommands } from './commands/evidenceCommands.js';
import { registerIngestCommands } from './commands/ingestCommands.js';
import { registerJobCommands } from './commands/jobCommands.js';
import { registerLanguageCommands } from './commands/languageCommands.js';
import { registerTranslateCommands } from './commands/translateCommands.js';
import { registerModelCommands } from './commands/modelCommands.js';
import { registerServeCommands } from './commands/serveCommands.js';
import { registerTranscribeCommands } from './commands/transcribeCommands.js';
import { registerTranscriptCommands } from './commands/transcriptCommands.js';
import { registerWorkstationCommands } from './commands/workstationCommands.js';
import type { CommandBody, Wrap } from './action.js';
import { CliContext, type GlobalOptions } from './context.js';
import { EXIT, exitCodeFor } from './exitCodes.js';

const log = getLogger('cli');

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(installRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function report(err: unknown, debug: boolean): number {
  const known = toToexError(err);
  process.stderr.write(`toex: ${known.message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  log.error({ kind: known.kind, code: known.code }, 'command failed');
  return exitCodeFor(known.kind);
}

/**
 * Opens the log in the data folder. A mistyped --home is not created just to
 * hold a log (only `init` makes a data folder), and a log that cannot be
 * written is said once and done without: it records operations, not evidence.
 */
function startLog(home: string, command: string, debug: boolean): void {
  // `init` makes the data folder, and so may `serve` (through the window's set-up).
  if (command !== 'init' && command !== 'serve' && !existsSync(home)) return;
  try {
    configureLogging({ dir: join(home, 'logs'), level: debug ? 'debug' : 'info' });
  } catch (err) {
    process.stderr.write(`toex: warning: no log this time (${toToexError(err).message})\n`);
  }
}

/** Runs the `toex` command line and resolves to the process's exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('toex')
    .description('TOEX Workstation: encrypted cases, evidence intake, audit and jobs')
    .version(version())
    .option('--json', 'machine-readable output (and JSON progress lines on stderr)')
    .option('--debug', 'show stack traces and log at debug level')
    .option('--home <dir>', 'data folder (default: TOEX_HOME, else ~/.local/share/toex)')
    .option(
      '--passphrase-file <file>',
      'read the passphrase from a file (else TOEX_PASSPHRASE or a prompt)',
    )
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `toex: ${s.slice(7)}` : s),
    });

  const wrap: Wrap =
    (body: CommandBody) =>
    async (...args) => {
      const options = program.opts<GlobalOptions>();
      const ctx = new CliContext(options);
      const command = (args.at(-1) as Command).name();
      const started = Date.now();
      try {
        if (existsSync(ctx.home) && !statSync(ctx.home).isDirectory()) {
          throw new ToexError('storage', `the data folder ${ctx.home} is a file, not a folder`);
        }
        startLog(ctx.home, command, options.debug === true);
        await body(ctx, ...args.slice(0, -1));
        exitCode = ctx.exitCode;
      } catch (err) {
        exitCode = report(err, options.debug === true);
      }
      log.info({ command, exitCode, ms: Date.now() - started }, 'command finished');
    };

  registerWorkstationCommands(program, wrap);
  registerCaseCommands(program, wrap);
  registerEvidenceCommands(program, wrap);
  registerJobCommands(program, wrap);
  registerIngestCommands(program, wrap);
  registerLanguageCommands(program, wrap);
  registerTranslateCommands(program, wrap);
  registerTranscribeCommands(program, wrap);
  registerTranscriptCommands(program, wrap);
  registerModelCommands(program, wrap);
  registerAuditCommands(program, wrap);
  registerServeCommands(program, wrap);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
        ? EXIT.ok
        : EXIT.usage;
    }
    return report(err, argv.includes('--debug'));
  }
  return exitCode;
}
