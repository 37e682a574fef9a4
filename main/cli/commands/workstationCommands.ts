import type { Command } from 'commander';

import { checkPassphrase } from '../../store/Keyring.js';
import { Workstation } from '../../workstation/Workstation.js';
import type { Wrap } from '../action.js';
import { readSecret } from '../secrets.js';

export function registerWorkstationCommands(program: Command, action: Wrap): void {
  program
    .command('init')
    .description('set up this workstation: passphrase, operator name; prints the recovery key once')
    .requiredOption(
      '--operator <name>',
      'who works at this terminal, as audit entries will name them',
    )
    .action(
      action(async (ctx, opts: { operator: string }) => {
        const passphrase = await readSecret({
          env: 'TOEX_PASSPHRASE',
          file: ctx.options.passphraseFile,
          option: '--passphrase-file',
          what: 'new passphrase',
          confirm: true,
        });
        const { workstation, recoveryKey } = await Workstation.init(ctx.home, {
          passphrase,
          operator: opts.operator,
        });
        workstation.close();
        ctx.print({ home: ctx.home, recoveryKey }, () => [
          `Workstation set up in ${ctx.home}`,
          '',
          'Recovery key (shown this once; write it down and keep it apart from this terminal):',
          '',
          `  ${recoveryKey}`,
          '',
          'It unlocks the workstation if the passphrase is lost: `toex recover`.',
        ]);
      }),
    );

  program
    .command('passphrase')
    .description('manage the workstation passphrase')
    .command('change')
    .description('change the passphrase (the databases are not re-encrypted)')
    .option(
      '--new-passphrase-file <file>',
      'read the new passphrase from a file (else TOEX_NEW_PASSPHRASE or a prompt)',
    )
    .action(
      action(async (ctx, opts: { newPassphraseFile?: string }) => {
        await ctx.withWorkstation(async (ws) => {
          const next = await readSecret({
            env: 'TOEX_NEW_PASSPHRASE',
            file: opts.newPassphraseFile,
            option: '--new-passphrase-file',
            what: 'new passphrase',
            confirm: true,
          });
          await ws.changePassphrase(next);
        });
        ctx.print({ changed: true }, () => 'Passphrase changed.');
      }),
    );

  program
    .command('recover')
    .description('unlock with the recovery key and set a new passphrase')
    .option(
      '--recovery-key-file <file>',
      'read the recovery key from a file (else TOEX_RECOVERY_KEY or a prompt)',
    )
    .option(
      '--new-passphrase-file <file>',
      'read the new passphrase from a file (else TOEX_NEW_PASSPHRASE or a prompt)',
    )
    .action(
      action(async (ctx, opts: { recoveryKeyFile?: string; newPassphraseFile?: string }) => {
        const recoveryKey = await readSecret({
          env: 'TOEX_RECOVERY_KEY',
          file: opts.recoveryKeyFile,
          option: '--recovery-key-file',
          what: 'recovery key',
        });
        const next = await readSecret({
          env: 'TOEX_NEW_PASSPHRASE',
          file: opts.newPassphraseFile,
          option: '--new-passphrase-file',
          what: 'new passphrase',
          confirm: true,
        });
        checkPassphrase(next);
        const ws = Workstation.recover(ctx.home, recoveryKey);
        try {
          await ws.changePassphrase(next);
        } finally {
          ws.close();
        }
        ctx.print(
          { recovered: true },
          () => 'Unlocked with the recovery key; the new passphrase is set.',
        );
      }),
    );
}
