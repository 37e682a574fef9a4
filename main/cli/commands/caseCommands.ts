import type { Command } from 'commander';

import type { CaseInfo } from '../../cases/CaseStore.js';
import type { Wrap } from '../action.js';
import { bytes, table } from '../format.js';

function describe(info: CaseInfo): string[] {
  return [
    `Reference:      ${info.reference}`,
    `Title:          ${info.title}`,
    `Owner:          ${info.owner}`,
    `Classification: ${info.classification}`,
    `Status:         ${info.status}`,
    `Created:        ${info.createdAt} by ${info.createdBy}`,
    ...(info.closedAt ? [`Closed:         ${info.closedAt}`] : []),
    `Id:             ${info.id}`,
  ];
}

export function registerCaseCommands(program: Command, action: Wrap): void {
  const cases = program.command('case').description('create, list and inspect cases');

  cases
    .command('create')
    .description('create a case with its own encrypted database')
    .requiredOption('--reference <ref>', 'case reference, e.g. OP-ARCTIC/2026/0042')
    .requiredOption('--title <title>', 'short title')
    .requiredOption('--owner <name>', 'officer in charge')
    .requiredOption('--classification <marking>', 'OFFICIAL or OFFICIAL-SENSITIVE')
    .action(
      action(
        async (
          ctx,
          opts: { reference: string; title: string; owner: string; classification: string },
        ) => {
          const info = await ctx.withWorkstation((ws) => ws.createCase(opts));
          ctx.print(info, () => [`Case ${info.reference} created.`, ...describe(info)]);
        },
      ),
    );

  cases
    .command('list')
    .description('list the cases on this workstation')
    .action(
      action(async (ctx) => {
        const list = await ctx.withWorkstation((ws) => ws.listCases());
        ctx.print(list, () =>
          list.length === 0
            ? 'No cases yet: `toex case create`.'
            : table([
                ['REFERENCE', 'CLASSIFICATION', 'STATUS', 'OWNER', 'TITLE'],
                ...list.map((c) => [c.reference, c.classification, c.status, c.owner, c.title]),
              ]),
        );
      }),
    );

  cases
    .command('show')
    .description('show a case and a summary of its evidence and jobs')
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const shown = await ctx.withCase(ref, (store) => {
          const evidence = store.evidence.list();
          const jobs = store.jobs.list();
          return {
            ...store.info,
            evidence: { items: evidence.length, bytes: evidence.reduce((s, e) => s + e.size, 0) },
            jobs: {
              total: jobs.length,
              running: jobs.filter((j) => j.state === 'running').length,
              queued: jobs.filter((j) => j.state === 'queued').length,
            },
            audit: store.audit.head(),
          };
        });
        ctx.print(shown, () => [
          ...describe(shown),
          `Evidence:       ${shown.evidence.items} items, ${bytes(shown.evidence.bytes)}`,
          `Jobs:           ${shown.jobs.total} (${shown.jobs.running} running, ${shown.jobs.queued} queued)`,
          `Audit entries:  ${shown.audit.seq}`,
        ]);
      }),
    );

  for (const [verb, status] of [
    ['close', 'closed'],
    ['reopen', 'open'],
  ] as const) {
    cases
      .command(verb)
      .description(
        verb === 'close'
          ? 'close a case: it stays readable but takes no new evidence'
          : 'reopen a closed case',
      )
      .argument('<case>', 'case reference or id')
      .action(
        action(async (ctx, ref: string) => {
          const info = await ctx.withWorkstation((ws) => ws.setCaseStatus(ref, status));
          ctx.print(info, () => `Case ${info.reference} is now ${info.status}.`);
        }),
      );
  }
}
