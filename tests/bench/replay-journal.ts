import { createHash } from 'node:crypto';
import type { EventPayload, PlanPhase } from '../../src/journal/events.js';
import { FileJournal } from '../../src/journal/file-journal.js';
import type { StepKind } from '../../src/runbook/schema.js';
import { BufferedJournal } from './buffered-journal.js';

// A journal as a long run leaves it, written through the real FileJournal: 50 steps over 5
// phases, each gated; backfills with one batch.committed and one step.progress per batch make up
// the bulk, as they do in a real run, plus waits polling and compares reporting chunks.

const phases = 5;
const stepsPerPhase = 10;
const kinds: StepKind[] = ['check', 'sql', 'backfill', 'run', 'wait', 'sql', 'backfill', 'compare', 'manual', 'check'];
const operator = 'alice';

function plan(): PlanPhase[] {
  return Array.from({ length: phases }, (_, p) => ({
    id: `phase-${p + 1}`,
    title: `Phase ${p + 1}`,
    steps: kinds.slice(0, stepsPerPhase).map((kind, s) => ({
      id: `p${p + 1}-s${s + 1}`,
      title: `Step ${s + 1} of phase ${p + 1}`,
      kind,
      reversible: kind !== 'manual' && kind !== 'run',
      point_of_no_return: false,
    })),
    gate: { signoff: 1, checks: 1 },
  }));
}

function runStarted(runId: string, planned: PlanPhase[]): EventPayload {
  const ids = planned.flatMap((p) => p.steps.map((s) => s.id));
  return {
    type: 'run.started',
    run_id: runId,
    runbook: {
      path: '/srv/runbooks/bench-replay/runbook.yaml',
      name: 'bench-replay',
      title: 'Replay benchmark',
      sha256: createHash('sha256').update(runId).digest('hex'),
    },
    step_hashes: Object.fromEntries(ids.map((id) => [id, createHash('sha256').update(id).digest('hex')])),
    plan: planned,
    operator,
    host: 'bastion-1',
    ssh: '10.0.0.7 52144 22',
    pid: 4242,
    vars: { batch_size: '5000', tenant: 'acme', api_token: '***' },
    connections: { app: { target: 'postgres://migrator@db-1:5432/app', production: true, embedded: false } },
    window: { budget_ms: 900_000, rollback_budget_ms: 1_800_000 },
    version: '0.1.0',
  };
}

// The events of one step, without its backfill batches.
function stepEvents(runId: string, step: string, kind: string, extra: number): EventPayload[] {
  const events: EventPayload[] = [
    { type: 'step.started', step, attempt: 1, operator, log: `runs/${runId}/logs/${step}.1.log` },
  ];
  if (kind === 'manual') {
    events.push({ type: 'step.signed', step, operator, note: 'workers at 0 replicas', purpose: 'manual' });
    return events;
  }
  for (let i = 1; i <= extra; i++) {
    const message =
      kind === 'wait'
        ? `poll ${i}: running = ${extra - i}`
        : `chunk ${i} · ${i * 10_000} / 2,000,000 rows compared`;
    events.push({ type: 'step.progress', step, message, data: { poll: i, ok: i === extra } });
  }
  events.push({
    type: 'step.succeeded',
    step,
    attempt: 1,
    duration_ms: 1234,
    rows: kind === 'sql' ? 5000 : undefined,
    summary: kind === 'check' ? 'orphans = 0' : undefined,
    details:
      kind === 'check' ? { expected: { orphans: 0 }, actual: { orphans: 0 }, failures: [] } : undefined,
  });
  return events;
}

const count = (n: number) => n.toLocaleString('en-US');

// A backfill's batches as it journals them: batch.committed, then its progress line.
export function* batches(step: string, batchCount: number): Generator<EventPayload> {
  const size = 5000;
  const total = batchCount * size;
  for (let batch = 1; batch <= batchCount; batch++) {
    const hi = batch * size;
    yield {
      type: 'batch.committed',
      step,
      batch,
      lo: hi - size,
      hi,
      rows: size - 3,
      skipped: 3,
      size,
      duration_ms: 480,
    };
    yield {
      type: 'step.progress',
      step,
      message: `${count(hi)} / ${count(total)} rows · 10,400 rows/s · ETA 4:10 · batch ${size} · key ${hi}`,
      data: {
        rows: hi - 3 * batch,
        skipped: 3 * batch,
        total,
        rate: 10_400,
        etaMs: 250_000,
        key: String(hi),
        batchSize: size,
      },
    };
  }
}

// Writes exactly `total` events to a new journal at path, through FileJournal or, `buffered`,
// through BufferedJournal (the same lines without fsync, for journals of a million events).
export function writeReplayJournal(path: string, total: number, buffered = false): void {
  const runId = 'bench-replay-20260101T000000Z';
  const planned = plan();
  const journal = buffered ? new BufferedJournal(path) : FileJournal.create(path);
  try {
    const backfills = planned.flatMap((p) => p.steps).filter((s) => s.kind === 'backfill').length;
    // Fixed events: run.started, run.finished, three per gate, and every step's own.
    const polls = { wait: 20, compare: 200 } as Record<string, number>;
    const perStep = planned.flatMap((p) =>
      p.steps.map((s) => stepEvents(runId, s.id, s.kind, polls[s.kind] ?? 0).length),
    );
    const fixed = 2 + 3 * planned.length + perStep.reduce((a, b) => a + b, 0);
    const batchEvents = total - fixed;
    if (batchEvents < 2 * backfills) throw new Error(`${total} events are too few for this journal`);
    // Two events per batch; an odd one out goes to a last progress line.
    const perBackfill = Math.floor(batchEvents / 2 / backfills);
    let left = batchEvents - perBackfill * 2 * backfills;
    journal.append(runStarted(runId, planned));
    for (const phase of planned) {
      for (const s of phase.steps) {
        const events = stepEvents(runId, s.id, s.kind, polls[s.kind] ?? 0);
        journal.append(events[0]);
        if (s.kind === 'backfill') {
          for (const e of batches(s.id, perBackfill)) journal.append(e);
          for (; left > 0; left--) journal.append({ type: 'step.progress', step: s.id, message: 'copying' });
        }
        for (const e of events.slice(1)) journal.append(e);
      }
      journal.append({ type: 'gate.checked', phase: phase.id, ok: true, details: { failures: [] } });
      journal.append({ type: 'gate.signed', phase: phase.id, operator, note: 'counts match' });
      journal.append({ type: 'gate.passed', phase: phase.id });
    }
    journal.append({ type: 'run.finished', outcome: 'succeeded' });
  } finally {
    journal.close();
  }
}
