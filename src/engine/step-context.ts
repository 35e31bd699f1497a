import { existsSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { EventPayload } from '../journal/events.js';
import type { RunState } from '../journal/reducer.js';
import { processGroupPath, runDir } from '../journal/state-dir.js';
import type { Step } from '../runbook/schema.js';
import type { EngineSetup } from './engine-setup.js';
import type { EngineStore } from './engine-store.js';
import type { ExecContext } from './executor.js';
import type { OutputTail } from './output-tail.js';
import type { IndexedStep } from './step-index.js';
import type { Clock } from './time/clock.js';

const progressEveryMs = 250;

// What of the run a step's context reaches: its setup, the store, the clock, the state now and
// the journal (through the engine's masking append).
export interface RunAccess {
  readonly setup: EngineSetup;
  readonly store: EngineStore;
  readonly clock: Clock;
  run(): RunState;
  append(payload: EventPayload): void;
}

export interface ContextFor {
  // The step, or none for a check run on its own (a gate's, a probe) named by `label`.
  entry?: IndexedStep;
  attempt: number;
  file?: WriteStream;
  tail: OutputTail;
  signal: AbortSignal;
  label?: string;
}

// The ExecContext an executor works with: connections, output to the log and the tail, progress
// (rate-limited per step through `lastProgress`), batches and throttling journaled, the live
// backfill controls and the run's pause file.
export function stepContext(
  run: RunAccess,
  lastProgress: Map<string, number>,
  { entry, attempt, file, tail, signal, label }: ContextFor,
): ExecContext {
  const id = entry?.step.id ?? label ?? 'check';
  const state = entry ? run.run().steps[entry.step.id] : undefined;
  const pauseFile = join(runDir(run.setup.stateDir, run.run().runId), 'pause');
  const names = Object.keys(run.setup.connections);
  return {
    runId: run.run().runId,
    operator: run.setup.operator,
    step: entry?.step ?? ({ id } as Step),
    attempt,
    runbookDir: run.setup.loaded.dir,
    loaded: run.setup.loaded,
    connection: (name) => {
      const key = name ?? (names.length === 1 ? names[0] : undefined);
      const conn = key === undefined ? undefined : run.setup.connections[key];
      if (!conn) {
        throw new StepwiseError(
          name ? `unknown connection "${name}"` : `step ${id} must name its connection (conn:)`,
        );
      }
      return conn;
    },
    render: run.setup.renderer,
    clock: run.clock,
    output: (chunk) => {
      file?.write(chunk);
      tail.push(chunk);
      run.store.scheduleFlush();
    },
    processOutput: {
      log: file?.path.toString(),
      processGroupFile: entry && file ? processGroupPath(file.path.toString()) : undefined,
      tail: (snapshot) => {
        tail.adopt(snapshot);
        run.store.scheduleFlush();
      },
    },
    progress: (text, data) => {
      if (!entry) return;
      const now = Date.now();
      if (now - (lastProgress.get(id) ?? 0) < progressEveryMs) return;
      lastProgress.set(id, now);
      run.append({ type: 'step.progress', step: id, message: text, data });
    },
    processStarted: (pgid) => {
      if (entry) run.append({ type: 'step.process_started', step: id, attempt, pgid });
    },
    commitBatch: (batch) => run.append({ type: 'batch.committed', step: id, ...batch }),
    throttleChanged: (change) => {
      if (entry) run.append({ type: 'step.throttled', step: id, ...change });
    },
    committed: state
      ? {
          count: state.batches.count,
          rows: state.batches.rows,
          skipped: state.batches.skipped,
          lastHi: state.batches.lastHi,
        }
      : { count: 0, rows: 0, skipped: 0 },
    controls: {
      paused: () => run.store.backfill(id)?.paused === true || existsSync(pauseFile),
      batchSize: () => run.store.backfill(id)?.batchSize,
      waitWhilePaused: async (s) => {
        for (;;) {
          const byFile = existsSync(pauseFile);
          run.store.heldByPauseFile(id, byFile && !s.aborted);
          if (s.aborted || (!byFile && run.store.backfill(id)?.paused !== true)) return;
          await sleep(250, undefined, { signal: s }).catch(() => undefined);
        }
      },
    },
    signal,
  };
}
