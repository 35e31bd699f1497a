// Exit codes (DESIGN.md section 7).
export const ExitCode = {
  done: 0,
  stepFailed: 1,
  usage: 2,
  paused: 3,
  locked: 4,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

// An error the operator can act on: printed as one line, never a stack trace.
export class StepwiseError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message);
  }
}
