import type { LiveState } from '../../engine/engine-api.js';
import { backfillProgressOf } from '../../journal/backfill-progress-data.js';
import type { StepState } from '../../journal/reducer.js';
import { describeValue } from '../describe-value.js';
import { formatCount } from '../../format/format-count.js';
import { formatClock } from '../../format/format-time.js';
import { fitLine, type Line, lineWidth, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

type LiveBackfill = LiveState['backfill'][string];

// What the operator needs of a backfill: how far (bar, rows of total, %), how fast (rows/s),
// how long still (ETA), and the live controls' state (paused, batch size), the key reached and
// the rows skipped by ON CONFLICT.
export function backfillProgressLines(args: {
  step: StepState;
  live?: LiveBackfill;
  width: number;
  theme: Theme;
}): Line[] {
  const { step, live, width, theme } = args;
  const { total, rate, etaMs, ...data } = backfillProgressOf(step.progress?.data);
  // Committed batches are journaled (exactly once); a progress report may lead or lag them.
  const copied = Math.max(data.rows ?? 0, step.batches.rows);
  const skipped = Math.max(data.skipped ?? 0, step.batches.skipped);
  const done = copied + skipped;
  const batchSize = live?.batchSize ?? data.batchSize;
  const key = data.key ?? step.batches.lastHi;
  const finished = step.status === 'succeeded';
  const ascii = { ascii: theme.ascii };

  const lines: Line[] = [];
  if (total !== undefined && total > 0) {
    const fraction = finished ? 1 : Math.min(1, done / total);
    const figures = ` ${String(Math.floor(fraction * 100)).padStart(3)}%  ${formatCount(done)} / ${formatCount(total)} rows`;
    const barWidth = Math.max(8, Math.min(30, width - lineWidth([seg(figures)]) - 1));
    const full = Math.round(fraction * barWidth);
    lines.push([
      seg(theme.glyphs.barFull.repeat(full), { color: finished ? 'green' : 'cyan' }),
      seg(theme.glyphs.barEmpty.repeat(barWidth - full), { dim: true }),
      seg(figures),
    ]);
  } else {
    lines.push([seg(`${formatCount(done)} rows${finished ? '' : ' so far'}`)]);
  }

  const facts: Line = [];
  const add = (text: string, style = {}) => {
    if (facts.length) facts.push(seg(theme.glyphs.separator, { dim: true }));
    facts.push(seg(text, style));
  };
  if (live?.paused && !finished) add('PAUSED (p resumes)', { color: 'yellow', bold: true });
  else if (live?.pausedByFile && !finished) add('PAUSED (pause file)', { color: 'yellow', bold: true });
  if (rate !== undefined && !finished) add(`${formatCount(rate)} rows/s`);
  if (etaMs !== undefined && !finished && !live?.paused && !live?.pausedByFile) add(`ETA ${formatClock(etaMs)}`);
  if (batchSize !== undefined) add(`batch ${formatCount(batchSize)}`);
  add(`${formatCount(skipped)} skipped`, skipped > 0 ? { color: 'yellow' } : { dim: true });
  if (key !== undefined) add(`key ${describeValue(key)}`);
  if (step.batches.count > 0)
    add(`${formatCount(step.batches.count)} batch${step.batches.count === 1 ? '' : 'es'}`, { dim: true });
  lines.push(facts);
  return lines.map((line) => fitLine(line, width, ascii));
}
