import chalk, { type ChalkInstance } from 'chalk';
import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import { type Color, fitLine, type Line, type Segment } from '../styled-line.js';

const background: Record<Color, ChalkInstance> = {
  red: chalk.bgRed,
  green: chalk.bgGreen,
  yellow: chalk.bgYellow,
  blue: chalk.bgBlue,
  magenta: chalk.bgMagenta,
  cyan: chalk.bgCyan,
  white: chalk.bgWhite,
  gray: chalk.bgGray,
};

// A segment styled as Ink's <Text> styles its children (same chalk, same order), so the screen
// is the same as with one <Text> per segment.
function styled(s: Segment, color: boolean): string {
  let text = s.text;
  if (s.dim) text = chalk.dim(text);
  if (color && s.color) text = chalk[s.color](text);
  if (color && s.backgroundColor) text = background[s.backgroundColor](text);
  if (s.bold) text = chalk.bold(text);
  return text;
}

// A block of exactly `height` lines (padded or cut) at `width` columns, as one Ink text node:
// lines are fitted here (the last guard against overflow), so Ink never wraps or cuts them.
// Without colour only the text and bold/dim remain. The block is one styled string, not a
// <Text> per segment: a frame then costs React and Ink a node per block instead of hundreds,
// which kept a screen busy while a step printed.
export function LinesBlock({ lines, width, height }: { lines: Line[]; width: number; height?: number }) {
  const theme = useTheme();
  const count = height ?? lines.length;
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const line = fitLine(lines[i] ?? [], width, { ascii: theme.ascii });
    rows.push(line.map((s) => styled(s, theme.color)).join(''));
  }
  return (
    <Box width={width} height={count} flexShrink={0}>
      <Text>{rows.join('\n')}</Text>
    </Box>
  );
}
