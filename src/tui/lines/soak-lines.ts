import type { StepState } from '../../journal/reducer.js';
import { formatClock, formatUtc } from '../../format/format-time.js';
import { type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

const barWidth = 20;
const historyShown = 5;

// A soak's countdown, its progress and its latest evaluations, newest first.
export function soakLines(step: StepState, now: number, theme: Theme): Line[] {
  const soak = step.soak;
  if (!soak) return [];
  const start = Date.parse(soak.startedAt);
  const end = Date.parse(soak.endsAt);
  const { glyphs } = theme;
  const lines: Line[] = [];
  if (step.status === 'soaking') {
    const done = Math.min(1, Math.max(0, (now - start) / Math.max(1, end - start)));
    const full = Math.round(done * barWidth);
    lines.push([
      seg(glyphs.barFull.repeat(full), { color: 'cyan' }),
      seg(glyphs.barEmpty.repeat(barWidth - full), { dim: true }),
      seg(` ${formatClock(Math.max(0, end - now))} left`, { color: 'cyan', bold: true }),
      seg(`${glyphs.separator}until ${formatUtc(end)}`, { dim: true }),
    ]);
  }
  const failed = soak.history.filter((h) => !h.ok).length;
  lines.push([
    seg(
      `checks every ${formatClock(soak.everyMs)}${glyphs.separator}${soak.evaluations} evaluation${soak.evaluations === 1 ? '' : 's'}` +
        (failed ? `, ${failed} failed` : ''),
      { dim: true },
    ),
  ]);
  for (const h of soak.history.slice(-historyShown).reverse()) {
    lines.push([
      seg(`${h.ok ? glyphs.status.succeeded : glyphs.status.failed} `, { color: h.ok ? 'green' : 'red' }),
      seg(`${formatUtc(Date.parse(h.at)).slice(11)}  `, { dim: true }),
      seg(h.results.map((r) => r.summary).join('; '), h.ok ? {} : { color: 'red' }),
    ]);
  }
  for (const s of soak.earlySignoffs) {
    lines.push([seg(`ended early by ${s.operator}: ${s.note}`, { color: 'yellow' })]);
  }
  return lines;
}
