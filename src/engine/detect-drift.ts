import type { RunState } from '../journal/reducer.js';
import type { DriftItem } from './engine-api.js';

// Compares the runbook as it is now with the step hashes journaled at run.started.
export function detectDrift(state: RunState, stepHashes: Record<string, string>): DriftItem[] {
  const before = state.started.step_hashes;
  const drift: DriftItem[] = [];
  const ran = (id: string) => {
    const s = state.steps[id];
    return s !== undefined && s.status !== 'pending';
  };
  for (const [id, hash] of Object.entries(before)) {
    if (!(id in stepHashes)) drift.push({ step: id, change: 'removed', ran: ran(id) });
    else if (stepHashes[id] !== hash) drift.push({ step: id, change: 'changed', ran: ran(id) });
  }
  for (const id of Object.keys(stepHashes)) {
    if (!(id in before)) drift.push({ step: id, change: 'added', ran: false });
  }
  return drift;
}
