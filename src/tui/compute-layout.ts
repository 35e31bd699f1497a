export interface PaneWidths {
  left: number;
  right: number;
}

// The checklist gets about a third of the width; the divider takes one column.
export function paneWidths(columns: number): PaneWidths {
  const left = Math.min(48, Math.max(24, Math.round(columns * 0.36)));
  return { left, right: Math.max(0, columns - left - 1) };
}

// The frame Ink draws stays one line short of the terminal: a frame as tall as the terminal
// makes Ink clear the whole screen on every update.
export function frameHeight(rows: number): number {
  return Math.max(1, rows - 1);
}

export const smallest = { columns: 50, bodyRows: 4 };
