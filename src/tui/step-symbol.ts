import type { StepStatus } from '../journal/reducer.js';
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

export function statusColor(status: StepStatus): Color | undefined {
  return colors[status];
}

export function statusWord(status: StepStatus): string {
  return words[status];
}

// The one-column mark of a step; running states show the spinner frame.
export function stepSymbol(status: StepStatus, glyphs: Glyphs, spinnerFrame: string): Segment {
  const text = status === 'running' || status === 'rolling_back' ? spinnerFrame : glyphs.status[status];
  return seg(text, { color: colors[status], bold: status === 'failed' || status === 'rollback_failed' });
}
