import type { JournalEvent } from '../../journal/events.js';
import type { RunState } from '../../journal/reducer.js';
import type { NotifyEvent } from '../../runbook/schema.js';
import type { NextAction } from '../engine-api.js';

export interface Notification {
  event: NotifyEvent;
  text: string;
  step?: string;
  phase?: string;
}

function stepName(state: RunState, id: string): string {
  const title = state.steps[id]?.title;
  return title && title !== id ? `${id} (${title})` : id;
}

// What a person is needed for now: the gate or manual step the run waits at.
function waitingFor(state: RunState, next: NextAction): Notification | undefined {
  if (next.kind === 'gate' && next.signoffsNeeded > 0) {
    const more = next.signoffsNeeded > 1 ? `${next.signoffsNeeded} sign-offs` : 'a sign-off';
    return { event: 'waiting', phase: next.phase, text: `the gate of phase ${next.phase} waits for ${more}` };
  }
  if (next.kind === 'step' && next.needs === 'signoff')
    return { event: 'waiting', step: next.step, text: `manual step ${stepName(state, next.step)} waits for its sign-off` };
  return undefined;
}

// The notification a journal event gives, if any. `state` is the run after the event and `next`
// what the engine would do next. A run waits for a person when it stops there (a headless client
// pauses) or when one sign-off of several is in.
export function notificationFor(e: JournalEvent, state: RunState, next: NextAction): Notification | undefined {
  switch (e.type) {
    case 'run.paused':
      return waitingFor(state, next);
    case 'gate.signed':
      return next.kind === 'gate' && next.phase === e.phase ? waitingFor(state, next) : undefined;
    case 'step.failed': {
      // A step stopped by a pause, a cancel or an early end of its soak did not fail on its own.
      if (e.retry_in_ms !== undefined || e.stopped !== undefined) return undefined;
      const soak = state.steps[e.step]?.kind === 'soak';
      return {
        event: soak ? 'soak.failed' : 'step.failed',
        step: e.step,
        text: `${soak ? 'soak' : 'step'} ${stepName(state, e.step)} failed: ${e.error}`,
      };
    }
    case 'step.succeeded':
      return state.steps[e.step]?.kind === 'soak'
        ? { event: 'soak.ended', step: e.step, text: `soak ${stepName(state, e.step)} ended: ${e.summary ?? 'it held'}` }
        : undefined;
    case 'step.signed':
      return e.purpose === 'soak' && state.steps[e.step]?.status === 'succeeded'
        ? { event: 'soak.ended', step: e.step, text: `soak ${stepName(state, e.step)} ended early by ${e.operator}: ${e.note}` }
        : undefined;
    case 'run.finished':
      if (e.outcome === 'succeeded') return { event: 'run.finished', text: 'the run finished' };
      if (e.outcome === 'rolled_back') return { event: 'run.rolled_back', text: 'the run was rolled back' };
      return undefined;
    default:
      return undefined;
  }
}
