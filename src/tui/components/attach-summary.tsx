import { Box } from 'ink';
import type { EngineView } from '../../engine/engine-api.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { attachSummaryLines } from '../lines/attach-summary-lines.js';
import { titledRule } from '../lines/rule-lines.js';
import { seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// Before the checklist on attach: what the run's engine did while nobody was attached.
export function AttachSummary(props: {
  view: EngineView;
  width: number;
  height: number;
  onContinue: () => void;
  onLeave: () => void;
}) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.return || input === ' ') return props.onContinue();
    if (input === 'q') return props.onLeave();
  });
  const { width, height } = props;
  const lines = attachSummaryLines({ view: props.view, width, height: height - 1 });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[titledRule([seg('While nobody was attached', { bold: true })], width, theme)]} width={width} />
      <LinesBlock lines={lines} width={width} height={height - 1} />
    </Box>
  );
}
