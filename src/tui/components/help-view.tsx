import { Box } from 'ink';
import { useKeys } from '../hooks/use-keys.js';
import { useTheme } from '../hooks/use-theme.js';
import { titledRule } from '../lines/rule-lines.js';
import { type Color, type Line, lineWidth, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { LinesBlock } from './lines-block.js';

const keys: Array<[string, string]> = [
  ['j k, arrows', 'move (PgUp/PgDn, g/G: a page, top, end)'],
  ['enter', 'run the selected step if it is next (dialogs first)'],
  ['a', 'run the rest of the phase, up to a manual step, gate or failure'],
  ['s', 'sign off the selected manual step or gate, with a note; on a soaking step, end the soak early (asks a reason)'],
  ['x', 'skip the next step (asks a reason)'],
  ['r', 'retry a failed or interrupted step'],
  ['b', 'roll back: shows the plan, then asks'],
  ['l', 'the whole log of the selected step, from its first line to its end'],
  ['p + -', 'running backfill: pause/resume, bigger/smaller batches'],
  ['q, Ctrl+C', 'quit; a running step is cancelled after you confirm'],
];

// The symbols, packed into as few lines as the width allows.
function legend(theme: Theme, width: number): Line[] {
  const g = theme.glyphs;
  const items: Array<[string, string, Color]> = [
    [g.status.pending, 'pending', 'gray'],
    [g.spinner[0], 'running', 'cyan'],
    [g.status.succeeded, 'done', 'green'],
    [g.status.failed, 'failed', 'red'],
    [g.status.interrupted, 'interrupted', 'yellow'],
    [g.status.skipped, 'skipped', 'yellow'],
    [g.status.rolled_back, 'rolled back', 'magenta'],
    [g.status.rollback_failed, 'rollback failed', 'red'],
  ];
  const lines: Line[] = [[seg(' ')]];
  for (const [mark, text, color] of items) {
    const item: Line = [seg(`${mark} `, { color, bold: true }), seg(`${text}   `)];
    const current = lines[lines.length - 1];
    if (lineWidth(current) + lineWidth(item) > width && current.length > 1) lines.push([seg(' '), ...item]);
    else current.push(...item);
  }
  return lines;
}

export function HelpView(props: { width: number; height: number; onClose: () => void }) {
  const theme = useTheme();
  useKeys((input, key) => {
    if (key.ctrl) return;
    if (key.escape || input === '?' || input === 'q' || key.return) props.onClose();
  });
  const lines: Line[] = [
    ...keys.map(([k, text]): Line => [seg(` ${k.padEnd(12)}`, { bold: true, color: 'cyan' }), seg(text)]),
    [],
    ...legend(theme, props.width),
  ];
  return (
    <Box flexDirection="column" width={props.width} height={props.height}>
      <LinesBlock
        lines={[titledRule([seg('Help', { bold: true })], props.width, theme)]}
        width={props.width}
      />
      <LinesBlock lines={lines} width={props.width} height={props.height - 1} />
    </Box>
  );
}
