import type { RunState } from '../journal/reducer.js';

// The rows of the checklist: every phase, and the steps (and gate) of the expanded one.
export type ChecklistRow =
  | { key: string; kind: 'phase'; phase: string }
  | { key: string; kind: 'step'; phase: string; step: string }
  | { key: string; kind: 'gate'; phase: string };

export const phaseKey = (phase: string) => `phase:${phase}`;
export const stepKey = (step: string) => `step:${step}`;
export const gateKey = (phase: string) => `gate:${phase}`;

export function checklistRows(run: RunState, expanded: string | undefined): ChecklistRow[] {
  const rows: ChecklistRow[] = [];
  for (const phase of run.phases) {
    rows.push({ key: phaseKey(phase.id), kind: 'phase', phase: phase.id });
    if (phase.id !== expanded) continue;
    for (const step of phase.steps) rows.push({ key: stepKey(step), kind: 'step', phase: phase.id, step });
    if (phase.gate) rows.push({ key: gateKey(phase.id), kind: 'gate', phase: phase.id });
  }
  return rows;
}

// What a selection key names: `step:copy-tasks` is the step copy-tasks.
export function parseKey(key: string): { kind: ChecklistRow['kind']; id: string } {
  const at = key.indexOf(':');
  return { kind: key.slice(0, at) as ChecklistRow['kind'], id: key.slice(at + 1) };
}

// The phase a selection key belongs to, so its phase stays expanded.
export function phaseOfKey(run: RunState, key: string): string | undefined {
  const { kind, id } = parseKey(key);
  if (kind === 'step') return run.steps[id]?.phase;
  return run.phases.some((p) => p.id === id) ? id : undefined;
}

// Where the selection lands by default: the active step, else the next thing to do.
export function defaultSelection(
  run: RunState,
  active: string | undefined,
  next: { kind: string; step?: string; phase?: string } | undefined,
): string {
  if (active && run.steps[active]) return stepKey(active);
  if (next?.kind === 'step' && next.step && run.steps[next.step]) return stepKey(next.step);
  if (next?.kind === 'gate' && next.phase) return gateKey(next.phase);
  const last = run.phases.at(-1);
  return last ? phaseKey(last.id) : '';
}
