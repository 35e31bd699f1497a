import type { EngineView, RollbackPlan } from '../../engine/engine-api.js';
import { type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../../format/wrap-text.js';

const actions = { reverse: 'reverse', signoff: 'sign off', 'pass-over': 'pass over' } as const;

// The plan before anything is rolled back: every completed step newest first with what undoing
// it runs, the irreversible ones that need a sign-off, the ones passed over, and the steps that
// partly ran for the operator to decide.
export function rollbackPlanLines(plan: RollbackPlan, view: EngineView, width: number, theme: Theme): Line[] {
  const name = (step: string) => `${view.numbers[step] ?? '-'} ${view.run.steps[step]?.title ?? step}`;
  const lines: Line[] = [];
  if (plan.pointOfNoReturnPassed.length) {
    const text = `${theme.glyphs.warning} past the point of no return (${plan.pointOfNoReturnPassed.map(name).join(', ')}): reversing steps may not be enough; read that step's description first.`;
    for (const t of wrapText(text, width - 2)) lines.push([seg(` ${t}`, { color: 'red', bold: true })]);
  }
  if (plan.items.length === 0)
    lines.push([seg(' Nothing to roll back: no step has completed.', { bold: true })]);
  for (const item of plan.items) {
    const color = item.action === 'reverse' ? 'magenta' : item.action === 'signoff' ? 'yellow' : undefined;
    lines.push([
      seg(` ${actions[item.action].padEnd(10)} `, { bold: true, color, dim: item.action === 'pass-over' }),
      seg(name(item.step), { dim: item.action === 'pass-over' }),
      ...(item.note ? [seg(`${theme.glyphs.separator}${item.note}`, { dim: true })] : []),
    ]);
    for (const l of (item.rendered ?? '').split('\n').filter((x) => x.trim())) {
      lines.push([seg(`            ${l}`, { color: 'cyan' })]);
    }
  }
  for (const step of plan.partial) {
    lines.push([
      seg(` ${'partly ran'.padEnd(10)} `, { bold: true, color: 'yellow' }),
      seg(name(step)),
      seg(`${theme.glyphs.separator}failed or interrupted: not rolled back; decide by hand`, {
        color: 'yellow',
      }),
    ]);
  }
  return lines;
}
