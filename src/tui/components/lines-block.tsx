import { Box, Text } from 'ink';
import { Fragment } from 'react';
import { useTheme } from '../hooks/use-theme.js';
import { fitLine, type Line } from '../styled-line.js';

// A block of exactly `height` lines (padded or cut) at `width` columns, as one Ink text node:
// lines are fitted here (the last guard against overflow), so Ink never wraps or cuts them.
// Without colour only the text and bold/dim remain.
export function LinesBlock({ lines, width, height }: { lines: Line[]; width: number; height?: number }) {
  const theme = useTheme();
  const count = height ?? lines.length;
  const rows: Line[] = [];
  for (let i = 0; i < count; i++) rows.push(fitLine(lines[i] ?? [], width, { ascii: theme.ascii }));
  return (
    <Box width={width} height={count} flexShrink={0}>
      <Text>
        {rows.map((line, i) => (
          // A screen row is identified by its position.
          <Fragment key={i}>
            {line.map((s, j) => (
              <Text
                // Segments have no identity beyond their place.
                key={j}
                color={theme.color ? s.color : undefined}
                backgroundColor={theme.color ? s.backgroundColor : undefined}
                bold={s.bold}
                dimColor={s.dim}
              >
                {s.text}
              </Text>
            ))}
            {i < rows.length - 1 ? '\n' : ''}
          </Fragment>
        ))}
      </Text>
    </Box>
  );
}
