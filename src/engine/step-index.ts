import { stepNumbers } from '../journal/run-questions.js';
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
  const numbers = stepNumbers(runbook.phases.map((phase) => ({ steps: phase.steps.map((s) => s.id) })));
  for (const phase of runbook.phases) {
    for (const step of phase.steps) {
      const action = stepAction(step);
      const undo = step.rollback ? stepAction(step.rollback) : undefined;
      index.set(step.id, { step, phase, kind: action.kind, action, undo, number: numbers.get(step.id)! });
    }
  }
  return index;
}
