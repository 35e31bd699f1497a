import type { RunState } from '../journal/reducer.js';

export type UsageLevel = 'ok' | 'warn' | 'over';

export interface WindowUsage {
  label: 'window' | 'rollback';
  // When the clock started; absent once it stopped (the run or the rollback finished).
  fromMs?: number;
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
  return { label, fromMs: finished ? undefined : from, elapsedMs, budgetMs, level };
}

// How long until the window timer shows something else: its next minute, or the moment it turns
// amber or red; undefined once it stopped.
export function untilWindowChange(usage: WindowUsage, now: number): number | undefined {
  if (usage.fromMs === undefined) return undefined;
  const elapsed = Math.max(0, now - usage.fromMs);
  const changes = [60_000 - (elapsed % 60_000)];
  if (usage.budgetMs !== undefined) {
    for (const threshold of [usage.budgetMs * 0.8, usage.budgetMs]) {
      if (threshold >= elapsed) changes.push(threshold - elapsed + 1);
    }
  }
  return Math.ceil(Math.min(...changes));
}
