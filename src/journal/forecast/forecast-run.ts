import type { RunState } from '../reducer.js';
import type { StepKind } from '../../runbook/schema.js';
import { historyKey, type StepHistory, type StepSample } from './step-history.js';

// A step as the forecast sees it: what it is now (its definition hash) and what it will go through.
export interface ForecastStep {
  id: string;
  kind: StepKind;
  hash: string;
  pointOfNoReturn: boolean;
  // A rollback body to run (a rollback of it takes time); false: passed over or signed past.
  undoable: boolean;
  // A soak lasts its `for`, whatever earlier runs (rehearsals shorten soaks) took.
  soakMs?: number;
  // Rows the source holds now (a backfill's `from`, a compare's left side), when known.
  rowEstimate?: number;
}

export interface ForecastBasis {
  steps: ForecastStep[];
  history: StepHistory;
}

// done: nothing left; history: the median of earlier runs; rate: rows to go at the rows per second
// of earlier runs; soak: its `for`; person: a manual step (a person's time, not counted);
// none: no earlier run of this definition.
export type ForecastBasisKind = 'done' | 'history' | 'rate' | 'soak' | 'person' | 'none';

export interface StepForecast {
  step: string;
  ms?: number;
  basis: ForecastBasisKind;
  samples: number;
  // For a rate: the rows it expects to go through.
  rows?: number;
}

export interface RunForecast {
  steps: StepForecast[];
  // What is left, summed over the steps with a forecast.
  toEndMs: number;
  // Steps left that have no history: the forecast leaves them out.
  unknown: string[];
  // The next point of no return not yet passed, and the time until it starts.
  nextPointOfNoReturn?: { step: string; inMs: number };
  runs: number;
  rehearsals: number;
}

const readOnly: ReadonlySet<StepKind> = new Set(['check', 'wait', 'compare', 'soak', 'manual']);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function rated(samples: StepSample[]): StepSample[] {
  return samples.filter((s) => (s.rows ?? 0) > 0 && s.ms > 0);
}

function forecastStep(step: ForecastStep, history: StepHistory, state: RunState | undefined, now: number): StepForecast {
  const s = state?.steps[step.id];
  const base = { step: step.id };
  if (s && (s.status === 'succeeded' || s.status === 'skipped')) return { ...base, ms: 0, basis: 'done', samples: 0 };
  if (step.kind === 'soak') {
    const left = s?.status === 'soaking' && s.soak ? Math.max(0, Date.parse(s.soak.endsAt) - now) : step.soakMs;
    return { ...base, ms: left, basis: 'soak', samples: 0 };
  }
  // Without earlier runs there is nothing to look up (nor a step hash to compute).
  const samples = history.runs > 0 ? (history.forward[historyKey(step.id, step.hash)] ?? []) : [];
  const elapsed = s?.status === 'running' && s.startedAt ? Math.max(0, now - Date.parse(s.startedAt)) : 0;
  if (step.kind === 'backfill' || step.kind === 'compare') {
    const withRows = rated(samples);
    if (withRows.length) {
      const perMs = withRows.reduce((sum, x) => sum + x.rows!, 0) / withRows.reduce((sum, x) => sum + x.ms, 0);
      const total = step.rowEstimate ?? median(withRows.map((x) => x.rows!));
      const done = step.kind === 'backfill' && s ? s.batches.rows + s.batches.skipped : 0;
      const rows = Math.max(0, total - done);
      return { ...base, ms: rows / perMs, basis: 'rate', samples: withRows.length, rows };
    }
  }
  if (samples.length) {
    return { ...base, ms: Math.max(0, median(samples.map((x) => x.ms)) - elapsed), basis: 'history', samples: samples.length };
  }
  if (step.kind === 'manual') return { ...base, basis: 'person', samples: 0 };
  return { ...base, basis: 'none', samples: 0 };
}

// How long the rest of a run takes, by earlier runs and rehearsals of the same runbook. Without a
// state: the whole runbook (plan).
export function forecastRun(basis: ForecastBasis, state?: RunState, now = Date.now()): RunForecast {
  const steps = basis.steps.map((step) => forecastStep(step, basis.history, state, now));
  let toEndMs = 0;
  let nextPointOfNoReturn: RunForecast['nextPointOfNoReturn'];
  basis.steps.forEach((step, i) => {
    const f = steps[i];
    if (!nextPointOfNoReturn && step.pointOfNoReturn && f.basis !== 'done')
      nextPointOfNoReturn = { step: step.id, inMs: toEndMs };
    toEndMs += f.ms ?? 0;
  });
  return {
    steps,
    toEndMs,
    unknown: steps.filter((f) => f.basis === 'none').map((f) => f.step),
    nextPointOfNoReturn,
    runs: basis.history.runs,
    rehearsals: basis.history.rehearsals,
  };
}

// How long rolling back takes from just after `through` (the steps done so far and `through`
// itself), by the rollbacks of earlier runs and rehearsals; steps whose rollback never ran before
// are listed.
export function forecastRollback(
  basis: ForecastBasis,
  state: RunState,
  through?: string,
): { ms: number; unknown: string[] } {
  let ms = 0;
  const unknown: string[] = [];
  for (const step of basis.steps) {
    const s = state.steps[step.id];
    const included = s?.status === 'succeeded' || step.id === through;
    if (!included || !step.undoable || readOnly.has(step.kind)) continue;
    const samples = basis.history.rollback[historyKey(step.id, step.hash)] ?? [];
    if (samples.length) ms += median(samples);
    else unknown.push(step.id);
  }
  return { ms, unknown };
}
