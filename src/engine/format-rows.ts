import { formatValue } from './evaluate-expect.js';

const shownRows = 20;

// What a check query returned, as an aligned text table for the step output: the operator (and
// the log) sees every column, not only the ones the expectation names.
export function formatRows(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)\n';
  const columns = Object.keys(rows[0]);
  const cells = rows.slice(0, shownRows).map((row) => columns.map((c) => formatValue(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  if (rows.length > shownRows) out.push(`… ${rows.length - shownRows} more rows`);
  return `${out.join('\n')}\n`;
}
