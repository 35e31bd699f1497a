import { useState } from 'react';
import type { EngineHandle, EngineView, RollbackPlan } from '../../engine/engine-api.js';
import { useKeys } from '../hooks/use-keys.js';
import { useRollbackPlan } from '../hooks/use-rollback-plan.js';
import { useTheme } from '../hooks/use-theme.js';
import { rollbackPlanLines } from '../lines/rollback-plan-lines.js';
import { type Line, seg } from '../styled-line.js';
import { DialogFrame } from './dialog-frame.js';

// Shows the rollback plan, scrollable; `y` goes on to the confirmation, `t` limits it to the
// steps after the selected one.
export function RollbackPlanDialog(props: {
  engine: EngineHandle;
  view: EngineView;
  to?: string;
  selectedStep?: string;
  width: number;
  height: number;
  onProceed: (plan: RollbackPlan, to?: string) => void;
  onChangeTo: (to?: string) => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const { engine, view, to, width, height } = props;
  const [offset, setOffset] = useState(0);
  const planned = useRollbackPlan(engine, view.run, to) ?? {};
  const lines: Line[] = planned.plan
    ? rollbackPlanLines(planned.plan, view, width, theme)
    : planned.error
      ? [[seg(` ${planned.error}`, { color: 'red', bold: true })]]
      : [[seg(' asking the engine for the plan…', { dim: true })]];
  const room = Math.max(1, height - 3);
  const maxOffset = Math.max(0, lines.length - room);
  const at = Math.min(offset, maxOffset);
  const canProceed = planned.plan !== undefined && planned.plan.items.length > 0;
  const toggle = props.selectedStep && props.selectedStep !== to ? props.selectedStep : undefined;
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.upArrow || input === 'k') return setOffset(Math.max(0, at - 1));
    if (key.downArrow || input === 'j') return setOffset(Math.min(maxOffset, at + 1));
    if (key.pageUp) return setOffset(Math.max(0, at - room));
    if (key.pageDown || input === ' ') return setOffset(Math.min(maxOffset, at + room));
    if ((input === 'y' || key.return) && canProceed && planned.plan) return props.onProceed(planned.plan, to);
    if (input === 't') return props.onChangeTo(to ? undefined : toggle);
    if (input === 'n' || input === 'q' || key.escape) return props.onCancel();
  });
  const visible = lines.slice(at, at + room);
  const more = lines.length - at - visible.length;
  const stepName = (id: string) => `${view.numbers[id] ?? id}`;
  const hint: Line = [seg(' ')];
  const add = (k: string, text: string) => {
    if (hint.length > 1) hint.push(seg(theme.glyphs.separator, { dim: true }));
    hint.push(seg(k, { bold: true, color: 'cyan' }), seg(` ${text}`));
  };
  if (canProceed) add('y', 'roll back');
  if (to) add('t', 'the whole run');
  else if (toggle) add('t', `only the steps after ${stepName(toggle)}`);
  if (maxOffset > 0) add('j/k', more > 0 ? `scroll (${more} more lines)` : 'scroll');
  add('esc', 'cancel');
  const count = planned.plan?.items.filter((i) => i.action !== 'pass-over').length ?? 0;
  const title = `Rollback plan${to ? ` after ${stepName(to)}` : ''}: ${count} step${count === 1 ? '' : 's'} to undo, newest first`;
  return (
    <DialogFrame title={title} danger width={width} height={height} content={visible} controls={[[], hint]} />
  );
}
