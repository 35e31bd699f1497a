import { Box } from 'ink';
import type { EngineView } from '../../engine/engine-api.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { resumeSummaryLines } from '../lines/resume-summary-lines.js';
import { titledRule } from '../lines/rule-lines.js';
import { seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

export function ResumeSummary(props: {
  view: EngineView;
  now: number;
  width: number;
  height: number;
  onContinue: () => void;
  onQuit: () => void;
}) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.return || input === ' ') return props.onContinue();
    if (input === 'q') return props.onQuit();
  });
  const { width, height } = props;
  const lines = resumeSummaryLines({ view: props.view, now: props.now, width, height: height - 1, theme });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[titledRule([seg('Resuming', { bold: true })], width, theme)]} width={width} />
      <LinesBlock lines={lines} width={width} height={height - 1} />
    </Box>
  );
}
