import { createStore, type StoreApi } from 'zustand/vanilla';
import { buildPlan } from '../../src/engine/build-plan.js';
import { buildRollbackPlan } from '../../src/engine/build-rollback-plan.js';
import type {
  ConnectionView,
  DriftItem,
  EngineHandle,
  EngineView,
  LiveState,
  RollbackPlan,
} from '../../src/engine/engine-api.js';
import { nextAction } from '../../src/engine/next-action.js';
import { type LogPage, type LogPosition, readLogPage } from '../../src/engine/read-log-page.js';
import { runbookView } from '../../src/engine/runbook-view.js';
import { type IndexedStep, indexSteps } from '../../src/engine/step-index.js';
import { phaseRun } from '../../src/engine/phase-run.js';
import { needsConfirm } from '../../src/engine/step-rules.js';
import type { EventPayload, JournalEvent } from '../../src/journal/events.js';
import { type RunState, reduce } from '../../src/journal/reducer.js';
import { createRenderer } from '../../src/runbook/create-renderer.js';
import type { LoadedRunbook } from '../../src/runbook/loaded-runbook.js';
import { type Runbook, runbook as runbookSchema } from '../../src/runbook/schema.js';

// A front end's view of a run built the way the engine builds it: journal events reduced with
// the real reducer, the real next action, rollback plan and previews. Intents are recorded,
// not executed: the engine is tested on its own.

export const operator = 'alice@bastion';
export const user = 'alice';

export const rehearsal = {
  version: 1,
  name: 'rehearsal',
  title: 'Rehearse the queue migration',
  description: 'Moves **background tasks** to the queue.',
  window: { budget: '15m', rollback_budget: '30m' },
  vars: { batch_size: { default: 5000 }, ticket: { default: 'CHG-1' } },
  connections: { app: { url: 'postgres://app:s3cret@db-prod:5432/app', production: true } },
  phases: [
    {
      id: 'prep',
      title: 'Preparation',
      steps: [
        {
          id: 'health',
          title: 'Server is healthy',
          check: {
            conn: 'app',
            sql: 'SELECT 0 AS n, true AS primary_ok',
            expect: { n: 0, primary_ok: true },
          },
        },
        {
          id: 'backup',
          title: 'Back up the task tables',
          description:
            'Copies both legacy tables into a backup schema so the rollback needs no server binaries.',
          sql: { conn: 'app', text: 'CREATE SCHEMA backup; CREATE TABLE backup.tasks AS TABLE tasks' },
          rollback: { sql: { conn: 'app', text: 'DROP SCHEMA backup CASCADE' } },
        },
      ],
      gate: { signoff: true },
    },
    {
      id: 'dual',
      title: 'Dual-write',
      steps: [
        {
          id: 'create-queue',
          title: 'Create the queue table',
          sql: { conn: 'app', text: 'CREATE TABLE task_queue (id bigint PRIMARY KEY)' },
          rollback: { sql: { conn: 'app', text: 'DROP TABLE task_queue' } },
        },
        {
          id: 'copy-tasks',
          title: 'Copy tasks into the queue',
          backfill: {
            conn: 'app',
            from: 'tasks',
            key: 'id',
            batch: '{{ vars.batch_size }}',
            sql: 'INSERT INTO task_queue SELECT id FROM tasks WHERE id > :lo AND id <= :hi ON CONFLICT DO NOTHING',
          },
          idempotent: true,
          rollback: { sql: { conn: 'app', text: 'DELETE FROM task_queue' } },
        },
        {
          id: 'counts-match',
          title: 'Every task is in the queue',
          check: { conn: 'app', sql: 'SELECT 0 AS missing', expect: { missing: 0, total: { gt: 0 } } },
        },
      ],
    },
    {
      id: 'cutover',
      title: 'Cutover',
      steps: [
        {
          id: 'stop-intake',
          title: 'Stop the legacy scheduler',
          manual: 'Scale the **scheduler** to 0 replicas.',
        },
        { id: 'notify', title: 'Tell the on-call channel', run: ['echo', 'cutover of {{ vars.ticket }}'] },
        {
          id: 'flip-flag',
          title: 'Read tasks from the queue',
          sql: { conn: 'app', text: "UPDATE flags SET on = true WHERE name = 'queue'" },
          point_of_no_return: true,
          rollback: { sql: { conn: 'app', text: "UPDATE flags SET on = false WHERE name = 'queue'" } },
        },
        {
          id: 'drop-legacy',
          title: 'Drop the legacy table',
          sql: { conn: 'app', text: 'DROP TABLE tasks' },
          confirm: 'drop tasks',
        },
      ],
      gate: { signoff: { count: 2 } },
    },
  ],
};

export function loadedFrom(definition: unknown): LoadedRunbook {
  const runbook: Runbook = runbookSchema.parse(definition);
  return {
    path: `/runbooks/${runbook.name}.yaml`,
    dir: '/runbooks',
    source: '',
    sha256: 'sha',
    runbook,
    stepHashes: {},
    files: {},
    positions: {},
  };
}

export interface FixtureOptions {
  runbook?: unknown;
  // Events after run.started, in order; ts one second apart unless given.
  events?: EventPayload[];
  // How long ago the run started (window timer).
  startedMsAgo?: number;
  connections?: ConnectionView[];
  drift?: DriftItem[];
  live?: Partial<LiveState>;
  runId?: string;
}

export interface RecordedCall {
  intent: string;
  args: unknown[];
}

export class FixtureEngine implements EngineHandle {
  readonly store: StoreApi<EngineView>;
  readonly calls: RecordedCall[] = [];
  readonly loaded: LoadedRunbook;
  private state: RunState;
  private seq = 0;
  private clock: number;
  private readonly renderer;
  private readonly index;
  private pauseGate?: Promise<void>;
  private readonly connections: ConnectionView[];

  constructor(options: FixtureOptions = {}) {
    this.loaded = loadedFrom(options.runbook ?? rehearsal);
    const runbook = this.loaded.runbook;
    this.index = indexSteps(runbook);
    const runId = options.runId ?? `${runbook.name}-20261123T020000Z`;
    const connections =
      options.connections ??
      Object.entries(runbook.connections ?? {}).map(([name, c]) => ({
        name,
        target: typeof c.url === 'string' ? c.url.replace(/:[^:@/]+@/, '@') : `embedded ${c.embedded}`,
        production: c.production === true,
        embedded: c.url === undefined,
      }));
    this.connections = connections;
    const urls = Object.fromEntries(
      Object.entries(runbook.connections ?? {}).map(([name, c]) => [
        name,
        { url: typeof c.url === 'string' ? c.url : undefined },
      ]),
    );
    const vars = Object.fromEntries(
      Object.entries(runbook.vars ?? {}).flatMap(([name, v]) =>
        v.default === undefined ? [] : [[name, v.default]],
      ),
    );
    this.renderer = createRenderer({ vars, secretVars: [], connections: urls, run: { id: runId, operator } });
    this.clock = Date.now() - (options.startedMsAgo ?? 5 * 60_000);
    const started = this.event({
      type: 'run.started',
      run_id: runId,
      runbook: {
        path: this.loaded.path,
        name: runbook.name,
        title: runbook.title ?? runbook.name,
        sha256: 'sha',
      },
      step_hashes: {},
      plan: buildPlan(runbook),
      operator,
      host: 'bastion',
      pid: 1,
      vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])),
      connections: Object.fromEntries(
        connections.map((c) => [
          c.name,
          { target: c.target, production: c.production, embedded: c.embedded },
        ]),
      ),
      window: { budget_ms: 15 * 60_000, rollback_budget_ms: 30 * 60_000 },
      version: 'test',
    });
    this.state = reduce(undefined, started);
    for (const e of options.events ?? []) this.state = reduce(this.state, this.event(e));
    this.store = createStore<EngineView>(() => ({
      ...runbookView(this.loaded, this.renderer, this.index),
      run: this.state,
      live: { output: {}, backfill: {}, ...options.live },
      connections,
      drift: options.drift ?? [],
      next: this.next(),
      phaseRun: this.phaseRun(),
      operator,
      user,
      display: operator,
    }));
  }

  private event(payload: EventPayload): JournalEvent {
    this.seq += 1;
    this.clock += 1000;
    return {
      ...payload,
      seq: this.seq,
      ts: new Date(this.clock).toISOString(),
      prev: '',
      hash: `h${this.seq}`,
    } as JournalEvent;
  }

  private needsConfirm = (entry: IndexedStep) =>
    needsConfirm(
      entry,
      this.connections.map((c) => c.name),
      (name) => this.connections.some((c) => c.name === name && c.production),
    );

  private next() {
    return nextAction(this.state, this.index, this.needsConfirm);
  }

  private phaseRun() {
    return phaseRun(this.state, this.index, this.needsConfirm, this.next());
  }

  // More journal events, as the engine would append and flush them.
  emit(...payloads: EventPayload[]): void {
    for (const p of payloads) this.state = reduce(this.state, this.event(p));
    this.store.setState({ run: this.state, next: this.next(), phaseRun: this.phaseRun() });
  }

  setLive(patch: Partial<LiveState>): void {
    this.store.setState((s) => ({ live: { ...s.live, ...patch } }));
  }

  // pause() waits for this promise: a test can hold the quit in progress.
  holdPause(until: Promise<void>): void {
    this.pauseGate = until;
  }

  callsOf(intent: string): unknown[][] {
    return this.calls.filter((c) => c.intent === intent).map((c) => c.args);
  }

  private record(intent: string, args: unknown[]): Promise<void> {
    this.calls.push({ intent, args });
    return Promise.resolve();
  }

  runStep(...args: Parameters<EngineHandle['runStep']>) {
    return this.record('runStep', args);
  }
  runPhase(...args: Parameters<EngineHandle['runPhase']>) {
    return this.record('runPhase', args);
  }
  signStep(...args: Parameters<EngineHandle['signStep']>) {
    return this.record('signStep', args);
  }
  signGate(...args: Parameters<EngineHandle['signGate']>) {
    return this.record('signGate', args);
  }
  skip(...args: Parameters<EngineHandle['skip']>) {
    return this.record('skip', args);
  }
  endSoak(...args: Parameters<EngineHandle['endSoak']>) {
    return this.record('endSoak', args);
  }
  markDone(...args: Parameters<EngineHandle['markDone']>) {
    return this.record('markDone', args);
  }
  rollback(...args: Parameters<EngineHandle['rollback']>) {
    return this.record('rollback', args);
  }
  cancel() {
    this.calls.push({ intent: 'cancel', args: [] });
  }
  async pause(reason: string, options?: { afterStep?: boolean }) {
    this.calls.push({ intent: 'pause', args: options ? [reason, options] : [reason] });
    await this.pauseGate;
  }
  backfillControl(...args: Parameters<EngineHandle['backfillControl']>) {
    this.calls.push({ intent: 'backfillControl', args });
  }
  rollbackPlan(to?: string): RollbackPlan {
    this.calls.push({ intent: 'rollbackPlan', args: [to] });
    return buildRollbackPlan(this.state, this.index, this.loaded, this.renderer, to);
  }

  // The real reader, on the log file named by the step's step.started event.
  async logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    const log = this.state.steps[step]?.log;
    return log ? readLogPage(log, position, count) : undefined;
  }
}

// Events that make a step succeed (started + succeeded).
export function ran(
  step: string,
  extra: Partial<Extract<EventPayload, { type: 'step.succeeded' }>> = {},
): EventPayload[] {
  return [
    { type: 'step.started', step, attempt: 1, operator, log: `/state/logs/${step}.1.log` },
    { type: 'step.succeeded', step, attempt: 1, duration_ms: 1200, ...extra },
  ];
}

export function started(step: string, attempt = 1): EventPayload {
  return { type: 'step.started', step, attempt, operator, log: `/state/logs/${step}.${attempt}.log` };
}

// Through the preparation phase and its gate.
export const prepDone: EventPayload[] = [
  ...ran('health'),
  { type: 'step.signed', step: 'backup', operator, note: 'confirmed', purpose: 'confirm' },
  ...ran('backup', { rows: 0 }),
  { type: 'gate.signed', phase: 'prep', operator, note: 'looks good' },
  { type: 'gate.passed', phase: 'prep' },
];

// Through the dual-write phase (no gate) and the cutover up to the typed confirmation.
export const untilDropLegacy: EventPayload[] = [
  ...prepDone,
  ...ran('create-queue'),
  ...ran('copy-tasks'),
  ...ran('counts-match'),
  started('stop-intake'),
  { type: 'step.signed', step: 'stop-intake', operator, note: 'scaled to 0', purpose: 'manual' },
  ...ran('notify'),
  ...ran('flip-flag'),
];
