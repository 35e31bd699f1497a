import type { DialogText } from '../dialog.js';
import { type Line, seg } from '../styled-line.js';
import type { Theme } from '../theme.js';
import { wrapText } from '../../format/wrap-text.js';

// A dialog's explanation, what it is about and what will run, in at most `room` lines: the text
// first, then as much of the rest as fits (their hidden lines counted).
export function dialogTextLines(text: DialogText, width: number, room: number, theme: Theme): Line[] {
  const inner = width - 2;
  const lines: Line[] = [];
  text.body.forEach((paragraph, i) => {
    const style = i === 0 ? { bold: true, color: text.danger ? ('red' as const) : undefined } : {};
    for (const t of wrapText(paragraph, inner)) lines.push([seg(` ${t}`, style)]);
  });
  // A labelled section under a blank line, when it has room for its label and a line.
  const section = (label: string, body: Line[]) => {
    const left = room - lines.length;
    if (body.length === 0 || left < 3) return;
    lines.push([], [seg(` ${label}`, { dim: true })]);
    const fits = left - 2;
    const shown = body.length <= fits ? body : body.slice(0, fits - 1);
    lines.push(...shown);
    if (shown.length < body.length) {
      lines.push([seg(`   ${theme.glyphs.ellipsis} ${body.length - shown.length} more lines`, { dim: true })]);
    }
  };
  if (text.about) {
    section(
      text.about.label,
      wrapText(text.about.text, inner - 2).map((t) => [seg(`   ${t}`)]),
    );
  }
  const preview = text.preview?.trim() ? text.preview.replace(/^\n+|\n+$/g, '').split('\n') : [];
  section(
    'will run:',
    preview.map((l) => [seg(`   ${l}`, { color: 'cyan' })]),
  );
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
