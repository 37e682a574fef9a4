import type { ErrorKind } from '../errors.js';

/** The exit codes of `toex`, as documented in the README. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  wrongKey: 4,
  conflict: 5,
  storage: 6,
  verifyFailed: 7,
  cancelled: 8,
  locked: 9,
  engine: 10,
} as const;

export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'bad-input':
      return EXIT.usage;
    case 'not-found':
      return EXIT.notFound;
    case 'wrong-key':
      return EXIT.wrongKey;
    case 'conflict':
      return EXIT.conflict;
    case 'storage':
      return EXIT.storage;
    case 'cancelled':
      return EXIT.cancelled;
    case 'locked':
      return EXIT.locked;
    case 'engine':
      return EXIT.engine;
    case 'internal':
      return EXIT.internal;
  }
}
