import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';

/**
 * One log for the whole process, with a child per subsystem. Callers log ids,
 * counts and durations; the redaction below is a safety net for a slip, not a
 * licence to pass secrets in.
 */
const redactPaths = [
  'passphrase',
  'newPassphrase',
  'recoveryKey',
  'key',
  'masterKey',
  'caseKey',
  'token',
  '*.passphrase',
  '*.newPassphrase',
  '*.recoveryKey',
  '*.key',
  '*.masterKey',
  '*.caseKey',
  '*.token',
];

let root: PinoLogger = pino({ level: 'silent' });
let generation = 0;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

/** Points the process's log at `<dir>/toex.log`. Safe to call again. */
export function configureLogging(options: { dir: string; level?: LogLevel }): string {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, 'toex.log');
  const destination = pino.destination({ dest: file, sync: true, mkdir: true });
  root = pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  generation += 1;
  return file;
}

export interface Logger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

/** A logger named after its subsystem (its folder), following later reconfiguration. */
export function getLogger(subsystem: string): Logger {
  let bound = generation;
  let child = root.child({ subsystem });
  const current = (): PinoLogger => {
    if (bound !== generation) {
      bound = generation;
      child = root.child({ subsystem });
    }
    return child;
  };
  return {
    error: (fields, message) => current().error(fields, message),
    warn: (fields, message) => current().warn(fields, message),
    info: (fields, message) => current().info(fields, message),
    debug: (fields, message) => current().debug(fields, message),
  };
}
