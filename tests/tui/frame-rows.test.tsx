import { Box, Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(cleanup);

// patches/ink+6.8.0.patch keeps each screen row of a frame, by what was written on it and where,
// for the next frame: a row written as before is not laid out again. A row is the same only if
// every text on it is the same and at the same column.
function Panes({ left, right, gap }: { left: string; right: string; gap: number }) {
  return (
    <Box flexDirection="row">
      <Box width={gap} flexShrink={0}>
        <Text>{left}</Text>
      </Box>
      <Text>{right}</Text>
    </Box>
  );
}

describe('a frame drawn after another', () => {
  it('shows every row as written now: a text that moved, a text that changed, a row as before', () => {
    const app = render(<Panes left={'checklist\nstep 2'} right={'output 1\noutput 2'} gap={12} />);
    expect(app.lastFrame()).toBe('checklist   output 1\nstep 2      output 2');
    app.rerender(<Panes left={'checklist\nstep 2'} right={'output 1\noutput 2'} gap={10} />);
    expect(app.lastFrame()).toBe('checklist output 1\nstep 2    output 2');
    app.rerender(<Panes left={'checklist\nstep 2'} right={'output 1\noutput 3'} gap={10} />);
    expect(app.lastFrame()).toBe('checklist output 1\nstep 2    output 3');
    app.rerender(<Panes left={'checklist\nstep 3'} right={'output 1\noutput 3'} gap={12} />);
    expect(app.lastFrame()).toBe('checklist   output 1\nstep 3      output 3');
  });
});
