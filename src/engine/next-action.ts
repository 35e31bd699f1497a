import { type RunState, signerOf } from '../journal/reducer.js';
import { stepDone } from '../journal/run-questions.js';
import type { NextAction } from './engine-api.js';
import type { IndexedStep } from './step-index.js';

// The next thing the run needs, derived from the state alone: a step, a gate or nothing.
export function nextAction(
  state: RunState,
  index: Map<string, IndexedStep>,
  needsConfirm: (entry: IndexedStep) => boolean,
): NextAction {
  if (state.status === 'rolling_back' || state.status === 'rolled_back') return { kind: 'done' };
  for (const phase of state.phases) {
    for (const id of phase.steps) {
      const s = state.steps[id];
      if (stepDone(s)) continue;
      const entry = index.get(id);
      if (!entry) return { kind: 'step', step: id };
      const confirm =
        typeof entry.step.confirm === 'string' ? 'phrase' : needsConfirm(entry) ? 'confirm' : undefined;
      if (s.status === 'interrupted')
        return { kind: 'step', step: id, needs: 'interrupted', ...(confirm && entry.kind !== 'manual' ? { then: confirm } : {}) };
      if (entry.kind === 'manual') return { kind: 'step', step: id, needs: 'signoff' };
      return confirm ? { kind: 'step', step: id, needs: confirm } : { kind: 'step', step: id };
    }
    if (phase.gate && phase.gateStatus !== 'passed') {
      const signers = new Set(phase.gateSignoffs.map(signerOf)).size;
      return { kind: 'gate', phase: phase.id, signoffsNeeded: Math.max(0, phase.gate.signoff - signers) };
    }
  }
  return { kind: 'done' };
}
