import type { CheckDetails } from '../../journal/events.js';
import { describeExpectation, describeValue } from '../describe-value.js';
import { fitCell, fitLine, type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

// A failed check as a table: each expected column with what it should be and what it was,
// the failing ones marked; other returned columns dimmed; failures no column explains below.
export function expectedActualLines(details: CheckDetails, width: number, theme: Theme): Line[] {
  const failures = details.failures ?? [];
  const expectedKeys = Object.keys(details.expected ?? {});
  const otherKeys = Object.keys(details.actual ?? {}).filter((k) => !expectedKeys.includes(k));
  const names = [...expectedKeys, ...otherKeys];
  const failing = (column: string) =>
    failures.some((f) => new RegExp(`(^|\\W)${column.replace(/\W/g, '\\$&')}(\\W|$)`).test(f));
  const nameWidth = Math.min(20, Math.max(6, ...names.map((n) => n.length)));
  const valueWidth = Math.max(6, Math.floor((width - nameWidth - 6) / 2));
  const cell = (text: string, w: number) => fitCell(text, w, { ascii: theme.ascii });
  const lines: Line[] = [
    [seg(`  ${cell('column', nameWidth)} ${cell('expected', valueWidth)} actual`, { dim: true })],
  ];
  for (const name of expectedKeys) {
    const bad = failing(name);
    lines.push([
      seg(bad ? `${theme.glyphs.status.failed} ` : '  ', { color: 'red', bold: true }),
      seg(`${cell(name, nameWidth)} `),
      seg(`${cell(describeExpectation(details.expected[name]), valueWidth)} `),
      seg(describeValue(details.actual?.[name]), bad ? { color: 'red', bold: true } : { color: 'green' }),
    ]);
  }
  for (const name of otherKeys) {
    lines.push([
      seg(`  ${cell(name, nameWidth)} ${cell('', valueWidth)} ${describeValue(details.actual[name])}`, {
        dim: true,
      }),
    ]);
  }
  for (const failure of failures.filter((f) => !names.some((n) => f.includes(n)))) {
    lines.push([seg(`${theme.glyphs.status.failed} ${failure}`, { color: 'red' })]);
  }
  return lines.map((line) => fitLine(line, width, { ascii: theme.ascii }));
}
