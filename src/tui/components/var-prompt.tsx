import { Box } from 'ink';
import { useRef, useState } from 'react';
import type { MissingVar } from '../../engine/open-run.js';
import { useKeys } from '../hooks/use-keys.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { useTextInput } from '../hooks/use-text-input.js';
import { useTheme } from '../hooks/use-theme.js';
import { inputLine } from '../lines/input-line.js';
import { type Line, seg } from '../styled-line.js';
import { LinesBlock } from './lines-block.js';

// Asks the vars declared with `prompt:` one after the other; a secret is typed without echo.
export function VarPrompt(props: {
  vars: MissingVar[];
  onDone: (values: Record<string, string>) => void;
  onCancel: () => void;
}) {
  const theme = useTheme();
  const { columns } = useTerminalSize();
  const width = Math.max(20, columns - 1);
  // Answers live in a ref: the next answer may be typed before React renders the last one.
  const answers = useRef<Record<string, string>>({});
  const [values, setValues] = useState<Record<string, string>>({});
  const [empty, setEmpty] = useState(false);
  const index = Object.keys(values).length;
  const current = props.vars[index];
  const input = useTextInput({
    onSubmit: (value) => {
      const asked = props.vars[Object.keys(answers.current).length];
      if (!asked) return;
      if (value === '') return setEmpty(true);
      answers.current = { ...answers.current, [asked.name]: value };
      input.clear();
      setValues(answers.current);
      if (Object.keys(answers.current).length === props.vars.length) props.onDone(answers.current);
    },
    onCancel: props.onCancel,
    onChange: () => setEmpty(false),
    isActive: current !== undefined,
  });
  useKeys((inputKey, key) => {
    if (key.ctrl && inputKey === 'c') props.onCancel();
  });
  const lines: Line[] = [
    [
      seg(
        ` This run needs ${props.vars.length === 1 ? 'a value' : `${props.vars.length} values`} before it starts:`,
        { bold: true },
      ),
    ],
  ];
  props.vars.forEach((v, i) => {
    const label = `${v.prompt ?? v.name}${v.prompt ? ` (${v.name})` : ''}${v.secret ? ', secret: not shown' : ''}`;
    if (i < index) {
      lines.push([
        seg(` ${theme.glyphs.status.succeeded} `, { color: 'green' }),
        seg(label),
        seg(v.secret ? '' : `: ${values[v.name]}`, { dim: true }),
      ]);
    } else if (i === index) {
      lines.push([
        seg(` ${theme.glyphs.pointer} `, { color: 'cyan', bold: true }),
        seg(label, { bold: true }),
      ]);
      lines.push(inputLine(input.value, width, theme, v.secret));
      lines.push(
        empty
          ? [
              seg(`   ${theme.glyphs.warning} a value is needed; escape cancels the run`, {
                color: 'red',
                bold: true,
              }),
            ]
          : [seg('   enter confirms · escape cancels', { dim: true })],
      );
    } else {
      lines.push([seg(`   ${label}`, { dim: true })]);
    }
  });
  return (
    <Box flexDirection="column">
      <LinesBlock lines={lines} width={width} />
    </Box>
  );
}
