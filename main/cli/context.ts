import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { Workstation } from '../workstation/Workstation.js';
import type { CaseStore } from '../cases/CaseStore.js';
import { readSecret } from './secrets.js';
import { forTerminal } from './format.js';

export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  home?: string;
  passphraseFile?: string;
}

/** The data folder: --home, then TOEX_HOME, then the XDG data folder. */
export function resolveHome(option: string | undefined): string {
  if (option) return resolve(option);
  if (process.env.TOEX_HOME) return resolve(process.env.TOEX_HOME);
  const xdg = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'toex');
}

export class CliContext {
  readonly json: boolean;
  readonly home: string;
  /** Set when a command's result means failure without an error, e.g. a verify that found problems. */
  exitCode = 0;

  constructor(readonly options: GlobalOptions) {
    this.json = options.json === true;
    this.home = resolveHome(options.home);
  }

  /** Prints a result: as JSON with --json, otherwise as the given lines. */
  print(value: unknown, human: () => string | string[]): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      return;
    }
    const text = human();
    process.stdout.write((Array.isArray(text) ? text : [text]).map(forTerminal).join('\n') + '\n');
  }

  passphrase(): Promise<string> {
    return readSecret({
      env: 'TOEX_PASSPHRASE',
      file: this.options.passphraseFile,
      option: '--passphrase-file',
      what: 'passphrase',
    });
  }

  async withWorkstation<T>(fn: (ws: Workstation) => Promise<T> | T): Promise<T> {
    const ws = await Workstation.unlock(this.home, await this.passphrase());
    try {
      return await fn(ws);
    } finally {
      ws.close();
    }
  }

  withCase<T>(ref: string, fn: (store: CaseStore, ws: Workstation) => Promise<T> | T): Promise<T> {
    return this.withWorkstation(async (ws) => {
      const store = ws.openCase(ref);
      try {
        return await fn(store, ws);
      } finally {
        store.close();
      }
    });
  }
}
