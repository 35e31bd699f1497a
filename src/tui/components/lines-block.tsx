import { Box } from 'ink';
import type { Line } from '../styled-line.js';
import { LineView } from './line-view.js';

// A block of exactly `height` lines (padded or cut) at `width` columns.
export function LinesBlock({ lines, width, height }: { lines: Line[]; width: number; height?: number }) {
  const rows =
    height === undefined
      ? lines
      : [...lines.slice(0, height), ...Array(Math.max(0, height - lines.length)).fill([])];
  return (
    <Box flexDirection="column" width={width} height={rows.length} flexShrink={0}>
      {rows.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a screen row is identified by its position
        <LineView key={i} line={line} width={width} />
      ))}
    </Box>
  );
}
