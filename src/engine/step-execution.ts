import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, relative } from 'node:path';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { StopCause } from '../journal/events.js';
import { logPath } from '../journal/state-dir.js';
import { parseDuration } from '../runbook/parse-duration.js';
import type { CheckBody, Step } from '../runbook/schema.js';
import type { StepAction } from '../runbook/step-action.js';
import { evaluateCheck } from './evaluate-check.js';
import type { ExecContext, StepResult } from './executor.js';
import { executeAction } from './executors/execute-action.js';
import { OutputTail } from './output-tail.js';
import { type ContextFor, type RunAccess, stepContext } from './step-context.js';
import type { IndexedStep } from './step-index.js';
import { longSleep, longTimeout } from './time/long-sleep.js';
import { runSoak } from './time/soak.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A step-level `rows` guard belongs to the forward sql body only.
function withRowsGuard(step: Step, action: StepAction): StepAction {
  if (action.kind !== 'sql' || !step.rows) return action;
  const sql = action.body;
  const { rows } = step;
  return { kind: 'sql', body: typeof sql === 'string' ? { text: sql, rows } : { ...sql, rows: sql.rows ?? rows } };
}

export interface RunningStep {
  step: string;
  controller: AbortController;
  done: Promise<void>;
  stopped?: StopCause;
}

// Executes steps: one at a time, each attempt journaled from step.started to its end, with its
// log, tail, timeout, retries, verify and cancellation. The engine decides what runs; this runs it.
export class StepExecution {
  private active?: RunningStep;
  private readonly lastProgress = new Map<string, number>();

  constructor(private readonly run: RunAccess) {}

  // The step running now, if any.
  get running(): RunningStep | undefined {
    return this.active;
  }

  cancel(reason: string, stopped: StopCause): void {
    if (!this.active || this.active.controller.signal.aborted) return;
    this.active.stopped = stopped;
    this.active.controller.abort(new StepwiseError(reason, 'interrupted'));
  }

  async track(step: string, work: () => Promise<void>): Promise<void> {
    // Active before the work starts: its first synchronous part already reads the signal.
    const controller = new AbortController();
    let finished!: () => void;
    this.active = { step, controller, done: new Promise<void>((resolve) => (finished = resolve)) };
    const done = work();
    void done.then(finished, finished);
    this.run.store.setActive({ step, rollback: this.run.run().status === 'rolling_back', since: Date.now() });
    try {
      await done;
    } finally {
      this.active = undefined;
      this.run.store.setActive(undefined);
    }
  }

  get signal(): AbortSignal {
    return this.active?.controller.signal ?? new AbortController().signal;
  }

  async execute(entry: IndexedStep): Promise<void> {
    const { step } = entry;
    const attempts = step.retries?.attempts ?? 1;
    const backoffMs = step.retries?.backoff ? parseDuration(step.retries.backoff) : 1000;
    for (let tried = 1; ; tried++) {
      const retryInMs = tried < attempts ? backoffMs * 2 ** (tried - 1) : undefined;
      const result = await this.attempt(entry, entry.action, false, retryInMs);
      if (result.ok || this.signal.aborted || retryInMs === undefined) return;
      await longSleep(retryInMs, this.signal);
      if (this.signal.aborted) return;
    }
  }

  async soak(entry: IndexedStep, hold: boolean): Promise<void> {
    const id = entry.step.id;
    const signal = this.signal;
    let file: WriteStream | undefined;
    const tail = this.run.store.tail(id);
    const open = () => {
      const log = this.run.run().steps[id].log;
      if (log && !file) file = createWriteStream(log, { flags: 'a' });
      return this.context({ entry, attempt: this.run.run().steps[id].attempts, file, tail, signal });
    };
    let ctx = this.run.run().steps[id].status === 'soaking' ? open() : undefined;
    try {
      const body = entry.step.soak!;
      await runSoak(
        id,
        this.run.setup.soakFor ? { ...body, for: this.run.setup.soakFor } : body,
        {
          clock: this.run.clock,
          step: () => this.run.run().steps[id],
          append: (payload) => this.run.append(payload),
          start: () => {
            const attempt = this.run.run().steps[id].attempts + 1;
            const log = logPath(this.run.setup.stateDir, this.run.run().runId, id, attempt, false);
            mkdirSync(dirname(log), { recursive: true });
            this.run.append({ type: 'step.started', step: id, attempt, operator: this.run.setup.operator, log });
            ctx = open();
          },
          evaluate: (check, i) => this.check(check, `${id}.soak.${i + 1}`, ctx),
          output: (line) => ctx?.output(`${line}\n`),
          signal,
        },
        hold,
      );
    } finally {
      if (file) await new Promise<void>((resolve) => file!.end(resolve));
    }
  }

  // Runs a step's rollback body; false when it failed (journaled as step.rollback_failed).
  async rollbackStep(entry: IndexedStep): Promise<boolean> {
    const result = await this.attempt(entry, entry.undo!, true);
    return result.ok;
  }

  // One attempt of a step body (or its rollback body), journaled from start to end.
  private async attempt(
    entry: IndexedStep,
    action: StepAction,
    rollback: boolean,
    retryInMs?: number,
  ): Promise<StepResult> {
    const id = entry.step.id;
    const attempt = this.run.run().steps[id].attempts + 1;
    const log = logPath(this.run.setup.stateDir, this.run.run().runId, id, attempt, rollback);
    mkdirSync(dirname(log), { recursive: true });
    // Appended to: the process worker writes a command's output to the same file.
    const file = createWriteStream(log, { flags: 'a' });
    const tail = this.run.store.tail(id, true);
    const started = this.run.clock.now();
    this.run.append({ type: 'step.started', step: id, attempt, operator: this.run.setup.operator, log, rollback });
    const running = this.active;
    const signal = this.signal;
    const timeoutMs = entry.step.timeout ? parseDuration(entry.step.timeout) : undefined;
    const cancelTimer = timeoutMs
      ? longTimeout(
          () =>
            this.active?.controller.abort(
              new StepwiseError(`timed out after ${entry.step.timeout}`, 'stepFailed'),
            ),
          timeoutMs,
        )
      : undefined;
    const ctx = this.context({ entry, attempt, file, tail, signal });
    let result: StepResult;
    try {
      result = await executeAction(rollback ? action : withRowsGuard(entry.step, action), ctx);
      if (result.ok && !rollback && entry.step.verify && !signal.aborted) {
        const verify = await this.check(entry.step.verify, `${id}.verify`, ctx);
        if (!verify.ok) {
          result = {
            ...verify,
            ok: false,
            error: `verify failed: ${verify.summary ?? verify.error ?? ''}`.trim(),
          };
        }
      }
    } catch (error) {
      result = { ok: false, error: this.located(id, error) };
    } finally {
      cancelTimer?.();
    }
    if (!result.ok && signal.aborted) result = { ...result, error: message(signal.reason) };
    await new Promise<void>((resolve) => file.end(resolve));
    const duration_ms = Math.round(this.run.clock.now() - started);
    if (rollback) {
      if (result.ok) {
        this.run.append({
          type: 'step.rolled_back',
          step: id,
          operator: this.run.setup.operator,
          duration_ms,
          how: 'reversed',
        });
      } else {
        this.run.append({ type: 'step.rollback_failed', step: id, error: result.error ?? 'failed', duration_ms });
      }
      return result;
    }
    if (result.ok) {
      this.run.append({
        type: 'step.succeeded',
        step: id,
        attempt,
        duration_ms,
        rows: result.rows,
        summary: result.summary,
        details: result.details,
      });
    } else {
      this.run.append({
        type: 'step.failed',
        step: id,
        attempt,
        duration_ms,
        error: result.error ?? 'failed',
        details: result.details,
        retry_in_ms: signal.aborted ? undefined : retryInMs,
        stopped: signal.aborted ? running?.stopped : undefined,
      });
    }
    return result;
  }

  // A step refused for what it asks (a backfill key without an index, a missing table, a failing
  // query) names its runbook line, like a lint error.
  private located(step: string, error: unknown): string {
    const at = this.run.setup.loaded.positions[step];
    if (!(error instanceof StepwiseError) || !at) return message(error);
    return `${relative(process.cwd(), this.run.setup.loaded.path)}:${at.line}:${at.col}: ${error.message}`;
  }

  async check(body: CheckBody, label: string, base?: ExecContext): Promise<StepResult> {
    const ctx = base ?? this.context({ attempt: 1, tail: new OutputTail(), signal: this.signal, label });
    try {
      return await evaluateCheck(body, ctx);
    } catch (error) {
      return { ok: false, error: this.run.setup.renderer.mask(message(error)) };
    }
  }

  private context(what: ContextFor): ExecContext {
    return stepContext(this.run, this.lastProgress, what);
  }
}
