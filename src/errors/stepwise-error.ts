// What went wrong, as the front ends need to know it: the CLI turns a kind into an exit code
// (src/cli/exit-codes.ts), the TUI into a notice. Layers below the CLI never name exit codes.
// journal: the journal could not be written, so the run stopped at once.
// lost: another engine took the run over (team mode), so this one journals nothing more.
export type ErrorKind = 'usage' | 'stepFailed' | 'paused' | 'locked' | 'journal' | 'lost' | 'interrupted';

// An error the operator can act on: printed as one line, never a stack trace.
export class StepwiseError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind = 'usage',
  ) {
    super(message);
  }
}
