import type { EventPayload } from '../../src/journal/events.js';
import { FixtureEngine, operator, ran, started } from './fixture-engine.js';

// One phase whose steps are in every state a step can be in.
export const statesRunbook = {
  version: 1,
  name: 'states',
  connections: { db: { url: 'postgres://db@localhost/db' } },
  phases: [
    {
      id: 'all',
      title: 'Every state',
      steps: [
        'pending',
        'running',
        'succeeded',
        'failed',
        'skipped',
        'interrupted',
        'rolling-back',
        'rolled-back',
        'rollback-failed',
      ].map((id) => ({ id, title: `step ${id}`, sql: `SELECT 1`, rollback: { sql: 'SELECT 2' } })),
    },
  ],
};

export function everyStateEngine(): FixtureEngine {
  const events: EventPayload[] = [
    started('interrupted'),
    { type: 'run.resumed', operator, host: 'bastion', pid: 2, accepted_drift: [] },
    ...ran('succeeded'),
    started('failed'),
    {
      type: 'step.failed',
      step: 'failed',
      attempt: 1,
      duration_ms: 10,
      error: 'relation "tasks" does not exist',
    },
    { type: 'step.skipped', step: 'skipped', reason: 'done by hand', operator },
    ...ran('rolled-back'),
    ...ran('rollback-failed'),
    ...ran('rolling-back'),
    { type: 'rollback.started', operator, plan: ['rolled-back', 'rollback-failed', 'rolling-back'] },
    { type: 'step.started', step: 'rolled-back', attempt: 2, operator, log: '', rollback: true },
    { type: 'step.rolled_back', step: 'rolled-back', operator, duration_ms: 5, how: 'reversed' },
    { type: 'step.started', step: 'rollback-failed', attempt: 2, operator, log: '', rollback: true },
    { type: 'step.rollback_failed', step: 'rollback-failed', error: 'permission denied', duration_ms: 5 },
    { type: 'step.started', step: 'rolling-back', attempt: 2, operator, log: '', rollback: true },
    started('running'),
  ];
  return new FixtureEngine({ runbook: statesRunbook, events });
}
