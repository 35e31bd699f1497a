import type { ErrorKind } from '../errors/stepwise-error.js';
import type { RunState } from '../journal/reducer.js';

// The exit codes the README documents, one for each kind of error and 0 for done.
export const ExitCode = {
  done: 0,
  stepFailed: 1,
  usage: 2,
  paused: 3,
  locked: 4,
  journal: 5,
  lost: 6,
  interrupted: 130,
} as const satisfies Record<ErrorKind | 'done', number>;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(kind: ErrorKind): ExitCodeValue {
  return ExitCode[kind];
}

// The exit code a follower reports when the engine has ended: how the run stands.
export function exitCodeOf(run: RunState | undefined): ExitCodeValue {
  switch (run?.status) {
    case 'succeeded':
    case 'rolled_back':
      return ExitCode.done;
    case 'failed':
      return ExitCode.stepFailed;
    default:
      return ExitCode.paused;
  }
}
