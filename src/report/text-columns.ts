// Left-aligned columns separated by two spaces, for terminal listings. string-width (and the
// Unicode segmenter it builds when loaded, most of a short command's time) is loaded only when a
// cell holds more than printable ASCII, whose width is its length.
export async function textColumns(header: string[], rows: string[][]): Promise<string> {
  const all = [header, ...rows];
  const ascii = all.every((row) => row.every((c) => /^[\x20-\x7e]*$/.test(c)));
  const width = ascii ? (s: string) => s.length : (await import('string-width')).default;
  const widths = header.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ''))));
  return all
    .map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c + ' '.repeat(widths[i] - width(c))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
