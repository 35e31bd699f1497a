import type { Step, StepBody, StepKind } from './schema.js';

// What a step (or its rollback body) does, as one typed value: the kind names the body's type.
export type StepAction = { [K in StepKind]: { kind: K; body: NonNullable<Step[K]> } }[StepKind];

// The loader refuses a body with no kind or with two (check-structure.ts).
export function stepAction(body: StepBody | Step): StepAction {
  if (body.run !== undefined) return { kind: 'run', body: body.run };
  if (body.sql !== undefined) return { kind: 'sql', body: body.sql };
  if (body.check !== undefined) return { kind: 'check', body: body.check };
  if (body.wait !== undefined) return { kind: 'wait', body: body.wait };
  if (body.manual !== undefined) return { kind: 'manual', body: body.manual };
  if (body.backfill !== undefined) return { kind: 'backfill', body: body.backfill };
  if (body.compare !== undefined) return { kind: 'compare', body: body.compare };
  if ('soak' in body && body.soak !== undefined) return { kind: 'soak', body: body.soak };
  throw new Error('step without a kind (the loader should have refused it)');
}

export function stepKind(body: StepBody | Step): StepKind {
  return stepAction(body).kind;
}
