import type { Command } from 'commander';

import type { AuditEntry, AuditLog, AuditVerification } from '../../audit/AuditLog.js';
import { ToexError } from '../../errors.js';
import type { Wrap } from '../action.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exitCodes.js';

function entryLine(e: AuditEntry): string {
  const details = Object.keys(e.details).length ? `  ${JSON.stringify(e.details)}` : '';
  return `${String(e.seq).padStart(5)}  ${e.at}  ${e.action}  ${e.subject ?? '-'}  ${e.actor}${details}`;
}

/** Runs `fn` on the workstation's own audit log, or on a case's with its anchor. */
function onLog<T>(
  ctx: CliContext,
  ref: string | undefined,
  workstation: boolean,
  fn: (log: AuditLog, anchor?: { seq: number; hash: string }) => T,
): Promise<T> {
  if (workstation === (ref !== undefined)) {
    return Promise.reject(
      new ToexError(
        'bad-input',
        "name a case, or give --workstation for the workstation's own log",
      ),
    );
  }
  if (workstation) return ctx.withWorkstation((ws) => fn(ws.audit));
  return ctx.withCase(ref!, (store) => fn(store.audit, store.anchoredHead()));
}

export function registerAuditCommands(program: Command, action: Wrap): void {
  const audit = program.command('audit').description('show and verify the hash-chained audit log');

  audit
    .command('show')
    .description('print audit entries')
    .argument('[case]', 'case reference or id')
    .option('--workstation', "the workstation's own log instead of a case's")
    .option('--after <seq>', 'only entries after this number', '0')
    .action(
      action(
        async (ctx, ref: string | undefined, opts: { workstation?: boolean; after: string }) => {
          if (!/^\d{1,15}$/.test(opts.after)) {
            throw new ToexError('bad-input', '--after takes an entry number');
          }
          const after = Number(opts.after);
          const entries = await onLog(ctx, ref, opts.workstation === true, (log) =>
            log.list({ afterSeq: after }),
          );
          ctx.print(entries, () => (entries.length ? entries.map(entryLine) : 'No audit entries.'));
        },
      ),
    );

  audit
    .command('verify')
    .description('check the chain: names any entry altered, removed or moved')
    .argument('[case]', 'case reference or id')
    .option('--workstation', "the workstation's own log instead of a case's")
    .action(
      action(async (ctx, ref: string | undefined, opts: { workstation?: boolean }) => {
        const result: AuditVerification = await onLog(
          ctx,
          ref,
          opts.workstation === true,
          (log, anchor) => log.verify(anchor),
        );
        ctx.print(result, () =>
          result.ok
            ? `Audit log intact: ${result.entries} entries, head ${result.head.hash.slice(0, 16)}…`
            : [
                `Audit log FAILED verification (${result.problems.length} problems in ${result.entries} entries):`,
                ...result.problems.map((p) => `  ${p.message}`),
              ],
        );
        ctx.exitCode = result.ok ? EXIT.ok : EXIT.verifyFailed;
      }),
    );
}
