import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent, PlanPhase } from '../../src/journal/events.js';
import { FileJournal, readJournal } from '../../src/journal/file-journal.js';
import {
  markInterrupted,
  ReduceError,
  type RunState,
  reduce,
  replay,
} from '../../src/journal/reducer.js';
import { stepDone } from '../../src/journal/run-questions.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { allEventTypes, everyTypeListed, recordRun } from './recorded-run.js';

describe('replaying a journal', () => {
  it('gives exactly the state the engine built live, event by event, for every event type', () => {
    const stateDir = tempStateDir('stepwise-replay-');
    const { journalPath, events } = recordRun(stateDir);
    expect(everyTypeListed).toBe(true);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(allEventTypes));

    let live: RunState | undefined;
    for (const e of events) live = reduce(live, e);
    const read = readJournal(journalPath);
    expect(read.problems).toEqual([]);
    expect(read.tornTail).toBeUndefined();
    expect(read.lines).toEqual(events.map((_, i) => i + 1));
    expect(replay(read.events)).toEqual(live);
  });

  it('follows the night: retries, the two-operator gate, the resumed backfill, sign-offs and the rollback', () => {
    const { events } = recordRun(tempStateDir('stepwise-replay-'));
    const state = replay(events)!;
    expect(state.status).toBe('rolled_back');
    expect(state.operators).toEqual(['alice@bastion', 'bob@bastion']);
    // Read-only steps the rollback passed over keep their success on record, and are not done.
    expect(state.steps['no-orphans']).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      passedOver: { operator: 'alice@bastion', ts: events.at(-2)!.ts },
    });
    expect(state.steps.consistent.passedOver).toBeDefined();
    expect([stepDone(state.steps['no-orphans']), stepDone(state.steps.consistent)]).toEqual([false, false]);
    expect(stepDone(state.steps.drain)).toBe(false);
    expect(state.phases[0]).toMatchObject({ gateStatus: 'passed', gateCheck: { ok: true } });
    expect(state.phases[0].gateSignoffs.map((s) => s.operator)).toEqual(['alice@bastion', 'bob@bastion']);
    expect(state.steps['create-queue']).toMatchObject({
      status: 'rolled_back',
      confirmedBy: { operator: 'alice@bastion', note: 'confirmed' },
      rollback: { how: 'reversed', operator: 'alice@bastion' },
    });
    expect(state.steps['copy-tasks']).toMatchObject({
      status: 'rolled_back',
      attempts: 2,
      probe: { applied: false },
    });
    expect(state.steps['stop-intake']).toMatchObject({
      status: 'rolled_back',
      signoff: { operator: 'bob@bastion', note: 'worker at 0 replicas' },
      rollback: { how: 'signed', note: 'worker scaled back up' },
    });
    expect(state.steps.drain).toMatchObject({
      status: 'skipped',
      skipReason: 'no task was running',
      operator: 'bob@bastion',
    });
    // Rolled back all the way, nothing counts as done, the skipped step neither.
    expect(stepDone(state.steps.drain)).toBe(false);
    expect(state.order.filter((id) => stepDone(state.steps[id]))).toEqual([]);
    expect(state.steps['drop-legacy'].status).toBe('pending');
    expect(state.rollback).toMatchObject({ finished: true, complete: true, operator: 'alice@bastion' });
    expect(state.seq).toBe(events.length);
    expect(state.hash).toBe(events.at(-1)!.hash);
  });

  it('marks the backfill killed with -9 as interrupted, with its committed batches kept', () => {
    const { events } = recordRun(tempStateDir('stepwise-replay-'));
    const beforeResume = events.findIndex((e) => e.type === 'run.resumed');
    const crashed = replay(events.slice(0, beforeResume))!;
    expect(crashed.steps['copy-tasks'].status).toBe('running');
    expect(markInterrupted(crashed).steps['copy-tasks']).toMatchObject({
      status: 'interrupted',
      batches: { count: 2, rows: 4990, skipped: 10, lastHi: 5000 },
    });
    expect(replay(events.slice(0, beforeResume + 1))!.steps['copy-tasks'].status).toBe('interrupted');
  });

  it('refuses an event it does not know, and an event before run.started, naming the event', () => {
    const { events } = recordRun(tempStateDir('stepwise-replay-'));
    const state = replay(events.slice(0, 1));
    const unknown = { ...events[1], type: 'step.teleported' } as unknown as JournalEvent;
    expect(() => reduce(state, unknown)).toThrow(ReduceError);
    expect(() => reduce(state, unknown)).toThrow('event 2: unknown event type "step.teleported"');
    expect(() => reduce(undefined, events[1])).toThrow('event 2: step.started before run.started');
    expect(() => reduce(state, { ...events[1], step: 'nope' } as JournalEvent)).toThrow(
      'unknown step "nope"',
    );
  });

  it('keeps the state of steps that ran when accepted drift replaces the plan', () => {
    const dir = tempStateDir('stepwise-replay-');
    mkdirSync(dir, { recursive: true });
    const journal = FileJournal.create(join(dir, 'journal.jsonl'));
    const step = (id: string) => ({
      id,
      title: id,
      kind: 'sql' as const,
      reversible: true,
      point_of_no_return: false,
    });
    const before: PlanPhase[] = [{ id: 'main', title: 'Main', steps: [step('a'), step('b')] }];
    const after: PlanPhase[] = [{ id: 'main', title: 'Main', steps: [step('a'), step('c')] }];
    journal.append({
      type: 'run.started',
      run_id: 'drift-20261123T020000Z',
      runbook: { path: '/x.yaml', name: 'drift', title: 'drift', sha256: 'x' },
      step_hashes: { a: '1', b: '2' },
      plan: before,
      operator: 'alice',
      host: 'h',
      pid: 1,
      vars: {},
      connections: {},
      version: '0.1.0',
    });
    journal.append({ type: 'step.started', step: 'a', attempt: 1, operator: 'alice', log: '' });
    journal.append({ type: 'step.succeeded', step: 'a', attempt: 1, duration_ms: 5 });
    journal.append({ type: 'step.started', step: 'b', attempt: 1, operator: 'alice', log: '' });
    journal.append({ type: 'step.succeeded', step: 'b', attempt: 1, duration_ms: 5 });
    journal.append({
      type: 'run.resumed',
      operator: 'bob',
      host: 'h',
      pid: 2,
      accepted_drift: ['b', 'c'],
      plan: after,
      step_hashes: { a: '1', c: '3' },
    });
    journal.close();
    const state = replay(readJournal(join(dir, 'journal.jsonl')).events)!;
    expect(state.order).toEqual(['a', 'c']);
    expect(state.steps.a.status).toBe('succeeded');
    expect(state.steps.c.status).toBe('pending');
    expect(state.steps.b.status).toBe('succeeded');
    expect(state.started.step_hashes).toEqual({ a: '1', c: '3' });
  });
});
