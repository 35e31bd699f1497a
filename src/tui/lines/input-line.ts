import { fitTail, type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

// A text field: "> typed text_"; a secret shows nothing of what is typed.
export function inputLine(value: string, width: number, theme: Theme, secret = false): Line {
  const cursor = theme.ascii ? '_' : '█';
  if (secret)
    return [seg(' > ', { color: 'cyan', bold: true }), seg('(hidden) ', { dim: true }), seg(cursor)];
  return [
    seg(' > ', { color: 'cyan', bold: true }),
    seg(fitTail(value, Math.max(1, width - 5), { ascii: theme.ascii }), { bold: true }),
    seg(cursor),
  ];
}
