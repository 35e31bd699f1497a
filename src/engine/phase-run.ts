import { type RunState, signerOf } from '../journal/reducer.js';
import { stepDone } from '../journal/run-questions.js';
import type { NextAction, PhaseRun } from './engine-api.js';
import type { IndexedStep } from './step-index.js';

// What running the rest of the next action's phase (runPhase) would do from here: the steps it
// runs, which of them need the one confirmation the phase is asked for, and where it stops. A
// typed phrase is never given ahead for a whole phase: the run stops before that step, so the
// phrase is typed when the step is about to run. Undefined when the run has nothing left to do.
export function phaseRun(
  state: RunState,
  index: Map<string, IndexedStep>,
  needsConfirm: (entry: IndexedStep) => boolean,
  next: NextAction,
): PhaseRun | undefined {
  if (next.kind === 'done') return undefined;
  const phaseId = next.kind === 'gate' ? next.phase : state.steps[next.step].phase;
  const phase = state.phases.find((p) => p.id === phaseId)!;
  if (next.kind === 'gate') {
    if (next.signoffsNeeded > 0)
      return { phase: phaseId, refused: `the gate of phase ${phaseId} waits for a sign-off: s signs it` };
    return { phase: phaseId, steps: [], confirm: [], gate: true };
  }
  if (next.needs === 'interrupted')
    return { phase: phaseId, refused: `${next.step} was interrupted: decide about it first (enter)` };
  if (next.needs === 'signoff')
    return { phase: phaseId, refused: `${next.step} is a manual step: sign it off first (s)` };
  if (next.needs === 'phrase')
    return { phase: phaseId, refused: `${next.step} needs its phrase typed: enter runs it` };
  const steps: string[] = [];
  const confirm: string[] = [];
  for (const id of phase.steps.slice(phase.steps.indexOf(next.step))) {
    if (stepDone(state.steps[id])) continue;
    const entry = index.get(id);
    if (!entry) return { phase: phaseId, steps, confirm, stopsBefore: { step: id, why: 'it is no longer in the runbook' } };
    if (entry.kind === 'manual')
      return { phase: phaseId, steps, confirm, stopsBefore: { step: id, why: 'a manual step: sign it off' } };
    if (typeof entry.step.confirm === 'string') {
      return {
        phase: phaseId,
        steps,
        confirm,
        stopsBefore: { step: id, why: 'its phrase is typed when it is about to run' },
      };
    }
    steps.push(id);
    if (needsConfirm(entry)) confirm.push(id);
  }
  if (phase.gate && phase.gateStatus !== 'passed') {
    const signed = new Set(phase.gateSignoffs.map(signerOf)).size;
    if (phase.gate.signoff > signed)
      return { phase: phaseId, steps, confirm, stopsBefore: { why: 'the gate: it needs a sign-off' } };
    return { phase: phaseId, steps, confirm, gate: true };
  }
  return { phase: phaseId, steps, confirm };
}
