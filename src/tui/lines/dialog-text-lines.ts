import type { DialogText } from '../dialog.js';
import { type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../wrap-text.js';

// A dialog's explanation and what will run, in at most `room` lines: the text first, then as
// much of the preview as fits (its hidden rest counted).
export function dialogTextLines(text: DialogText, width: number, room: number, theme: Theme): Line[] {
  const inner = width - 2;
  const lines: Line[] = [];
  text.body.forEach((paragraph, i) => {
    const style = i === 0 ? { bold: true, color: text.danger ? ('red' as const) : undefined } : {};
    for (const t of wrapText(paragraph, inner)) lines.push([seg(` ${t}`, style)]);
  });
  const preview = text.preview?.trim() ? text.preview.replace(/^\n+|\n+$/g, '').split('\n') : [];
  const left = room - lines.length;
  if (preview.length && left >= 3) {
    lines.push([], [seg(' will run:', { dim: true })]);
    const fits = left - 2;
    const shown = preview.length <= fits ? preview : preview.slice(0, fits - 1);
    for (const l of shown) lines.push([seg(`   ${l}`, { color: 'cyan' })]);
    if (shown.length < preview.length) {
      lines.push([
        seg(`   ${theme.glyphs.ellipsis} ${preview.length - shown.length} more lines`, { dim: true }),
      ]);
    }
  }
  return lines.slice(0, Math.max(0, room));
}

// "› [ no ]   [ yes ]": the focused choice marked without relying on colour.
export function choiceLine(choices: string[], focused: number, theme: Theme): Line {
  const line: Line = [seg(' ')];
  choices.forEach((choice, i) => {
    const on = i === focused;
    line.push(seg(on ? theme.glyphs.pointer : ' ', { color: 'cyan', bold: true }));
    line.push(seg(`[ ${choice} ]`, { bold: on, color: on ? 'cyan' : undefined }), seg('  '));
  });
  return line;
}
