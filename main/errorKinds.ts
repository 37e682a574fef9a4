/**
 * The few kinds of failure that callers branch on, listed once for every
 * process and the window alike (shared code: it imports nothing).
 */
export const ERROR_KINDS = [
  'bad-input',
  'not-found',
  'wrong-key',
  'locked',
  'conflict',
  'storage',
  'engine',
  'cancelled',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];
