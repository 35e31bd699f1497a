import { type Color, fitLine, type Line, lineWidth, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';

// A horizontal rule carrying a title: "─ Checklist ────".
export function titledRule(title: Line, width: number, theme: Theme, color?: Color): Line {
  const h = theme.glyphs.horizontal;
  if (title.length === 0) return [seg(h.repeat(Math.max(0, width)), { color, dim: !color })];
  const head = [seg(`${h} `, { color, dim: !color }), ...title, seg(' ')];
  const fitted = fitLine(head, Math.max(0, width - 1), { ascii: theme.ascii });
  return [...fitted, seg(h.repeat(Math.max(0, width - lineWidth(fitted))), { color, dim: !color })];
}

// The rule above the two panes: "─ Checklist ──┬─ 2.3 Copy tasks ── backfill ──".
export function splitTopRule(
  left: Line,
  right: Line,
  widths: { left: number; right: number },
  theme: Theme,
): Line {
  return [
    ...titledRule(left, widths.left, theme),
    seg(theme.glyphs.teeDown, { dim: true }),
    ...titledRule(right, widths.right, theme),
  ];
}

export function splitBottomRule(widths: { left: number; right: number }, theme: Theme): Line {
  const h = theme.glyphs.horizontal;
  return [seg(`${h.repeat(widths.left)}${theme.glyphs.teeUp}${h.repeat(widths.right)}`, { dim: true })];
}
