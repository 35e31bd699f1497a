import { formatSpan } from '../../format/format-time.js';
import type { RunForecast, StepForecast } from './forecast-run.js';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// One step's expected time, for plan and the detail pane: "~6 min", "~2 min (1,200,000 rows at
// 10,000 rows/s)", "24h soak", or why there is none.
export function describeStepForecast(f: StepForecast): string {
  switch (f.basis) {
    case 'done':
      return 'done';
    case 'soak':
      return `soak ${formatSpan(f.ms ?? 0)}`;
    case 'person':
      return 'a person’s time';
    case 'none':
      return 'no history';
    case 'rate':
      return `~${formatSpan(f.ms ?? 0)} (${Math.round(f.rows ?? 0).toLocaleString('en-US')} rows at the rate of ${count(f.samples, 'earlier run')})`;
    case 'history':
      return `~${formatSpan(f.ms ?? 0)}`;
  }
}

// Where the forecast comes from: "2 earlier runs, 1 of them a rehearsal".
export function forecastSource(f: RunForecast): string {
  return `${count(f.runs, 'earlier run')}${f.rehearsals ? `, ${f.rehearsals} of them ${f.rehearsals === 1 ? 'a rehearsal' : 'rehearsals'}` : ''}`;
}

// The total: "~14 min in all, by 2 earlier runs" (and what it leaves out), or no history at all.
export function describeRunForecast(f: RunForecast, rehearse: string): string {
  if (f.runs === 0) return `no forecast: this runbook has never run here; rehearse it for one (${rehearse})`;
  const unknown = f.unknown.length ? `; no history for ${f.unknown.join(', ')}` : '';
  return `~${formatSpan(f.toEndMs)} in all, by ${forecastSource(f)}${unknown}`;
}
