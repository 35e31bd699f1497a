import type { StepState, StepStatus } from '../journal/reducer.js';
import { stepDone, stoppedByPause } from '../journal/run-questions.js';
import type { Glyphs } from './glyphs.js';
import { type Color, type Segment, seg } from './styled-line.js';

const colors: Record<StepStatus, Color | undefined> = {
  pending: 'gray',
  running: 'cyan',
  soaking: 'cyan',
  succeeded: 'green',
  failed: 'red',
  skipped: 'yellow',
  interrupted: 'yellow',
  rolling_back: 'magenta',
  rolled_back: 'magenta',
  rollback_failed: 'red',
};

const words: Record<StepStatus, string> = {
  pending: 'pending',
  running: 'running',
  soaking: 'soaking',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
  interrupted: 'interrupted',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
};

export function statusWord(status: StepStatus): string {
  return words[status];
}

// The one-column mark of a step; running states show the spinner frame.
export function stepSymbol(status: StepStatus, glyphs: Glyphs, spinnerFrame: string): Segment {
  const text = status === 'running' || status === 'rolling_back' ? spinnerFrame : glyphs.status[status];
  return seg(text, { color: colors[status], bold: status === 'failed' || status === 'rollback_failed' });
}

// Undone by a rollback without running its body: it succeeded before, and runs again going on.
function passedOver(step: StepState): boolean {
  return step.status === 'succeeded' && !stepDone(step);
}

// A step as the checklist, the detail and the resume summary show it: a step the pause stopped is
// stopped (not a red failure), a step a rollback passed over has lost its ✔.
export function stepMark(step: StepState, glyphs: Glyphs, spinnerFrame: string): Segment {
  if (stoppedByPause(step)) return seg(glyphs.warning, { color: 'yellow', bold: true });
  if (passedOver(step)) return seg(glyphs.status.pending, { color: colors.pending });
  return stepSymbol(step.status, glyphs, spinnerFrame);
}

export function stepWord(step: StepState): { text: string; color: Color | undefined } {
  if (stoppedByPause(step)) return { text: 'stopped', color: 'yellow' };
  if (passedOver(step)) return { text: 'passed over', color: colors.pending };
  return { text: words[step.status], color: colors[step.status] };
}
