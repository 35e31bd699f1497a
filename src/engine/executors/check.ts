import type { CheckBody } from '../../runbook/schema.js';
import { evaluateCheck } from '../evaluate-check.js';
import type { ExecContext, StepResult } from '../executor.js';

// A `check` step also shows what its query returned; verify, probe, gate and wait polls do not.
export function checkExecutor(body: CheckBody, ctx: ExecContext): Promise<StepResult> {
  return evaluateCheck(body, ctx, true);
}
