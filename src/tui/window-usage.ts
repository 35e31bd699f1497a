import type { RunState } from '../journal/reducer.js';

export type UsageLevel = 'ok' | 'warn' | 'over';

export interface WindowUsage {
  label: 'window' | 'rollback';
  elapsedMs: number;
  budgetMs?: number;
  level: UsageLevel;
}

// The maintenance window is wall-clock time since the run started; a rollback is measured
// against its own budget from the moment it started. A finished run stops the clock.
export function windowUsage(run: RunState, now: number): WindowUsage {
  const window = run.started.window;
  const rollback = run.rollback;
  const label = rollback ? 'rollback' : 'window';
  const from = Date.parse(rollback ? rollback.startedAt : run.startedAt);
  const finished = run.status === 'succeeded' || run.status === 'rolled_back' || rollback?.finished === true;
  const until = finished ? Date.parse(run.lastEventAt) : now;
  const elapsedMs = Math.max(0, until - from);
  const budgetMs = rollback ? window?.rollback_budget_ms : window?.budget_ms;
  const level: UsageLevel =
    budgetMs === undefined
      ? 'ok'
      : elapsedMs > budgetMs
        ? 'over'
        : elapsedMs > budgetMs * 0.8
          ? 'warn'
          : 'ok';
  return { label, elapsedMs, budgetMs, level };
}
