import wrapAnsi from 'wrap-ansi';

// Plain text wrapped to `width` columns, words kept whole unless longer than a line.
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  return wrapAnsi(text.replace(/\r\n?/g, '\n').replace(/\t/g, '  '), width, { hard: true, trim: true })
    .split('\n')
    .map((line) => line.trimEnd());
}
