import { StepwiseError } from '../../errors/stepwise-error.js';
import type { StepBody, StepKind } from '../../runbook/schema.js';
import type { Executor } from '../executor.js';
import { executeBackfill } from './backfill.js';
import { checkStep } from './check.js';
import { executeCompare } from './compare.js';
import { runCommand } from './run.js';
import { sqlExecutor } from './sql.js';
import { waitExecutor } from './wait.js';

type BodyOf<K extends StepKind> = NonNullable<StepBody[K]>;

// One executor per step kind. `manual` has none: the engine records the operator's sign-off.
// Executors are function declarations, so this table is complete even when it is first reached
// through an import cycle (check → registry → check).
const executors: { [K in Exclude<StepKind, 'manual'>]?: Executor<BodyOf<K>> } = {
  run: runCommand,
  sql: sqlExecutor,
  check: checkStep,
  wait: waitExecutor,
  backfill: executeBackfill,
  compare: executeCompare,
};

export function executorFor<K extends StepKind>(kind: K): Executor<BodyOf<K>> {
  if (kind === 'manual') throw new StepwiseError('a manual step is signed off by the operator, not executed');
  const executor = executors[kind as Exclude<StepKind, 'manual'>];
  if (!executor) throw new StepwiseError(`this build of stepwise has no executor for ${kind} steps`);
  return executor as Executor<BodyOf<K>>;
}
