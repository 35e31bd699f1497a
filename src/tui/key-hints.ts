import type { EngineView } from '../engine/engine-api.js';
import { parseKey, phaseOfKey } from './checklist-rows.js';
import type { Dialog } from './dialog.js';
import type { KeyHint } from './lines/key-bar-line.js';

export type Screen = 'resume' | 'attach' | 'main' | 'log' | 'help';

// The key bar of the checklist: what the selection allows first, help and quit last.
export function mainKeyHints(view: EngineView, selection: string): KeyHint[] {
  const hints: KeyHint[] = [];
  const { kind, id } = parseKey(selection);
  const next = view.next;
  const busy = view.live.active !== undefined;
  if (kind === 'step') {
    const step = view.run.steps[id];
    const isNext = next?.kind === 'step' && next.step === id;
    if (!busy && isNext) {
      if (next.needs === 'signoff') hints.push(['s', 'sign off']);
      else if (next.needs === 'interrupted') hints.push(['enter', 'decide']);
      else if (step?.status === 'failed') hints.push(['r', 'retry']);
      else hints.push(['enter', 'run']);
    }
    if (step?.status === 'soaking') hints.push(['s', 'end soak early']);
    if (step?.kind === 'backfill' && view.live.active?.step === id) {
      hints.push(['p', view.live.backfill[id]?.paused ? 'resume' : 'pause'], ['+/-', 'batch size']);
    }
    if (!busy && isNext) hints.push(['x', 'skip']);
  } else if (!busy && next?.kind === 'gate' && next.phase === id) {
    hints.push(next.signoffsNeeded > 0 ? ['s', 'sign off gate'] : ['enter', 'gate checks']);
  }
  const phase = phaseOfKey(view.run, selection);
  const phaseHasNext =
    (next?.kind === 'step' && view.run.steps[next.step]?.phase === phase) ||
    (next?.kind === 'gate' && next.phase === phase);
  if (!busy && phaseHasNext) hints.push(['a', 'run phase']);
  if (kind === 'step') hints.push(['l', 'log']);
  if (!busy) hints.push(['b', 'rollback']);
  hints.push(['j/k', 'move'], ['?', 'help'], ['q', 'quit']);
  return hints;
}

export function dialogKeyHints(dialog: Dialog): KeyHint[] {
  switch (dialog.kind) {
    case 'confirm':
      return [
        ['y', 'yes'],
        ['enter', 'choice'],
        ['n', 'no'],
        ['esc', 'cancel'],
      ];
    case 'phrase':
    case 'rollback-phrase':
    case 'note':
      return [
        ['enter', 'confirm'],
        ['esc', 'cancel'],
      ];
    case 'interrupted':
      return [
        ['r', 'retry'],
        ['d', 'mark done'],
        ['b', 'roll back'],
        ['esc', 'later'],
      ];
    case 'drift':
      return [
        ['y', 'go on'],
        ['q', 'quit'],
      ];
    case 'quit':
      return [
        ['y', 'quit'],
        ['n', 'keep running'],
      ];
    case 'interrupt':
      return [
        ['enter', 'detach'],
        ['p', 'pause'],
        ['esc', 'stay'],
      ];
    case 'rollback-plan':
      return [
        ['y', 'roll back'],
        ['t', 'scope'],
        ['j/k', 'scroll'],
        ['esc', 'cancel'],
      ];
  }
}

export function screenKeyHints(screen: Exclude<Screen, 'main'>): KeyHint[] {
  switch (screen) {
    case 'resume':
      return [
        ['enter', 'continue'],
        ['q', 'quit'],
      ];
    case 'attach':
      return [
        ['enter', 'continue'],
        ['q', 'detach'],
      ];
    case 'log':
      return [
        ['j/k', 'scroll'],
        ['PgUp/PgDn', 'page'],
        ['g/G', 'top/end'],
        ['esc', 'close'],
      ];
    case 'help':
      return [['esc', 'close']];
  }
}
