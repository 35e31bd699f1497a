import stringWidth from 'string-width';

// A Markdown table padded to aligned columns, so it reads as a table in a terminal too.

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();
}

export function markdownTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((row) => row.map(cell));
  const widths = header.map((_, i) => Math.max(3, ...all.map((row) => stringWidth(row[i] ?? ''))));
  const line = (row: string[]) =>
    `| ${row.map((c, i) => c + ' '.repeat(widths[i] - stringWidth(c))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}
