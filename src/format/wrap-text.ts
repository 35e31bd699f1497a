import wrapAnsi from 'wrap-ansi';

// Plain text wrapped to `width` columns, words kept whole unless longer than a line; a line's
// indentation carries over to the lines it wraps into, and a list item's text hangs under itself.
export function wrapText(text: string, width: number): string[] {
  if (width <= 0) return [];
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    .split('\n')
    .flatMap((line) => {
      const indent = /^ */.exec(line)?.[0] ?? '';
      const marker = /^ *([-*+]|\d+[.)]) /.exec(line)?.[0].slice(indent.length) ?? '';
      const hang = ' '.repeat(marker.length);
      const room = Math.max(1, width - indent.length - marker.length);
      return wrapAnsi(line.slice(indent.length + marker.length), room, { hard: true, trim: true })
        .split('\n')
        .map((part, i) => `${indent}${i === 0 ? marker : hang}${part}`.trimEnd());
    });
}
