import type { Runbook } from '../runbook/schema.js';
import { type Phase, type Step, type StepBody, type StepKind, stepKinds } from '../runbook/schema.js';

export interface IndexedStep {
  step: Step;
  phase: Phase;
  kind: StepKind;
  // 2.3: phase number and step number, as the checklist shows them.
  number: string;
}

export function stepKind(body: StepBody | Step): StepKind {
  const kind = stepKinds.find((k) => body[k] !== undefined);
  if (!kind) throw new Error('step without a kind (the loader should have refused it)');
  return kind;
}

export function indexSteps(runbook: Runbook): Map<string, IndexedStep> {
  const index = new Map<string, IndexedStep>();
  runbook.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      index.set(step.id, { step, phase, kind: stepKind(step), number: `${p + 1}.${s + 1}` });
    });
  });
  return index;
}

// Kinds that change nothing: passed over by rollback.
export const readOnlyKinds: ReadonlySet<StepKind> = new Set(['check', 'wait', 'compare']);
