import { Box, Text } from 'ink';
import { useTheme } from '../hooks/use-theme.js';
import { fitLine, type Line } from '../styled-line.js';

// One screen line, cut to its width (builders fit lines already; this is the last guard).
// Without colour only the text and bold/dim remain.
export function LineView({ line, width }: { line: Line; width: number }) {
  const theme = useTheme();
  const fitted = fitLine(line, width, { ascii: theme.ascii });
  return (
    <Box width={width} height={1} flexShrink={0} overflow="hidden">
      <Text wrap="truncate-end">
        {fitted.map((s, i) => (
          <Text
            // biome-ignore lint/suspicious/noArrayIndexKey: segments have no identity beyond their place
            key={i}
            color={theme.color ? s.color : undefined}
            backgroundColor={theme.color ? s.backgroundColor : undefined}
            bold={s.bold}
            dimColor={s.dim}
          >
            {s.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
