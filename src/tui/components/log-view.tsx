import { Box } from 'ink';
import { useState } from 'react';
import type { EngineView } from '../../engine/engine-api.js';
import type { LogPage, LogPosition } from '../../engine/read-log-page.js';
import { formatCount } from '../../format/format-count.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { titledRule } from '../lines/rule-lines.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// Where the view stands: following the end of the log, or at the line starting at a byte.
type Top = 'end' | number;

// The selected step's whole output, read a page at a time from its log file through the engine,
// full width and scrollable from the first line to the last; at the end it follows new output.
export function LogView(props: {
  view: EngineView;
  step: string;
  width: number;
  height: number;
  readPage: (position: LogPosition, count: number) => LogPage | undefined;
  onClose: () => void;
}) {
  const theme = useTheme();
  const { view, step, width, height, readPage } = props;
  const room = Math.max(1, height - 1);
  const [top, setTop] = useState<Top>('end');
  let page = readPage(top === 'end' ? {} : { from: top }, room);
  // A page that reaches the end short of a screenful shows the last screenful instead.
  const following =
    top === 'end' || (page !== undefined && page.end >= page.size && page.lines.length < room);
  if (following && top !== 'end') page = readPage({}, room);
  const first = page?.starts[0] ?? 0;

  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.escape || input === 'l' || input === 'q') return props.onClose();
    if (!page) return;
    const back = (lines: number) =>
      setTop(first === 0 ? 0 : (readPage({ before: first }, lines)?.starts[0] ?? 0));
    if (key.upArrow || input === 'k') return back(1);
    if (key.pageUp) return back(room);
    if (key.downArrow || input === 'j') return following || setTop(page.starts[1] ?? page.end);
    if (key.pageDown || input === ' ') return following || setTop(page.end);
    if (key.home || input === 'g') return setTop(0);
    if (key.end || input === 'G') return setTop('end');
  });

  const state = view.run.steps[step];
  const total = view.live.output[step]?.total;
  const where = page
    ? [
        `${page.size === 0 ? 100 : Math.round((100 * page.end) / page.size)}%`,
        ...(total === undefined ? [] : [`${formatCount(total)} lines`]),
      ].join(theme.glyphs.separator)
    : 'no output';
  const title: Line = [
    seg(`Log ${view.numbers[step] ?? step} ${state?.title ?? step}`, { bold: true }),
    seg(`${theme.glyphs.separator}${where}${following && page?.size ? ' (following)' : ''}`, { dim: true }),
  ];
  const missing = state?.log ? `The log ${state.log} cannot be read.` : 'This step has not run: no output yet.';
  const body: Line[] = page ? page.lines.map((l) => [seg(l)]) : [[seg(missing, { dim: true })]];
  if (page?.size === 0) body.push([seg('The step printed nothing.', { dim: true })]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[titledRule(title, width, theme)]} width={width} />
      <LinesBlock lines={body} width={width} height={room} />
    </Box>
  );
}
