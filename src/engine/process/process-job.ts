import type { TailSnapshot } from '../output-tail.js';

// A command for the process worker: started as its own process group, its output decoded,
// masked, matched, appended to the log and kept as a tail there (or, with nothing to mask or
// match, written by the command straight into the log: direct-log.ts), off the main thread, so a
// busy screen never slows a step that prints a lot.
export interface ProcessJob {
  file: string;
  args: string[];
  cwd: string;
  // Added to the environment stepwise runs in.
  env?: Record<string, string>;
  secrets: readonly string[];
  // Appended to; none for a check run outside a step.
  log?: string;
  // Where the process group is written as soon as it starts, and removed once it has ended.
  processGroupFile?: string;
  // `expect.stdout` as the source of a multiline regular expression.
  pattern?: string;
}

export interface ProcessOutcome {
  exitCode?: number;
  signal?: string;
  // Set when the command did not start (ENOENT, EACCES, …).
  startError?: { code?: string; message: string };
  matched: boolean;
  // The log file could not be written (full disk, …): the output is incomplete there.
  logError?: string;
}

export type ToWorker = { type: 'start'; id: number; job: ProcessJob } | { type: 'abort'; id: number };

export type FromWorker =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'tail'; id: number; tail: TailSnapshot }
  | { type: 'exited'; id: number; outcome: ProcessOutcome; tail: TailSnapshot }
  | { type: 'failed'; id: number; error: string };
