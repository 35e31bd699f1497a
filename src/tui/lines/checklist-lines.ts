import type { EngineView } from '../../engine/engine-api.js';
import type { ChecklistRow } from '../checklist-rows.js';
import { phaseProgress } from '../../journal/run-questions.js';
import { stepMark } from '../step-symbol.js';
import { fitLine, type Line, type Segment, seg, spreadLine } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { gateLabel } from './gate-label.js';

interface Args {
  view: EngineView;
  rows: ChecklistRow[];
  selected: string;
  width: number;
  height: number;
  theme: Theme;
  spinnerFrame: string;
}

function phaseSymbol(args: Args, phaseId: string): Segment {
  const { view, theme, spinnerFrame } = args;
  const phase = view.run.phases.find((p) => p.id === phaseId)!;
  const progress = phaseProgress(phase, view.run);
  const { status, phaseActive } = theme.glyphs;
  if (phase.steps.some((id) => ['running', 'rolling_back'].includes(view.run.steps[id]?.status))) {
    return seg(spinnerFrame, { color: 'cyan' });
  }
  switch (progress.condition) {
    case 'done':
      return seg(status.succeeded, { color: 'green' });
    case 'failed':
      return seg(status.failed, { color: 'red', bold: true });
    case 'rolled_back':
      return seg(status.rolled_back, { color: 'magenta' });
    case 'active':
      return seg(phaseActive, { color: 'cyan' });
    default:
      return seg(status.pending, { color: 'gray' });
  }
}

function rowLine(args: Args, row: ChecklistRow): Line {
  const { view, theme, width } = args;
  const selected = row.key === args.selected;
  const pointer = seg(selected ? theme.glyphs.pointer : ' ', { color: 'cyan', bold: true });
  const strong = { bold: selected };
  const ascii = { ascii: theme.ascii };
  if (row.kind === 'phase') {
    const phase = view.run.phases.find((p) => p.id === row.phase)!;
    const progress = phaseProgress(phase, view.run);
    const gateNext = view.next?.kind === 'gate' && view.next.phase === phase.id;
    // A narrow pane says only "gate": the phase title needs the room more.
    const label = width - gateLabel(phase).length - 5 < 12 ? 'gate' : gateLabel(phase);
    const right: Line = gateNext
      ? [seg(label, { color: 'yellow', bold: true })]
      : [phaseSymbol(args, phase.id), seg(` ${progress.done}/${progress.total}`)];
    const number = view.run.phases.indexOf(phase) + 1;
    return spreadLine([pointer, seg(` ${number} ${phase.title}`, strong)], right, width, ascii);
  }
  if (row.kind === 'gate') {
    const phase = view.run.phases.find((p) => p.id === row.phase)!;
    const next = view.next?.kind === 'gate' && view.next.phase === phase.id;
    const mark =
      phase.gateStatus === 'passed'
        ? seg(theme.glyphs.status.succeeded, { color: 'green' })
        : next
          ? seg('?', { color: 'yellow', bold: true })
          : seg(theme.glyphs.status.pending, { color: 'gray' });
    return fitLine(
      [
        pointer,
        seg('  '),
        mark,
        seg(` ${gateLabel(phase)}`, { ...strong, color: next ? 'yellow' : undefined }),
      ],
      width,
      ascii,
    );
  }
  const step = view.run.steps[row.step];
  const number = view.numbers[row.step] ?? '-';
  const isNext = view.next?.kind === 'step' && view.next.step === row.step;
  return fitLine(
    [
      pointer,
      seg('  '),
      stepMark(step, theme.glyphs, args.spinnerFrame),
      seg(` ${number} `, { dim: !selected }),
      seg(step.title, { ...strong, color: isNext && !selected ? 'cyan' : undefined }),
    ],
    width,
    ascii,
  );
}

// The visible window of the checklist: exactly `height` lines, the selection always inside.
export function checklistLines(args: Args): Line[] {
  const { rows, height } = args;
  const at = Math.max(
    0,
    rows.findIndex((r) => r.key === args.selected),
  );
  const offset = Math.max(0, Math.min(at - Math.floor(height / 2), rows.length - height));
  const visible = rows.slice(offset, offset + height).map((row) => rowLine(args, row));
  while (visible.length < height) visible.push([]);
  return visible;
}
