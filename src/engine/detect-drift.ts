import type { RunState } from '../journal/reducer.js';
import type { DriftItem } from './engine-api.js';

// The changed lines of a step's definition, with a line of context around each change.
// The diff library is loaded only when a step has changed.
async function definitionDiff(before: string, now: string): Promise<string[]> {
  const { structuredPatch } = await import('diff');
  const { hunks } = structuredPatch('before', 'now', before, now, '', '', { context: 1 });
  return hunks.flatMap((hunk, i) => [...(i > 0 ? ['…'] : []), ...hunk.lines]);
}

// Compares the runbook as it is now with the step hashes journaled at run.started. With the
// step definitions kept at the start (runs before they were kept have none), a changed step
// carries what changed.
export async function detectDrift(
  state: RunState,
  stepHashes: Record<string, string>,
  definitions?: { before?: Record<string, string>; now: Record<string, string> },
): Promise<DriftItem[]> {
  const before = state.started.step_hashes;
  const drift: DriftItem[] = [];
  const ran = (id: string) => {
    const s = state.steps[id];
    return s !== undefined && s.status !== 'pending';
  };
  for (const [id, hash] of Object.entries(before)) {
    if (!(id in stepHashes)) drift.push({ step: id, change: 'removed', ran: ran(id) });
    else if (stepHashes[id] !== hash) {
      const old = definitions?.before?.[id];
      const diff = old !== undefined ? await definitionDiff(old, definitions!.now[id] ?? '') : undefined;
      drift.push({ step: id, change: 'changed', ran: ran(id), ...(diff ? { diff } : {}) });
    }
  }
  for (const id of Object.keys(stepHashes)) {
    if (!(id in before)) drift.push({ step: id, change: 'added', ran: false });
  }
  return drift;
}
