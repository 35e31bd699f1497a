import { Box } from 'ink';
import { useState } from 'react';
import type { EngineView } from '../../engine/engine-api.js';
import { formatCount } from '../../format/format-count.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { titledRule } from '../lines/rule-lines.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// The selected step's output tail, full width and scrollable; it follows new output while
// scrolled to the end. The engine keeps a bounded tail: the full output is in the log file.
export function LogView(props: {
  view: EngineView;
  step: string;
  width: number;
  height: number;
  onClose: () => void;
}) {
  const theme = useTheme();
  const { view, step, width, height } = props;
  const tail = view.live.output[step];
  const lines = tail?.lines ?? [];
  const room = Math.max(1, height - 1);
  const maxBack = Math.max(0, lines.length - room);
  const [back, setBack] = useState(0);
  const fromEnd = Math.min(back, maxBack);
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.escape || input === 'l' || input === 'q') return props.onClose();
    if (key.upArrow || input === 'k') return setBack(Math.min(maxBack, fromEnd + 1));
    if (key.downArrow || input === 'j') return setBack(Math.max(0, fromEnd - 1));
    if (key.pageUp) return setBack(Math.min(maxBack, fromEnd + room));
    if (key.pageDown || input === ' ') return setBack(Math.max(0, fromEnd - room));
    if (key.home || input === 'g') return setBack(maxBack);
    if (key.end || input === 'G') return setBack(0);
  });
  const end = lines.length - fromEnd;
  const start = Math.max(0, end - room);
  const state = view.run.steps[step];
  const total = tail?.total ?? 0;
  const range = lines.length
    ? `lines ${formatCount(total - lines.length + start + 1)}-${formatCount(total - lines.length + end)} of ${formatCount(total)}`
    : 'no output yet';
  const title: Line = [
    seg(`Log ${view.numbers[step] ?? step} ${state?.title ?? step}`, { bold: true }),
    seg(`${theme.glyphs.separator}${range}${fromEnd === 0 && lines.length ? ' (following)' : ''}`, {
      dim: true,
    }),
  ];
  const body: Line[] = lines.slice(start, end).map((l) => [seg(l)]);
  if (!tail)
    body.push([
      seg(state?.log ? `The output of this step is in ${state.log}` : 'This step has no output.', {
        dim: true,
      }),
    ]);
  else if (total > lines.length && start === 0 && state?.log) {
    body.unshift([seg(`earlier lines: ${state.log}`, { dim: true })]);
    body.splice(room);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[titledRule(title, width, theme)]} width={width} />
      <LinesBlock lines={body} width={width} height={room} />
    </Box>
  );
}
