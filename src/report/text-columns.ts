import stringWidth from 'string-width';

// Left-aligned columns separated by two spaces, for terminal listings.
export function textColumns(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => stringWidth(row[i] ?? ''))));
  return all
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - stringWidth(c))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
