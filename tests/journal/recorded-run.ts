import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { EventPayload, EventType, JournalEvent, PlanPhase } from '../../src/journal/events.js';
import { FileJournal } from '../../src/journal/file-journal.js';
import { journalPath, logPath, runDir } from '../../src/journal/state-dir.js';

// A whole maintenance night written through FileJournal, with every event type: a check that
// fails and is retried, a two-operator gate, a backfill killed with -9 and resumed by another
// operator, a manual sign-off, a skip, a pause, and a rollback whose first try fails.

export const runId = 'queue-migration-20261123T020013Z';
export const startedAt = '2026-11-23T02:00:13.000Z';

export const plan: PlanPhase[] = [
  {
    id: 'pre-migration',
    title: 'Pre-migration',
    steps: [
      {
        id: 'backup',
        title: 'Back up the task tables',
        kind: 'run',
        reversible: false,
        point_of_no_return: false,
      },
      {
        id: 'no-orphans',
        title: 'No orphaned subtasks',
        kind: 'check',
        reversible: false,
        point_of_no_return: false,
      },
    ],
    gate: { signoff: 2, checks: 1 },
  },
  {
    id: 'dual-write',
    title: 'Dual-write',
    steps: [
      {
        id: 'create-queue',
        title: 'Create the queue table',
        kind: 'sql',
        reversible: true,
        point_of_no_return: false,
      },
      {
        id: 'copy-tasks',
        title: 'Copy tasks',
        kind: 'backfill',
        reversible: true,
        point_of_no_return: false,
      },
      {
        id: 'consistent',
        title: 'Verify consistency',
        kind: 'compare',
        reversible: false,
        point_of_no_return: false,
      },
    ],
  },
  {
    id: 'cutover',
    title: 'Cutover',
    steps: [
      {
        id: 'stop-intake',
        title: 'Stop intake',
        kind: 'manual',
        reversible: false,
        point_of_no_return: false,
      },
      {
        id: 'drain',
        title: 'Drain running tasks',
        kind: 'wait',
        reversible: false,
        point_of_no_return: false,
      },
      {
        id: 'watch',
        title: 'Watch the queue',
        kind: 'soak',
        reversible: true,
        point_of_no_return: false,
      },
    ],
  },
  {
    id: 'cleanup',
    title: 'Cleanup',
    steps: [
      {
        id: 'drop-legacy',
        title: 'Drop the legacy table',
        kind: 'sql',
        reversible: false,
        point_of_no_return: true,
        lint_allowed: { rules: ['lock-timeout'], reason: 'nothing reads the legacy table any more' },
      },
    ],
  },
];

export const allEventTypes = [
  'run.started',
  'run.resumed',
  'connection.retargeted',
  'sessions.ended',
  'notify.failed',
  'run.paused',
  'run.finished',
  'step.started',
  'step.succeeded',
  'step.failed',
  'step.skipped',
  'step.signed',
  'step.probed',
  'step.process_started',
  'soak.started',
  'soak.checked',
  'step.progress',
  'batch.committed',
  'step.throttled',
  'gate.signed',
  'gate.checked',
  'gate.passed',
  'rollback.started',
  'step.rolled_back',
  'step.rollback_failed',
  'rollback.finished',
] as const satisfies readonly EventType[];

// Fails to compile when an event type is added to events.ts but not to the list above.
type Missing = Exclude<EventType, (typeof allEventTypes)[number]>;
export const everyTypeListed: Missing extends never ? true : never = true;

// [seconds after the start, event]
type Script = Array<[number, EventPayload]>;

const alice = 'alice@bastion';
const appIdentity = { driver: 'postgres', database: 'app', database_oid: '16384', server_version: '15.8' } as const;
const bob = 'bob@bastion';

function started(
  step: string,
  attempt: number,
  operator: string,
  at: { stateDir: string; runId: string },
  rollback = false,
): EventPayload {
  return {
    type: 'step.started',
    step,
    attempt,
    operator,
    log: logPath(at.stateDir, at.runId, step, attempt, rollback),
    ...(rollback ? { rollback } : {}),
  };
}

function script(at: { stateDir: string; runId: string }): Script {
  return [
    [
      0,
      {
        type: 'run.started',
        run_id: at.runId,
        runbook: {
          path: '/srv/runbooks/queue-migration/runbook.yaml',
          name: 'queue-migration',
          title: 'Move background tasks to the queue',
          sha256: 'a'.repeat(64),
        },
        step_hashes: Object.fromEntries(plan.flatMap((p) => p.steps.map((s) => [s.id, `hash-${s.id}`]))),
        plan,
        operator: alice,
        host: 'bastion',
        ssh: '10.0.0.7',
        pid: 4242,
        vars: { batch_size: '2500', ticket: 'CHG-1234', api_token: '***' },
        connections: {
          app: { target: 'postgres://app@db-prod:5432/app', production: true, embedded: false },
        },
        window: { budget_ms: 15 * 60_000, rollback_budget_ms: 30 * 60_000 },
        version: '0.1.0',
      },
    ],
    [1, started('backup', 1, alice, at)],
    [1.1, { type: 'step.process_started', step: 'backup', attempt: 1, pgid: 48213 }],
    [2, { type: 'step.progress', step: 'backup', message: 'dumping background_tasks' }],
    [2.2, { type: 'step.succeeded', step: 'backup', attempt: 1, duration_ms: 1200, summary: 'exit 0' }],
    [3, started('no-orphans', 1, alice, at)],
    [
      3.1,
      {
        type: 'step.failed',
        step: 'no-orphans',
        attempt: 1,
        duration_ms: 80,
        error: 'check failed: n is 3, expected 0',
        details: { expected: { n: 0 }, actual: { n: 3 }, failures: ['n: expected 0, got 3'] },
        retry_in_ms: 5000,
      },
    ],
    [8.1, started('no-orphans', 2, alice, at)],
    [
      8.2,
      {
        type: 'step.succeeded',
        step: 'no-orphans',
        attempt: 2,
        duration_ms: 75,
        details: {
          expected: { n: 0 },
          actual: { n: 0 },
          rows: [
            { n: 0, parent: 'b-1' },
            { n: 0, parent: 'b-2' },
          ],
          row_count: 25,
        },
      },
    ],
    [9, { type: 'gate.checked', phase: 'pre-migration', ok: true, details: { failures: [] } }],
    [40, { type: 'gate.signed', phase: 'pre-migration', operator: alice, note: 'backup verified' }],
    [55, { type: 'gate.signed', phase: 'pre-migration', operator: bob, note: 'looks good' }],
    [55, { type: 'gate.passed', phase: 'pre-migration' }],
    [
      60,
      { type: 'step.signed', step: 'create-queue', operator: alice, note: 'confirmed', purpose: 'confirm' },
    ],
    [60, started('create-queue', 1, alice, at)],
    [61.2, { type: 'step.succeeded', step: 'create-queue', attempt: 1, duration_ms: 1200, rows: 0 }],
    [62, started('copy-tasks', 1, alice, at)],
    [
      62.5,
      {
        type: 'batch.committed',
        step: 'copy-tasks',
        batch: 1,
        lo: 0,
        hi: 2500,
        rows: 2500,
        skipped: 0,
        size: 2500,
        duration_ms: 96,
      },
    ],
    [
      63,
      {
        type: 'batch.committed',
        step: 'copy-tasks',
        batch: 2,
        lo: 2500,
        hi: 5000,
        rows: 2490,
        skipped: 10,
        size: 2500,
        duration_ms: 90,
      },
    ],
    // kill -9 here: copy-tasks never ends. Bob resumes ten minutes later, accepting drift in drain.
    [
      663,
      {
        type: 'run.resumed',
        operator: bob,
        host: 'bastion',
        pid: 5151,
        ssh: '10.0.0.8',
        accepted_drift: ['drain'],
      },
    ],
    [
      664,
      {
        type: 'step.probed',
        step: 'copy-tasks',
        applied: false,
        details: { expected: { n: 10000 }, actual: { n: 5000 } },
      },
    ],
    [665, started('copy-tasks', 2, bob, at)],
    [
      665.5,
      {
        type: 'batch.committed',
        step: 'copy-tasks',
        batch: 3,
        lo: 5000,
        hi: 7500,
        rows: 2500,
        skipped: 0,
        size: 2500,
        duration_ms: 95,
      },
    ],
    [
      665.6,
      { type: 'step.throttled', step: 'copy-tasks', throttled: true, reason: 'replica lag 4.2 s > 2 s' },
    ],
    [
      665.9,
      { type: 'step.throttled', step: 'copy-tasks', throttled: false, reason: 'replica lag 0.3 s < 1 s' },
    ],
    [
      666,
      {
        type: 'batch.committed',
        step: 'copy-tasks',
        batch: 4,
        lo: 7500,
        hi: 10000,
        rows: 2500,
        skipped: 0,
        size: 2500,
        duration_ms: 94,
      },
    ],
    [666.1, { type: 'step.succeeded', step: 'copy-tasks', attempt: 2, duration_ms: 1100, rows: 4990 }],
    [667, started('consistent', 1, bob, at)],
    [
      669,
      {
        type: 'step.succeeded',
        step: 'consistent',
        attempt: 1,
        duration_ms: 2000,
        summary: 'counts and checksums match',
      },
    ],
    [670, { type: 'step.started', step: 'stop-intake', attempt: 1, operator: bob, log: '' }],
    [
      700,
      {
        type: 'step.signed',
        step: 'stop-intake',
        operator: bob,
        note: 'worker at 0 replicas',
        purpose: 'manual',
      },
    ],
    [701, { type: 'step.skipped', step: 'drain', reason: 'no task was running', operator: bob }],
    [701.1, started('watch', 1, bob, at)],
    [
      701.1,
      {
        type: 'soak.started',
        step: 'watch',
        started_at: '2026-11-23T02:11:41.100Z',
        ends_at: '2026-11-24T02:11:41.100Z',
        every_ms: 600_000,
      },
    ],
    [
      701.5,
      {
        type: 'soak.checked',
        step: 'watch',
        at: '2026-11-23T02:11:41.500Z',
        ok: true,
        results: [{ ok: true, summary: 'stuck = 0' }],
      },
    ],
    // The chat webhook was down: the run went on without it.
    [
      701.6,
      { type: 'notify.failed', event: 'waiting', target: 'webhook CHAT_WEBHOOK_URL', error: 'HTTP 503 Service Unavailable' },
    ],
    [702, { type: 'run.paused', reason: 'operator quit', operator: bob }],
    [1000, { type: 'run.resumed', operator: alice, host: 'bastion', pid: 6161, accepted_drift: [], purpose: 'rollback' }],
    // The database was restored on another server overnight: alice moves the run there on purpose.
    [
      1000.5,
      {
        type: 'connection.retargeted',
        conn: 'app',
        from: { ...appIdentity, address: 'postgres://app@db-prod:5432/app', system_identifier: '7301' },
        to: { ...appIdentity, address: 'postgres://app@db-prod-2:5432/app', system_identifier: '7302' },
        reason: 'restored on db-prod-2 after the disk failure (CHG-1240)',
        operator: alice,
      },
    ],
    // The quit left bob's index build running on the server: the resume ended it first.
    [
      1000.7,
      {
        type: 'sessions.ended',
        conn: 'app',
        sessions: [
          {
            pid: 48213,
            application_name: 'stepwise 3f9a0c11d2#3 queue-migration-20261123T020000Z bob@bastion',
            state: 'active',
            query: 'CREATE INDEX tasks_state ON tasks (state)',
            query_start: '2026-11-23 02:11:40+00',
          },
        ],
      },
    ],
    [
      1001,
      {
        type: 'rollback.started',
        operator: alice,
        plan: ['stop-intake', 'consistent', 'copy-tasks', 'create-queue', 'no-orphans', 'backup'],
      },
    ],
    [
      1002,
      {
        type: 'step.rolled_back',
        step: 'stop-intake',
        operator: alice,
        duration_ms: 0,
        how: 'signed',
        note: 'worker scaled back up',
      },
    ],
    [1003, started('copy-tasks', 3, alice, at, true)],
    [
      1004,
      {
        type: 'step.rollback_failed',
        step: 'copy-tasks',
        error: 'lock timeout on task_queue',
        duration_ms: 1000,
      },
    ],
    [1010, started('copy-tasks', 3, alice, at, true)],
    [
      1010.4,
      { type: 'step.rolled_back', step: 'copy-tasks', operator: alice, duration_ms: 400, how: 'reversed' },
    ],
    [1011, started('create-queue', 2, alice, at, true)],
    [
      1011.3,
      { type: 'step.rolled_back', step: 'create-queue', operator: alice, duration_ms: 300, how: 'reversed' },
    ],
    [
      1012,
      {
        type: 'step.rolled_back',
        step: 'backup',
        operator: alice,
        duration_ms: 0,
        how: 'signed',
        note: 'dump kept for the record',
      },
    ],
    [1012, { type: 'rollback.finished', complete: true }],
    [1012, { type: 'run.finished', outcome: 'rolled_back' }],
  ];
}

// Step output, as the engine would have written it.
const logs: Record<string, string> = {
  'backup.1.log': 'pg_dump: dumping contents of table "public.background_tasks"\npg_dump: done\n',
  'no-orphans.1.log': '',
  'copy-tasks.1.log': 'batch 1: 0..2500\nbatch 2: 2500..5000\n',
  'copy-tasks.2.log': 'batch 3: 5000..7500\nbatch 4: 7500..10000\n',
  'copy-tasks.rollback.3.log': 'DELETE 10000\n',
  'create-queue.1.log': 'CREATE TABLE',
};

// The night's events in order, without their times (a contract test appends them elsewhere).
export function recordedPayloads(stateDir: string, id = runId): EventPayload[] {
  return script({ stateDir, runId: id }).map(([, payload]) => payload);
}

export interface RecordedRun {
  runId: string;
  journalPath: string;
  // Each event as the journal's onAppend listeners saw it.
  events: JournalEvent[];
}

// Writes the run into <stateDir>/runs/<run-id>/ with its logs. Event times are exact.
export function recordRun(stateDir: string, options: { upTo?: number; runId?: string } = {}): RecordedRun {
  const id = options.runId ?? runId;
  mkdirSync(join(runDir(stateDir, id), 'logs'), { recursive: true });
  for (const [name, text] of Object.entries(logs))
    writeFileSync(join(runDir(stateDir, id), 'logs', name), text);
  const path = journalPath(stateDir, id);
  const journal = FileJournal.create(path);
  const events: JournalEvent[] = [];
  journal.onAppend((e) => events.push(e));
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    const steps = script({ stateDir, runId: id }).slice(0, options.upTo);
    for (const [seconds, payload] of steps) {
      vi.setSystemTime(Date.parse(startedAt) + seconds * 1000);
      journal.append(payload);
    }
  } finally {
    vi.useRealTimers();
    journal.close();
  }
  return { runId: id, journalPath: path, events };
}
