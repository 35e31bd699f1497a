import wrapAnsi from 'wrap-ansi';

// Plain text wrapped to `width` columns, words kept whole unless longer than a line; a line's
// indentation carries over to the lines it wraps into.
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    .split('\n')
    .flatMap((line) => {
      const indent = /^ */.exec(line)?.[0] ?? '';
      const room = Math.max(1, width - indent.length);
      return wrapAnsi(line.slice(indent.length), room, { hard: true, trim: true })
        .split('\n')
        .map((part) => `${indent}${part}`.trimEnd());
    });
}
