import type { ErrorKind } from '../errors/stepwise-error.js';

// The exit codes the README documents, one for each kind of error and 0 for done.
export const ExitCode = {
  done: 0,
  stepFailed: 1,
  usage: 2,
  paused: 3,
  locked: 4,
  interrupted: 130,
} as const satisfies Record<ErrorKind | 'done', number>;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(kind: ErrorKind): ExitCodeValue {
  return ExitCode[kind];
}
