import { StepwiseError } from '../../errors/stepwise-error.js';
import type { StepAction } from '../../runbook/step-action.js';
import type { ExecContext, StepResult } from '../executor.js';
import { backfillExecutor } from './backfill.js';
import { checkExecutor } from './check.js';
import { compareExecutor } from './compare.js';
import { runExecutor } from './run.js';
import { sqlExecutor } from './sql.js';
import { waitExecutor } from './wait.js';

// One executor per step kind, each handed its own body's type. `manual` has none: the engine
// records the operator's sign-off; `soak` neither: it outlives one attempt. A new kind fails to
// compile here until it has an executor.
export async function executeAction(action: StepAction, ctx: ExecContext): Promise<StepResult> {
  switch (action.kind) {
    case 'run':
      return runExecutor(action.body, ctx);
    case 'sql':
      return sqlExecutor(action.body, ctx);
    case 'check':
      return checkExecutor(action.body, ctx);
    case 'wait':
      return waitExecutor(action.body, ctx);
    case 'backfill':
      return backfillExecutor(action.body, ctx);
    case 'compare':
      return compareExecutor(action.body, ctx);
    case 'manual':
      throw new StepwiseError('a manual step is signed off by the operator, not executed');
    case 'soak':
      throw new StepwiseError('a soak spans resumes: the engine runs it (engine/time/soak.ts)');
  }
}
