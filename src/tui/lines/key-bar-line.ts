import { fitLine, type Line, lineWidth, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

export type KeyHint = [key: string, label: string];

// The key bar: as many hints as fit, in order of importance; the last two (help, quit or the
// way out of a dialog) always stay.
export function keyBarLine(hints: KeyHint[], width: number, theme: Theme): Line {
  const render = (list: KeyHint[]): Line => {
    const line: Line = [seg(' ')];
    list.forEach(([key, label], i) => {
      if (i > 0) line.push(seg(theme.glyphs.separator, { dim: true }));
      line.push(seg(key, { bold: true, color: 'cyan' }), seg(` ${label}`));
    });
    return line;
  };
  const kept = hints.slice();
  while (kept.length > 2 && lineWidth(render(kept)) > width) kept.splice(kept.length - 3, 1);
  return fitLine(render(kept), width, { ascii: theme.ascii });
}
