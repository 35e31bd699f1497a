import { clampBatch } from '../engine/backfill/batch-sizer.js';
import type { EngineView } from '../engine/engine-api.js';
import { backfillProgressOf } from '../journal/backfill-progress-data.js';
import { findStep } from './find-step.js';

const fallback = 1000;

// The batch size a backfill uses now: the live setting, else the last one it reported, else the
// runbook's (a number or `{{ vars.x }}` as the run started with it).
export function currentBatchSize(view: EngineView, step: string): number {
  const live = view.live.backfill[step]?.batchSize;
  if (live !== undefined) return live;
  const reported = backfillProgressOf(view.run.steps[step]?.progress?.data).batchSize;
  if (reported !== undefined) return reported;
  const configured = findStep(view.runbook.runbook, step)?.backfill?.batch;
  if (typeof configured === 'number') return configured;
  const name = configured?.match(/^\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/)?.[1];
  const value = name === undefined ? Number.NaN : Number(view.run.started.vars[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// The backfill's `+` and `-`: double or halve, within the engine's bounds.
export function nextBatchSize(current: number, direction: 'up' | 'down'): number {
  return clampBatch(direction === 'up' ? current * 2 : current / 2);
}
