import { existsSync } from 'node:fs';

import type { Command } from 'commander';

import { REFUSED, fetchModel } from '../../../models/modelFetch.js';
import { importModels, listModels, verifyModels } from '../../../models/modelStore.js';
import { ToexError, isToexError } from '../../errors.js';
import { workstationPaths } from '../../workstation/Workstation.js';
import type { Wrap } from '../action.js';
import type { CliContext } from '../context.js';
import { forTerminal } from '../format.js';
import { EXIT } from '../exitCodes.js';
import { progressSink } from '../progressBar.js';

function modelCount(n: number): string {
  return n === 1 ? '1 model' : `${n} models`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Models are public weights, so no passphrase is asked for; but they go into
 * the data folder, which only `toex init` creates. For the same reason an
 * import or fetch is not in the workstation's audit log, which opens only with
 * the passphrase: the models log records it, and every transcript records the
 * id and sha256 of the model that made it.
 */
function requireWorkstation(ctx: CliContext): void {
  if (!existsSync(workstationPaths(ctx.home).keyring)) {
    throw new ToexError('not-found', `no workstation in ${ctx.home}: run \`toex init\` first`);
  }
}

async function withProgress<T>(
  ctx: CliContext,
  title: string,
  fn: (update: (done: number, total: number, label?: string) => void) => Promise<T>,
): Promise<T> {
  const sink = progressSink({ json: ctx.json, title });
  try {
    // Labels are file names from a USB stick: escaped like every other name shown.
    return await fn((done, total, label) =>
      sink.update(done, total, label === undefined ? undefined : forTerminal(label)),
    );
  } finally {
    sink.stop();
  }
}

export function registerModelCommands(program: Command, action: Wrap): void {
  const models = program
    .command('models')
    .description('the Whisper model catalogue: list, fetch, import and verify model files');

  models
    .command('list')
    .description(
      'every model in the manifest, with its size, languages and whether it is installed',
    )
    .action(
      action(async (ctx) => {
        const list = listModels(ctx.home);
        ctx.print(list, () => [
          `${'model'.padEnd(24)}${'size'.padStart(11)}  ${'languages'.padEnd(13)}installed`,
          ...list.map(
            (m) =>
              `${m.id.padEnd(24)}${mebibytes(m.size).padStart(11)}  ${m.languages.join(', ').padEnd(13)}${m.installed ? 'yes' : 'no'}`,
          ),
        ]);
      }),
    );

  models
    .command('import')
    .description('copy model files in from a file or a folder (USB), verifying each by sha256')
    .argument('<path>', 'a model file, or a folder holding model files')
    .action(
      action(async (ctx, source: string) => {
        requireWorkstation(ctx);
        const outcomes = await withProgress(ctx, 'import', (update) =>
          importModels(ctx.home, source, update),
        );
        const refused = outcomes.filter((o) => o.state === 'refused').length;
        ctx.print(outcomes, () => [
          ...outcomes.map((o) =>
            o.state === 'imported'
              ? `imported ${o.file} as ${o.id} (sha256 matches the manifest)`
              : `refused ${o.file}: ${o.reason}; not imported`,
          ),
          `${outcomes.length - refused} imported, ${refused} refused.`,
        ]);
        ctx.exitCode = refused > 0 ? EXIT.verifyFailed : EXIT.ok;
      }),
    );

  models
    .command('fetch')
    .description('download a model over https, resumably, and install it once its sha256 matches')
    .argument('<id>', 'a model id from `toex models list`')
    .option('--from <base-url>', 'a mirror holding the model files under their own names')
    .action(
      action(async (ctx, id: string, opts: { from?: string }) => {
        requireWorkstation(ctx);
        try {
          const result = await withProgress(ctx, `fetch ${id}`, (update) =>
            fetchModel(ctx.home, id, { from: opts.from, onProgress: update }),
          );
          ctx.print(result, () =>
            result.alreadyInstalled
              ? `${result.id} is already installed and its sha256 matches the manifest.`
              : `Fetched ${result.id} (${result.file}) from ${result.from}${result.resumedAt ? `, resumed at byte ${result.resumedAt}` : ''}; sha256 matches the manifest.`,
          );
        } catch (err) {
          if (!isToexError(err) || err.code !== REFUSED) throw err;
          process.stderr.write(`toex: ${err.message}\n`);
          ctx.exitCode = EXIT.verifyFailed;
        }
      }),
    );

  models
    .command('verify')
    .description('re-hash installed model files against the manifest (exit 7 if any fails)')
    .argument('[id]', 'only this model, which then must be installed')
    .action(
      action(async (ctx, id: string | undefined) => {
        const outcomes = await verifyModels(ctx.home, id);
        const failed = outcomes.filter((o) => o.state !== 'ok').length;
        ctx.print(outcomes, () =>
          outcomes.length === 0
            ? 'No models installed.'
            : [
                ...outcomes.map(
                  (o) =>
                    `${o.state === 'ok' ? 'ok' : o.state.toUpperCase()}  ${o.id}  ${o.file}${o.detail ? `  (${o.detail})` : ''}`,
                ),
                failed
                  ? `${failed} of ${modelCount(outcomes.length)} FAILED verification.`
                  : `${modelCount(outcomes.length)} verified.`,
              ],
        );
        ctx.exitCode = failed > 0 ? EXIT.verifyFailed : EXIT.ok;
      }),
    );
}
