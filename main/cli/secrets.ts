import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { ToexError, fromFsError } from '../errors.js';

function fromFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw fromFsError(err, `reading the ${what} file`);
  }
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    let asked = false;
    output._writeToOutput = (s: string) => {
      if (!asked) {
        process.stderr.write(s);
        asked = true;
      }
    };
    rl.question(question, (answer) => {
      process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new ToexError('cancelled', 'cancelled at the passphrase prompt'));
    });
  });
}

export interface SecretSource {
  /** Environment variable that may hold it (for scripts and tests). */
  env: string;
  /** Path given with the file option, and the option's name for the refusal. */
  file: string | undefined;
  option: string;
  what: string;
  /** Ask twice and compare, for a new secret. */
  confirm?: boolean;
}

/**
 * A passphrase or key never comes from a command-line argument (it would show
 * in `ps` and shell history): from a file, an environment variable, or a
 * hidden prompt, in that order.
 */
export async function readSecret(source: SecretSource): Promise<string> {
  if (source.file) return fromFile(source.file, source.what);
  const fromEnv = process.env[source.env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new ToexError(
      'bad-input',
      `no ${source.what}: set ${source.env} or give its file with ${source.option}`,
    );
  }
  const first = await promptHidden(`${source.what[0]!.toUpperCase()}${source.what.slice(1)}: `);
  if (source.confirm && (await promptHidden(`Repeat the ${source.what}: `)) !== first) {
    throw new ToexError('bad-input', `the two ${source.what}s do not match`);
  }
  return first;
}
