import type { EngineView } from '../../engine/engine-api.js';
import { formatSpan } from '../../format/format-time.js';
import { forecastRun } from '../../journal/forecast/forecast-run.js';
import { seg, type Segment } from '../styled-line.js';

// Beside the window timer: how long the rest should take and when the next point of no return
// comes, by earlier runs and rehearsals ("end ~12 min · no return in ~4 min"). Nothing without
// history (plan says so), nor once the run has ended.
export function forecastSegments(view: EngineView, now: number): Segment[] {
  const { run } = view;
  if (!view.forecast || view.forecast.history.runs === 0) return [];
  if (run.status === 'succeeded' || run.status === 'rolled_back' || run.rollback) return [];
  const f = forecastRun(view.forecast, run, now);
  const ponr = f.nextPointOfNoReturn ? ` · no return in ~${formatSpan(f.nextPointOfNoReturn.inMs)}` : '';
  return [seg(`end ~${formatSpan(f.toEndMs)}${ponr}  `, { dim: true })];
}
