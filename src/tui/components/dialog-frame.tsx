import { Box } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import { titledRule } from '../lines/rule-lines.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// A dialog in the body of the screen: a titled rule (red when it is dangerous), the content,
// and the controls pinned to the bottom.
export function DialogFrame(props: {
  title: string;
  danger?: boolean;
  width: number;
  height: number;
  content: Line[];
  controls: Line[];
}) {
  const theme = useTheme();
  const { width, height } = props;
  const room = Math.max(0, height - 1 - props.controls.length);
  const rule = titledRule(
    [seg(props.title, { bold: true, color: props.danger ? 'red' : 'yellow' })],
    width,
    theme,
    props.danger ? 'red' : 'yellow',
  );
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LinesBlock lines={[rule]} width={width} />
      <LinesBlock lines={props.content} width={width} height={room} />
      <LinesBlock lines={props.controls} width={width} height={Math.min(props.controls.length, height - 1)} />
    </Box>
  );
}
