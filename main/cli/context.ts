import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

import { Workstation } from '../workstation/Workstation.js';
import type { CaseStore } from '../cases/CaseStore.js';
import { readSecret } from './secrets.js';

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

// C0 and C1 controls (escape sequences among them) and the bidirectional
// overrides that can make text display in another order than it is stored.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of output made safe for a terminal: file names and titles come
 * from suspects' devices, and a name holding escape codes must not recolour,
 * retitle or rewrite the examiner's screen.
 */
export function forTerminal(line: string): string {
  return line.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
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
