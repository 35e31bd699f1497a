import type { Phase, Runbook, Step } from '../runbook/schema.js';

export function findStep(runbook: Runbook, id: string): Step | undefined {
  for (const phase of runbook.phases) {
    const step = phase.steps.find((s) => s.id === id);
    if (step) return step;
  }
  return undefined;
}

export function findPhase(runbook: Runbook, id: string): Phase | undefined {
  return runbook.phases.find((p) => p.id === id);
}
