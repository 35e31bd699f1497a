import type { StepStatus } from '../journal/reducer.js';

// The mark the plain printer puts before each kind of line, beside the step status marks.
export interface EventMarks {
  start: string;
  skip: string;
  sign: string;
  note: string;
  pause: string;
  gate: string;
  run: string;
  end: string;
  probe: string;
}

// Every character the chrome and the plain printer draw, in a UTF-8 and an ASCII set (a
// non-UTF-8 terminal shows `_` for anything else). No emoji: they misalign columns.
export interface Glyphs {
  status: Record<Exclude<StepStatus, 'running' | 'rolling_back'>, string>;
  events: EventMarks;
  spinner: string[];
  phaseActive: string;
  horizontal: string;
  vertical: string;
  teeDown: string;
  teeUp: string;
  ellipsis: string;
  separator: string;
  pointer: string;
  arrow: string;
  barFull: string;
  barEmpty: string;
  warning: string;
}

const unicode: Glyphs = {
  status: {
    pending: '·',
    soaking: '◷',
    succeeded: '✔',
    failed: '✖',
    skipped: '↷',
    interrupted: '!',
    rolled_back: '↺',
    rollback_failed: '✗',
  },
  events: { start: '▸', skip: '↷', sign: '✎', note: '·', pause: '‖', gate: '◆', run: '▶', end: '■', probe: '?' },
  spinner: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'],
  phaseActive: '●',
  horizontal: '─',
  vertical: '│',
  teeDown: '┬',
  teeUp: '┴',
  ellipsis: '…',
  separator: ' · ',
  pointer: '›',
  arrow: '→',
  barFull: '█',
  barEmpty: '░',
  warning: '!',
};

const ascii: Glyphs = {
  status: {
    pending: '.',
    soaking: '~',
    succeeded: '+',
    failed: 'x',
    skipped: '>',
    interrupted: '!',
    rolled_back: '<',
    rollback_failed: 'X',
  },
  events: { start: '>', skip: '-', sign: '*', note: '.', pause: '=', gate: '#', run: '>>', end: '#', probe: '?' },
  spinner: ['|', '/', '-', '\\'],
  phaseActive: '*',
  horizontal: '-',
  vertical: '|',
  teeDown: '+',
  teeUp: '+',
  ellipsis: '...',
  separator: ' | ',
  pointer: '>',
  arrow: '->',
  barFull: '#',
  barEmpty: '-',
  warning: '!',
};

export function glyphsFor(unicodeTerminal: boolean): Glyphs {
  return unicodeTerminal ? unicode : ascii;
}
