import type { EngineView } from '../../engine/engine-api.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { type Line, seg } from '../styled-line.js';
import { wrapText } from '../../format/wrap-text.js';
import { DialogFrame } from './dialog-frame.js';

// The runbook changed since the run started: what changed, flagged when it already ran.
export function DriftDialog(props: {
  view: EngineView;
  width: number;
  height: number;
  onAccept: () => void;
  onQuit: () => void;
}) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (input === 'y' || input === 'a') return props.onAccept();
    if (input === 'q' || input === 'n' || key.escape) return props.onQuit();
  });
  const { view, width } = props;
  const title = (step: string) => view.run.steps[step]?.title ?? step;
  // Each step, then what changed in its definition: removed lines red, added lines green.
  const changeColor = (line: string) => (line.startsWith('-') ? 'red' : line.startsWith('+') ? 'green' : undefined);
  const items: Line[] = view.drift.flatMap((d): Line[] => [
    [
      seg(` ${d.change.padEnd(8)} `, { bold: true, color: d.change === 'removed' ? 'yellow' : undefined }),
      seg(`${view.numbers[d.step] ?? '-'} ${title(d.step)}`),
      ...(d.ran ? [seg(`  ${theme.glyphs.warning} already ran`, { color: 'red', bold: true })] : []),
    ],
    ...(d.diff ?? []).map((line): Line => [seg(`    ${line}`.slice(0, Math.max(0, width - 2)), { color: changeColor(line) })]),
  ]);
  const explain = wrapText(
    'Steps that already ran keep their results and are not run again; the steps still to come run as the runbook says now.',
    width - 2,
  ).map((t): Line => [seg(` ${t}`, { dim: true })]);
  const room = props.height - 1 - 2;
  const shown =
    items.length + explain.length + 1 <= room
      ? items
      : items.slice(0, Math.max(1, room - explain.length - 2));
  const content: Line[] = [
    ...shown,
    ...(shown.length < items.length
      ? [[seg(` ${theme.glyphs.ellipsis} ${items.length - shown.length} more`, { dim: true })]]
      : []),
    [],
    ...explain,
  ];
  const controls: Line[] = [
    [],
    [
      seg(' y', { bold: true, color: 'cyan' }),
      seg(' go on with the runbook as it is now · '),
      seg('q', { bold: true, color: 'cyan' }),
      seg(' quit (the run stays paused)'),
    ],
  ];
  return (
    <DialogFrame
      title={`The runbook changed since this run started: ${view.drift.length} step${view.drift.length === 1 ? '' : 's'}`}
      danger={view.drift.some((d) => d.ran)}
      width={width}
      height={props.height}
      content={content}
      controls={controls}
    />
  );
}
