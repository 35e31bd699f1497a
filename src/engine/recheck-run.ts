import type { DbConnection } from '../db/connection.js';
import { openConnections } from '../db/open-connections.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { CheckDetails } from '../journal/events.js';
import { readJournal } from '../journal/file-journal.js';
import { findRun } from '../journal/find-run.js';
import { type RunState, replay } from '../journal/reducer.js';
import { createRenderer } from '../runbook/create-renderer.js';
import { resolveVars } from '../runbook/resolve-vars.js';
import type { Step } from '../runbook/schema.js';
import type { StepAction } from '../runbook/step-action.js';
import { evaluateCheck } from './evaluate-check.js';
import type { ExecContext, StepResult } from './executor.js';
import { compareExecutor } from './executors/compare.js';
import { liveIdentities } from './live-identities.js';
import { isRecordedTarget } from './pinned-targets.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { indexSteps } from './step-index.js';
import { loadValidatedRunbook } from './load-validated-runbook.js';
import { systemClock } from './time/clock.js';

export interface RecheckedStep {
  step: string;
  number: string;
  title: string;
  ok: boolean;
  summary?: string;
  error?: string;
  details?: CheckDetails | Record<string, unknown>;
}

export interface RecheckReport {
  run_id: string;
  runbook: string;
  checked_at: string;
  ok: boolean;
  // Each connection as the run recorded it, which is where the checks ran.
  targets: Record<string, string>;
  checks: RecheckedStep[];
}

export interface RecheckOptions {
  stateDir: string;
  ref: string;
  env: NodeJS.ProcessEnv;
  vars: Record<string, string>;
  operator: string;
}

// The run's connections as they resolve now, refused unless each is the target the run recorded:
// a check that passes on another database says nothing about this run.
async function openRecordedTargets(
  options: RecheckOptions,
  connections: Parameters<typeof openConnections>[0]['connections'],
  recorded: RunState['started']['connections'],
  runId: string,
): Promise<Record<string, DbConnection>> {
  const opened = await openConnections({
    connections,
    stateDir: options.stateDir,
    env: options.env,
    applicationName: `stepwise check ${runId}`.slice(0, 63),
  });
  const live = await liveIdentities(opened);
  const moved = Object.entries(opened).filter(([name]) => !isRecordedTarget(recorded[name], live[name]));
  if (moved.length === 0) return opened;
  await Promise.allSettled(Object.values(opened).map((c) => c.close()));
  const lines = moved.map(([name, c]) => `${name} is ${c.target} now, the run ran on ${recorded[name]?.target ?? 'nothing'}`);
  throw new StepwiseError(
    `the connections do not point where run ${runId} ran: ${lines.join('; ')}. Nothing was checked; set the connection's environment as it was for the run`,
    'usage',
  );
}

function context(step: Step, runId: string, operator: string, loaded: LoadedRunbook, connections: Record<string, DbConnection>, render: ExecContext['render']): ExecContext {
  const names = Object.keys(connections);
  return {
    runId,
    operator,
    step,
    attempt: 1,
    runbookDir: loaded.dir,
    loaded,
    connection: (name) => {
      const conn = connections[name ?? (names.length === 1 ? names[0] : '')];
      if (!conn) throw new StepwiseError(`step ${step.id} names no connection of the runbook`);
      return conn;
    },
    render,
    clock: systemClock,
    output: () => undefined,
    processOutput: { tail: () => undefined },
    progress: () => undefined,
    processStarted: () => undefined,
    commitBatch: () => {
      throw new StepwiseError('a recheck never copies rows');
    },
    throttleChanged: () => undefined,
    committed: { count: 0, rows: 0, skipped: 0 },
    controls: { paused: () => false, batchSize: () => undefined, waitWhilePaused: async () => undefined },
    signal: new AbortController().signal,
  };
}

function recheck(action: StepAction, ctx: ExecContext): Promise<StepResult> {
  if (action.kind === 'compare') return compareExecutor(action.body, ctx);
  if (action.kind === 'check') return evaluateCheck(action.body, ctx, true);
  return Promise.resolve({ ok: false, error: `a ${action.kind} step is not a check` });
}

// Runs the read-only checks a runbook marks `recheck: true` again, now, against the targets the
// run recorded, for the run's steps that succeeded: does the migration still hold?
export async function recheckRun(options: RecheckOptions): Promise<RecheckReport> {
  const { runId, journalPath } = findRun(options.stateDir, options.ref);
  const state = replay(readJournal(journalPath).events);
  if (!state) throw new StepwiseError(`the journal of ${runId} holds no run`, 'usage');
  const loaded = await loadValidatedRunbook(state.started.runbook.path, options.stateDir);
  const index = indexSteps(loaded.runbook);
  const chosen = [...index.values()].filter(
    (e) => e.step.recheck === true && (e.kind === 'check' || e.kind === 'compare') && state.steps[e.step.id]?.status === 'succeeded',
  );
  if (chosen.length === 0) {
    throw new StepwiseError(
      `run ${runId} has no succeeded step marked recheck: true; mark the check and compare steps that must keep holding`,
      'usage',
    );
  }
  const journaled = Object.fromEntries(Object.entries(state.started.vars).filter(([, v]) => v !== '***'));
  const vars = resolveVars(loaded.runbook, { cli: { ...journaled, ...options.vars }, env: options.env });
  const connections = await openRecordedTargets(options, loaded.runbook.connections, state.started.connections, runId);
  const urls = Object.fromEntries(Object.keys(loaded.runbook.connections ?? {}).map((name) => [name, {}]));
  const render = createRenderer({
    vars: vars.values,
    secretVars: vars.secretVars,
    connections: urls,
    run: { id: runId, operator: options.operator },
  });
  const checks: RecheckedStep[] = [];
  try {
    for (const entry of chosen) {
      const ctx = context(entry.step, runId, options.operator, loaded, connections, render);
      const result = await recheck(entry.action, ctx).catch(
        (error: unknown): StepResult => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
      checks.push({
        step: entry.step.id,
        number: entry.number,
        title: entry.step.title ?? entry.step.id,
        ok: result.ok,
        summary: result.summary === undefined ? undefined : render.mask(result.summary),
        error: result.error === undefined ? undefined : render.mask(result.error),
        details: result.details,
      });
    }
  } finally {
    await Promise.allSettled(Object.values(connections).map((c) => c.close()));
  }
  return {
    run_id: runId,
    runbook: loaded.runbook.name,
    checked_at: new Date().toISOString(),
    ok: checks.every((c) => c.ok),
    targets: Object.fromEntries(Object.entries(connections).map(([name, c]) => [name, c.target])),
    checks,
  };
}
