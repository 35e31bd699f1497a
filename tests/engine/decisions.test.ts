import { beforeAll, describe, expect, it } from 'vitest';
import { buildRollbackPlan } from '../../src/engine/build-rollback-plan.js';
import { nextAction } from '../../src/engine/next-action.js';
import { phaseRun } from '../../src/engine/phase-run.js';
import { type IndexedStep, indexSteps } from '../../src/engine/step-index.js';
import { needsConfirm } from '../../src/engine/step-rules.js';
import { whyNotReopen } from '../../src/engine/why-not-reopen.js';
import type { EventPayload, JournalEvent, PlanPhase } from '../../src/journal/events.js';
import { markInterrupted, type RunState, replay } from '../../src/journal/reducer.js';
import { createRenderer } from '../../src/runbook/create-renderer.js';
import { loadRunbook } from '../../src/runbook/load-runbook.js';
import type { LoadedRunbook } from '../../src/runbook/loaded-runbook.js';
import { writeRunbook } from '../runbook/write-runbook.js';

// The engine's decisions as pure functions of a run's state, tested the way event-sourced
// deciders are: given these journal events, when the engine is asked, then this answer.

const yaml = `version: 1
name: cutover
connections:
  app: { url: "postgres://app@db.internal/app", production: true }
phases:
  - id: pre
    steps:
      - id: backup
        run: [pg_dump, --version]
      - id: ready
        check: { sql: "SELECT 1 AS one", expect: { one: 1 } }
    gate: { signoff: { count: 2 } }
  - id: cut
    steps:
      - id: add-column
        sql: "ALTER TABLE tasks ADD COLUMN priority int"
        rollback: { sql: "ALTER TABLE tasks DROP COLUMN priority" }
      - id: announce
        manual: Tell the team the cutover starts.
      - id: flip
        sql: "UPDATE flags SET enabled = true"
        confirm: flip the flag
        point_of_no_return: true
      - id: drop-legacy
        sql: "DROP TABLE legacy"
        confirm: true
`;

let loaded: LoadedRunbook;
let index: Map<string, IndexedStep>;
let plan: PlanPhase[];

beforeAll(async () => {
  loaded = await loadRunbook(writeRunbook(yaml));
  index = indexSteps(loaded.runbook);
  plan = loaded.runbook.phases.map((phase) => ({
    id: phase.id,
    title: phase.title ?? phase.id,
    steps: phase.steps.map((step) => {
      const entry = index.get(step.id)!;
      return {
        id: step.id,
        title: step.title ?? step.id,
        kind: entry.kind,
        reversible: Boolean(step.rollback),
        point_of_no_return: Boolean(step.point_of_no_return),
      };
    }),
    gate: phase.gate ? { signoff: phase.id === 'pre' ? 2 : 1, checks: 0 } : undefined,
  }));
});

let clock = 0;
const at = () => new Date(Date.UTC(2026, 11, 6, 2, 0, clock++)).toISOString();

function given(...payloads: EventPayload[]): RunState {
  const started: EventPayload = {
    type: 'run.started',
    run_id: 'cutover-20261206T020000Z',
    runbook: { path: 'runbook.yaml', name: 'cutover', title: 'cutover', sha256: 'x' },
    step_hashes: {},
    plan,
    operator: 'ana',
    host: 'bastion',
    pid: 1,
    vars: {},
    connections: { app: { target: 'postgres://app@db.internal/app', production: true, embedded: false } },
    version: 'test',
  };
  const events = [started, ...payloads].map(
    (payload, seq) => ({ ...payload, seq, ts: at(), prev: '', hash: '' }) as JournalEvent,
  );
  return replay(events)!;
}

const ran = (step: string, attempt = 1): EventPayload[] => [
  { type: 'step.started', step, attempt, operator: 'ana', log: `${step}.log` },
  { type: 'step.succeeded', step, attempt, duration_ms: 10 },
];

const decideNext = (state: RunState) =>
  nextAction(state, index, (entry) => needsConfirm(entry, ['app'], () => true));

const rollbackPlan = (state: RunState, to?: string) =>
  buildRollbackPlan(
    state,
    index,
    loaded,
    createRenderer({ vars: {}, secretVars: [], connections: {}, run: { id: 'r', operator: 'ana' } }),
    to,
  );

describe('the next action', () => {
  it('given a new run on production, asks to confirm the first command before it runs', () => {
    expect(decideNext(given())).toEqual({ kind: 'step', step: 'backup', needs: 'confirm' });
  });

  it('given a check is the next step, runs it without asking (it changes nothing)', () => {
    expect(decideNext(given(...ran('backup')))).toEqual({ kind: 'step', step: 'ready' });
  });

  it('given the first phase is done, waits at its two-person gate, then for the second signer', () => {
    const done = [...ran('backup'), ...ran('ready')];
    expect(decideNext(given(...done))).toEqual({ kind: 'gate', phase: 'pre', signoffsNeeded: 2 });
    const once: EventPayload = { type: 'gate.signed', phase: 'pre', operator: 'ana', user: 'ana', note: '' };
    expect(decideNext(given(...done, once))).toEqual({ kind: 'gate', phase: 'pre', signoffsNeeded: 1 });
  });

  it('given one Unix user signed the gate twice under two names, still waits for a second person', () => {
    const state = given(
      ...ran('backup'),
      ...ran('ready'),
      { type: 'gate.signed', phase: 'pre', operator: 'ana', user: 'ana', note: '' },
      { type: 'gate.signed', phase: 'pre', operator: 'Ana B.', user: 'ana', note: '' },
    );
    expect(decideNext(state)).toEqual({ kind: 'gate', phase: 'pre', signoffsNeeded: 1 });
  });

  it('given the gate passed, asks for a sign-off of the manual step, then the typed phrase', () => {
    const passed: EventPayload[] = [...ran('backup'), ...ran('ready'), { type: 'gate.passed', phase: 'pre' }];
    expect(decideNext(given(...passed, ...ran('add-column')))).toEqual({
      kind: 'step',
      step: 'announce',
      needs: 'signoff',
    });
    expect(decideNext(given(...passed, ...ran('add-column'), ...ran('announce')))).toEqual({
      kind: 'step',
      step: 'flip',
      needs: 'phrase',
    });
  });

  it('given a step was started and nothing followed (a crash), says it is interrupted and that running it again is confirmed', () => {
    const state = markInterrupted(
      given({ type: 'step.started', step: 'backup', attempt: 1, operator: 'ana', log: 'b.log' }),
    );
    expect(decideNext(state)).toEqual({ kind: 'step', step: 'backup', needs: 'interrupted', then: 'confirm' });
  });

  it('given a skipped step, goes on to the one after it', () => {
    const state = given({ type: 'step.skipped', step: 'backup', reason: 'done by hand', operator: 'ana' });
    expect(decideNext(state)).toEqual({ kind: 'step', step: 'ready' });
  });

  it('given a rollback has started, has nothing more to run forward', () => {
    const state = given(...ran('backup'), { type: 'rollback.started', operator: 'ana', plan: [] });
    expect(decideNext(state)).toEqual({ kind: 'done' });
  });
});

describe('running the rest of a phase', () => {
  const decidePhase = (state: RunState) =>
    phaseRun(state, index, (entry) => needsConfirm(entry, ['app'], () => true), decideNext(state));

  it('given a new run on production, lists the steps, the one that needs the confirmation, and stops at the gate', () => {
    expect(decidePhase(given())).toEqual({
      phase: 'pre',
      steps: ['backup', 'ready'],
      confirm: ['backup'],
      stopsBefore: { why: 'the gate: it needs a sign-off' },
    });
  });

  it('given the gate passed, runs the schema change and stops before the manual step', () => {
    const state = given(...ran('backup'), ...ran('ready'), { type: 'gate.passed', phase: 'pre' });
    expect(decidePhase(state)).toEqual({
      phase: 'cut',
      steps: ['add-column'],
      confirm: ['add-column'],
      stopsBefore: { step: 'announce', why: 'a manual step: sign it off' },
    });
  });

  it('given the next step needs its phrase typed, says the phase cannot run on and why', () => {
    const state = given(
      ...ran('backup'),
      ...ran('ready'),
      { type: 'gate.passed', phase: 'pre' },
      ...ran('add-column'),
      ...ran('announce'),
    );
    expect(decidePhase(state)).toEqual({ phase: 'cut', refused: 'flip needs its phrase typed: enter runs it' });
  });

  it('given a phase whose gate waits for sign-offs, says so', () => {
    expect(decidePhase(given(...ran('backup'), ...ran('ready')))).toEqual({
      phase: 'pre',
      refused: 'the gate of phase pre waits for a sign-off: s signs it',
    });
  });
});

describe('the rollback plan', () => {
  const throughAddColumn = (): EventPayload[] => [
    ...ran('backup'),
    ...ran('ready'),
    { type: 'gate.passed', phase: 'pre' },
    ...ran('add-column'),
  ];

  it('given three steps done, reverses the schema change, passes over the check, asks a sign-off for the command', () => {
    const { items, pointOfNoReturnPassed } = rollbackPlan(given(...throughAddColumn()));
    expect(items.map(({ step, action }) => [step, action])).toEqual([
      ['add-column', 'reverse'],
      ['ready', 'pass-over'],
      ['backup', 'signoff'],
    ]);
    expect(items[2].note).toBe('irreversible: no rollback defined');
    expect(pointOfNoReturnPassed).toEqual([]);
  });

  it('given the point of no return passed, names the step', () => {
    const state = given(...throughAddColumn(), ...ran('announce'), ...ran('flip'));
    const { items, pointOfNoReturnPassed } = rollbackPlan(state);
    expect(items[0]).toMatchObject({ step: 'flip', action: 'signoff' });
    expect(items[1]).toMatchObject({ step: 'announce', action: 'signoff', note: 'manual step: undo it by hand' });
    expect(pointOfNoReturnPassed).toEqual(['flip']);
  });

  it('given the point of no return passed with a typed phrase, rolling back past it needs that phrase again', () => {
    const state = given(...throughAddColumn(), ...ran('announce'), ...ran('flip'));
    expect(rollbackPlan(state).phrases).toEqual([{ step: 'flip', phrase: 'flip the flag' }]);
    expect(rollbackPlan(state, 'flip').phrases).toEqual([]);
    expect(rollbackPlan(given(...throughAddColumn())).phrases).toEqual([]);
  });

  it('given --to a step, keeps that step and everything before it', () => {
    const { items } = rollbackPlan(given(...throughAddColumn()), 'ready');
    expect(items.map((item) => item.step)).toEqual(['add-column']);
  });

  it('given --to a step that is not in the run, refuses naming the steps there are', () => {
    expect(() => rollbackPlan(given(...throughAddColumn()), 'nope')).toThrow(
      /--to nope: no such step in this run; steps: backup, ready, add-column/,
    );
  });

  it('given a step whose rollback already failed once, plans it again', () => {
    const state = given(
      ...throughAddColumn(),
      { type: 'rollback.started', operator: 'ana', plan: ['add-column'] },
      { type: 'step.started', step: 'add-column', attempt: 1, operator: 'ana', log: 'r.log', rollback: true },
      { type: 'step.rollback_failed', step: 'add-column', error: 'lock timeout', duration_ms: 5 },
    );
    expect(rollbackPlan(state).items[0]).toMatchObject({ step: 'add-column', action: 'reverse' });
  });
});

describe('reopening a finished run', () => {
  it('given a run that succeeded, refuses resume and allows rollback', () => {
    const state = given({ type: 'run.finished', outcome: 'succeeded' });
    expect(whyNotReopen(state, 'resume')).toMatch(/has already finished; start a new run/);
    expect(whyNotReopen(state, 'rollback')).toBeUndefined();
  });

  it('given a run rolled back all the way, refuses a second rollback naming who did the first', () => {
    const state = given(
      ...ran('backup'),
      { type: 'rollback.started', operator: 'ana', plan: ['backup'] },
      { type: 'step.rolled_back', step: 'backup', operator: 'ana', duration_ms: 1, how: 'signed' },
      { type: 'rollback.finished', complete: true },
      { type: 'run.finished', outcome: 'rolled_back' },
    );
    expect(whyNotReopen(state, 'rollback')).toMatch(/has already been rolled back by ana \(started .*\); nothing is left to undo/);
    expect(whyNotReopen(state, 'resume')).toMatch(/has already been rolled back/);
  });

  it('given a paused run, allows both', () => {
    const state = given({ type: 'run.paused', reason: 'operator', operator: 'ana' });
    expect(whyNotReopen(state, 'resume')).toBeUndefined();
    expect(whyNotReopen(state, 'rollback')).toBeUndefined();
  });
});
