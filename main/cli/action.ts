import type { CliContext } from './context.js';

/**
 * Wraps a command's body so the program can give it the context (global
 * options, output) and turn whatever it throws into one line and an exit code.
 */
// Commander hands actions its parsed arguments untyped; each command states its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandBody = (ctx: CliContext, ...args: any[]) => Promise<void>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Wrap = (body: CommandBody) => (...args: any[]) => Promise<void>;
