import { describe, expect, it } from 'vitest';
import { describeTuiExit } from '../../src/cli/describe-tui-exit.js';
import type { EventPayload, JournalEvent } from '../../src/journal/events.js';
import { replay } from '../../src/journal/reducer.js';

const runId = 'cutover-20261206T020000Z';

// A run of two steps in one phase, after these events.
function runAfter(...payloads: EventPayload[]) {
  const started: EventPayload = {
    type: 'run.started',
    run_id: runId,
    runbook: { path: 'runbook.yaml', name: 'cutover', title: 'cutover', sha256: 'x' },
    step_hashes: {},
    plan: [
      {
        id: 'main',
        title: 'Main',
        steps: ['a', 'b'].map((id) => ({ id, title: id, kind: 'sql' as const, reversible: true, point_of_no_return: false })),
      },
    ],
    operator: 'ana',
    host: 'bastion',
    pid: 1,
    vars: {},
    connections: {},
    version: 'test',
  };
  return replay(
    [started, ...payloads].map((p, seq) => ({ ...p, seq, ts: '2026-12-06T02:00:00Z', prev: '', hash: '' }) as JournalEvent),
  )!;
}

const ranA: EventPayload[] = [
  { type: 'step.started', step: 'a', attempt: 1, operator: 'ana', log: 'a.log' },
  { type: 'step.succeeded', step: 'a', attempt: 1, duration_ms: 5 },
];

describe('the line the TUI leaves when it closes', () => {
  it('after a detach, says the run goes on and how to come back', () => {
    expect(describeTuiExit(runAfter(...ranA), 'detached')).toBe(
      `run ${runId} goes on in its engine (1/2 steps done): stepwise attach ${runId} · stepwise watch ${runId}`,
    );
  });

  it('after a pause, says how to resume or roll back', () => {
    expect(describeTuiExit(runAfter(...ranA, { type: 'run.paused', reason: 'q', operator: 'ana' }), 'paused')).toBe(
      `run ${runId} paused (1/2 steps done): stepwise resume ${runId} · stepwise rollback ${runId}`,
    );
  });

  it('after the end, points at the report', () => {
    const done = runAfter(
      ...ranA,
      { type: 'step.started', step: 'b', attempt: 1, operator: 'ana', log: 'b.log' },
      { type: 'step.succeeded', step: 'b', attempt: 1, duration_ms: 5 },
      { type: 'run.finished', outcome: 'succeeded' },
    );
    expect(describeTuiExit(done, 'done')).toBe(`run ${runId} succeeded (2/2 steps done): stepwise report ${runId}`);
  });
});
