import type { Phase, Runbook, Step, StepKind } from '../runbook/schema.js';
import { type StepAction, stepAction } from '../runbook/step-action.js';

export interface IndexedStep {
  step: Step;
  phase: Phase;
  kind: StepKind;
  // What the step does, and what its rollback body does (when it has one).
  action: StepAction;
  undo?: StepAction;
  // 2.3: phase number and step number, as the checklist shows them.
  number: string;
}

export function indexSteps(runbook: Runbook): Map<string, IndexedStep> {
  const index = new Map<string, IndexedStep>();
  runbook.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      const action = stepAction(step);
      const undo = step.rollback ? stepAction(step.rollback) : undefined;
      index.set(step.id, { step, phase, kind: action.kind, action, undo, number: `${p + 1}.${s + 1}` });
    });
  });
  return index;
}

// Kinds that change nothing: passed over by rollback.
export const readOnlyKinds: ReadonlySet<StepKind> = new Set(['check', 'wait', 'compare']);
