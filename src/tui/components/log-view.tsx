import { Box } from 'ink';
import { useState } from 'react';
import type { EngineHandle, EngineView } from '../../engine/engine-api.js';
import { formatCount } from '../../format/format-count.js';
import { useKeys } from '../hooks/use-keys.js';
import { type LogTop, useLogPage } from '../hooks/use-log-page.js';
import { useTheme } from '../hooks/use-theme.js';
import { titledRule } from '../lines/rule-lines.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// The selected step's whole output, read a page at a time from its log file by the engine, full
// width and scrollable from the first line to the last; at the end it follows new output.
export function LogView(props: {
  engine: EngineHandle;
  view: EngineView;
  step: string;
  width: number;
  height: number;
  onClose: () => void;
}) {
  const theme = useTheme();
  const { engine, view, step, width, height } = props;
  const room = Math.max(1, height - 1);
  const [top, setTop] = useState<LogTop>('end');
  const { page, following, answered } = useLogPage(engine, view, step, top, room);
  const first = page?.starts[0] ?? 0;

  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.escape || input === 'l' || input === 'q') return props.onClose();
    if (!page) return;
    const back = (lines: number) => {
      if (first === 0) return setTop(0);
      void engine.logPage(step, { before: first }, lines).then(
        (before) => setTop(before?.starts[0] ?? 0),
        () => {},
      );
    };
    if (key.upArrow || input === 'k') return back(1);
    if (key.pageUp) return back(room);
    if (key.downArrow || input === 'j') return following || setTop(page.starts[1] ?? page.end);
    if (key.pageDown || input === ' ') return following || setTop(page.end);
    if (key.home || input === 'g') return setTop(0);
    if (key.end || input === 'G') return setTop('end');
  });

  const state = view.run.steps[step];
  const total = view.live.output[step]?.total;
  const where = !answered
    ? 'reading'
    : page
    ? [
        `${page.size === 0 ? 100 : Math.round((100 * page.end) / page.size)}%`,
        ...(total === undefined ? [] : [`${formatCount(total)} lines`]),
      ].join(theme.glyphs.separator)
    : 'no output';
  const title: Line = [
    seg(`Log ${view.numbers[step] ?? step} ${state?.title ?? step}`, { bold: true }),
    seg(`${theme.glyphs.separator}${where}${following && page?.size ? ' (following)' : ''}`, { dim: true }),
  ];
  const missing = !answered
    ? 'Reading the log…'
    : state?.log
      ? `The log ${state.log} cannot be read.`
      : 'This step has not run: no output yet.';
  const body: Line[] = page ? page.lines.map((l) => [seg(l)]) : [[seg(missing, { dim: true })]];
  if (page?.size === 0) body.push([seg('The step printed nothing.', { dim: true })]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[titledRule(title, width, theme)]} width={width} />
      <LinesBlock lines={body} width={width} height={room} />
    </Box>
  );
}
