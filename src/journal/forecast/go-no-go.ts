import { formatSpan } from '../../format/format-time.js';
import type { RunState } from '../reducer.js';
import { type ForecastBasis, forecastRollback, forecastRun } from './forecast-run.js';

export interface GoNoGo {
  // undefined: nothing to decide on (no history, or no window budget).
  fits?: boolean;
  text: string;
}

function unknownNote(steps: string[]): string {
  return steps.length ? ` (no history for ${steps.join(', ')})` : '';
}

// Before a point of no return: does finishing, plus rolling back from just after it, fit the
// window that is left? "go: 6 min to the end, rollback from here 9 min, 18 min left".
export function goNoGo(basis: ForecastBasis, state: RunState, step: string, now: number, rehearse: string): GoNoGo {
  if (basis.history.runs === 0) {
    return { text: `no forecast: this runbook has never run here; rehearse it first (${rehearse})` };
  }
  const run = forecastRun(basis, state, now);
  const rollback = forecastRollback(basis, state, step);
  const parts = `${formatSpan(run.toEndMs)} to the end${unknownNote(run.unknown)}, rollback from here ${formatSpan(rollback.ms)}${unknownNote(rollback.unknown)}`;
  const budget = state.started.window?.budget_ms;
  if (budget === undefined) return { text: `forecast: ${parts} (the runbook sets no window budget)` };
  const left = Math.max(0, budget - (now - Date.parse(state.startedAt)));
  const fits = run.toEndMs + rollback.ms <= left;
  return { fits, text: `${fits ? 'go' : 'no-go'}: ${parts}, ${formatSpan(left)} left${fits ? '' : ' in the window'}` };
}
