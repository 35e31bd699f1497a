import type { DbConnection } from '../db/connection.js';
import type { CheckDetails } from '../journal/events.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import type { Renderer } from '../runbook/render.js';
import type { Step } from '../runbook/schema.js';
import type { TailSnapshot } from './output-tail.js';
import type { Clock } from './time/clock.js';

/**
 * What every step executor receives. Executors never write the journal directly, except
 * through `commitBatch`, and never touch the screen: output goes to `output`.
 */
export interface ExecContext {
  runId: string;
  operator: string;
  step: Step;
  attempt: number;
  runbookDir: string;
  /** The loaded runbook: sql file contents are in loaded.files, nothing reads files at run time. */
  loaded: LoadedRunbook;
  connection(name: string | undefined): DbConnection;
  render: Renderer;
  /** Step output: written to the per-attempt log file and to a bounded tail for the screen. */
  output(chunk: string): void;
  /**
   * Where a child process's output goes when it is read off the main thread: the log file it
   * appends to (none for a check outside a step) and the tail it keeps, which replaces `output`'s.
   */
  processOutput: { log?: string; processGroupFile?: string; tail(tail: TailSnapshot): void };
  /** Non-durable progress for the screen (rate-limited by the engine). */
  progress(message: string, data?: Record<string, unknown>): void;
  /** The step's process group, journaled so that a resume after a crash can end what is left of it. */
  processStarted(pgid: number): void;
  /** A committed batch of a backfill: journaled (fsync'd) before the next batch starts. */
  commitBatch(batch: {
    batch: number;
    lo: unknown;
    hi: unknown;
    rows: number;
    skipped: number;
    size: number;
    duration_ms: number;
  }): void;
  /** The work was held by replica lag, or goes on again: journaled. */
  throttleChanged(change: { throttled: boolean; reason: string }): void;
  /** Batches already committed by earlier attempts (from the journal), for resuming a backfill. */
  committed: { count: number; rows: number; skipped: number; lastHi?: unknown };
  /** Live controls for a running backfill (pause, new batch size) sent by the operator. */
  controls: StepControls;
  /** The engine's clock: polls and deadlines follow it, so a test moves time instead of waiting. */
  clock: Clock;
  signal: AbortSignal;
}

export interface StepControls {
  paused(): boolean;
  batchSize(): number | undefined;
  waitWhilePaused(signal: AbortSignal): Promise<void>;
}

export interface StepResult {
  ok: boolean;
  rows?: number;
  summary?: string;
  error?: string;
  details?: CheckDetails | Record<string, unknown>;
}

export type Executor<Body> = (body: Body, ctx: ExecContext) => Promise<StepResult>;
