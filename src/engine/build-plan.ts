import type { PlanPhase } from '../journal/events.js';
import type { Runbook } from '../runbook/schema.js';
import { stepKind } from '../runbook/step-action.js';
import { readOnlyKinds } from './step-rules.js';

// The shape of the runbook as journaled in run.started, so replay needs no runbook file.
export function buildPlan(runbook: Runbook): PlanPhase[] {
  return runbook.phases.map((phase) => ({
    id: phase.id,
    title: phase.title ?? phase.id,
    steps: phase.steps.map((step) => {
      const kind = stepKind(step);
      return {
        id: step.id,
        title: step.title ?? step.id,
        kind,
        reversible: step.rollback !== undefined || readOnlyKinds.has(kind),
        point_of_no_return: step.point_of_no_return === true,
        ...(step.lint ? { lint_allowed: { rules: [...step.lint.allow], reason: step.lint.reason } } : {}),
      };
    }),
    gate: phase.gate
      ? {
          signoff:
            phase.gate.signoff === true
              ? 1
              : typeof phase.gate.signoff === 'object'
                ? phase.gate.signoff.count
                : 0,
          checks: phase.gate.checks?.length ?? 0,
        }
      : undefined,
  }));
}
