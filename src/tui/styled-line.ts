import stringWidthOf from 'string-width';
import { toAscii } from '../format/to-ascii.js';

// One screen line as styled segments. Every line is fitted to its width before Ink sees it, so
// nothing wraps or overflows and the ASCII fallback applies to content as well as chrome.

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'gray';

export interface Segment {
  text: string;
  color?: Color;
  backgroundColor?: Color;
  bold?: boolean;
  dim?: boolean;
}

export type Line = Segment[];

export type Style = Omit<Segment, 'text'>;

// The widths of the other texts a screen shows, most of them again in every frame (rules,
// dividers, glyphs): measured once. Emptied when full, so output of every kind cannot grow it.
const widths = new Map<string, number>();
const widthsKept = 2000;

// Most of what the screen shows is printable ASCII: one column per character, no lookup.
function stringWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = widths.get(text);
  if (width === undefined) {
    width = stringWidthOf(text);
    if (widths.size >= widthsKept) widths.clear();
    widths.set(text, width);
  }
  return width;
}

export function seg(text: string, style: Style = {}): Segment {
  return { text, ...style };
}

export function lineWidth(line: Line): number {
  return line.reduce((sum, s) => sum + stringWidth(s.text), 0);
}

// Control characters would move the cursor or ring the bell: shown as `?`.
function printable(text: string, ascii: boolean): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return ascii ? toAscii(clean) : clean;
}

const graphemes = new Intl.Segmenter();

function sliceToWidth(text: string, columns: number): string {
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > columns) break;
    out += segment;
    used += w;
  }
  return out;
}

// Cuts a line to `width` columns, ending with the ellipsis when anything was cut.
export function fitLine(line: Line, width: number, options: { ascii: boolean }): Line {
  const ellipsis = options.ascii ? '...' : '…';
  const clean = line.map((s) => ({ ...s, text: printable(s.text, options.ascii) }));
  if (width <= 0) return [];
  if (lineWidth(clean) <= width) return clean;
  const out: Line = [];
  let room = width;
  for (const s of clean) {
    const w = stringWidth(s.text);
    if (w < room) {
      out.push(s);
      room -= w;
      continue;
    }
    // This segment crosses the edge (or fills it while more follows): cut it here.
    const ellipsisWidth = stringWidth(ellipsis);
    const text =
      room > ellipsisWidth ? sliceToWidth(s.text, room - ellipsisWidth) + ellipsis : ellipsis.slice(0, room);
    out.push({ ...s, text });
    break;
  }
  return out;
}

// `left` and `right` on one line, `right` flush with the edge; `left` gives way first.
export function spreadLine(left: Line, right: Line, width: number, options: { ascii: boolean }): Line {
  const rightFitted = fitLine(right, width, options);
  const rightWidth = lineWidth(rightFitted);
  const leftFitted = fitLine(left, Math.max(0, width - rightWidth - 1), options);
  const gap = width - rightWidth - lineWidth(leftFitted);
  return [...leftFitted, seg(' '.repeat(Math.max(0, gap))), ...rightFitted];
}

export function plainText(line: Line): string {
  return line.map((s) => s.text).join('');
}

// A table cell: the text cut or padded to exactly `width` columns.
export function fitCell(text: string, width: number, options: { ascii: boolean }): string {
  const fitted = plainText(fitLine([seg(text)], width, options));
  return fitted + ' '.repeat(Math.max(0, width - stringWidth(fitted)));
}

// The end of a text that fits `width` columns (a field being typed into shows its end).
export function fitTail(text: string, width: number, options: { ascii: boolean }): string {
  const clean = printable(text, options.ascii);
  if (stringWidth(clean) <= width) return clean;
  const ellipsis = options.ascii ? '...' : '…';
  const chars = Array.from(clean);
  let out = '';
  for (let i = chars.length - 1; i >= 0; i--) {
    if (stringWidth(chars[i] + out) + stringWidth(ellipsis) > width) break;
    out = chars[i] + out;
  }
  return ellipsis + out;
}
