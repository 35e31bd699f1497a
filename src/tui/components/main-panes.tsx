import { Box } from 'ink';
import type { EngineView } from '../../engine/engine-api.js';
import { type ChecklistRow, parseKey } from '../checklist-rows.js';
import { paneWidths } from '../compute-layout.js';
import { useTheme } from '../hooks/use-theme.js';
import { checklistLines } from '../lines/checklist-lines.js';
import { phaseDetailLines } from '../lines/phase-detail-lines.js';
import { splitTopRule } from '../lines/rule-lines.js';
import { stepDetailLines } from '../lines/step-detail-lines.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// The checklist on the left, the selected step (or phase) on the right, under one rule.
export function MainPanes(props: {
  view: EngineView;
  rows: ChecklistRow[];
  selected: string;
  width: number;
  height: number;
  now: number;
  spinnerFrame: string;
}) {
  const theme = useTheme();
  const { view, selected, width, height, now, spinnerFrame } = props;
  const widths = paneWidths(width);
  const body = Math.max(0, height - 1);
  const inner = Math.max(0, widths.right - 1);

  const { kind, id } = parseKey(selected);
  const h = theme.glyphs.horizontal;
  let title: Line;
  let detail: Line[];
  if (kind === 'step' && view.run.steps[id]) {
    const step = view.run.steps[id];
    title = [
      seg(`${view.numbers[id] ?? '-'} ${step.title}`, { bold: true }),
      seg(` ${h}${h} ${step.kind}`, { dim: true }),
    ];
    detail = stepDetailLines({ view, stepId: id, width: inner, height: body, theme, spinnerFrame, now });
  } else {
    const index = view.run.phases.findIndex((p) => p.id === id);
    const phase = view.run.phases[index];
    title = phase
      ? [
          seg(`${index + 1} ${phase.title}`, { bold: true }),
          seg(` ${h}${h} ${kind === 'gate' ? 'gate' : 'phase'}`, { dim: true }),
        ]
      : [];
    detail = phase ? phaseDetailLines({ view, phaseId: phase.id, width: inner, height: body, theme }) : [];
  }
  // One blank column keeps the checklist's counts off the divider.
  const checklist = checklistLines({
    view,
    rows: props.rows,
    selected,
    width: widths.left - 1,
    height: body,
    theme,
    spinnerFrame,
  });
  const divider: Line[] = Array.from({ length: body }, () => [seg(theme.glyphs.vertical, { dim: true })]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock
        lines={[splitTopRule([seg('Checklist', { bold: true })], title, widths, theme)]}
        width={width}
      />
      <Box flexDirection="row" width={width} height={body}>
        <LinesBlock lines={checklist} width={widths.left} height={body} />
        <LinesBlock lines={divider} width={1} height={body} />
        <Box width={widths.right} height={body} paddingLeft={1}>
          <LinesBlock lines={detail} width={inner} height={body} />
        </Box>
      </Box>
    </Box>
  );
}
