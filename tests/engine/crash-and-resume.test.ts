import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/journal/events.js';
import { FileJournal } from '../../src/journal/file-journal.js';
import { processGroupPath } from '../../src/journal/state-dir.js';
import { type JournalLine, killRun, readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, storyKind, type Target, targetKinds } from '../helpers/targets.js';

function journalOf(stateDir: string): string {
  return join(stateDir, 'runs', readRunId(stateDir), 'journal.jsonl');
}

function readRunId(stateDir: string): string {
  return readdirSync(join(stateDir, 'runs'))[0];
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(50);
  }
}

// Killed with SQL in flight, each database recovers its own way: those stories run on both. The
// stories of commands and their probes run once, on storyKind.
describe.each(targetKinds)('a run killed with SIGKILL on %s', (kind) => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('resumes after kill -9 right after step.started, running nothing twice', async () => {
    const stateDir = tempStateDir();
    const marker = join(stateDir, 'crashed-once');
    const runbook = join(stateDir, 'crash.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: crash-after-start
connections:
  db: { url: { env: DATABASE_URL }, embedded: crash }
vars:
  marker: { default: "${marker}" }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE IF NOT EXISTS crash_rows (id int PRIMARY KEY, note text)
        idempotent: true
      - id: first
        sql: INSERT INTO crash_rows VALUES (1, 'first')
        probe: { sql: "SELECT count(*)::int AS n FROM crash_rows WHERE id = 1", expect: { n: 1 } }
      - id: crash
        title: The process dies as this step starts
        run: { shell: "if [ ! -e {{ vars.marker }} ]; then touch {{ vars.marker }}; kill -9 $PPID; sleep 5; fi" }
        idempotent: true
      - id: second
        sql: INSERT INTO crash_rows VALUES (2, 'second')
        probe: { sql: "SELECT count(*)::int AS n FROM crash_rows WHERE id = 2", expect: { n: 1 } }
`,
    );
    target = await createTarget(kind, stateDir, 'crash');
    const first = await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    expect(first.exitCode).not.toBe(0);
    const before = readEvents(journalOf(stateDir));
    expect(before.filter((e) => e.type !== 'step.progress' && e.type !== 'step.process_started').at(-1)).toMatchObject({
      type: 'step.started',
      step: 'crash',
    });

    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resumed.all).toContain('crash');
    expect(resumed.exitCode).toBe(0);
    const events = readEvents(journalOf(stateDir));
    expect(events.filter((e) => e.type === 'step.started' && e.step === 'first')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'step.started' && e.step === 'crash')).toHaveLength(2);
    expect(events.some((e) => e.type === 'run.resumed')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'succeeded' });
    const rows = await target.query<{ id: number }>('SELECT id FROM crash_rows ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('resumes after kill -9 mid-step: the probe settles the step before anything re-runs', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'slow.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: crash-mid-step
connections:
  db: { url: { env: DATABASE_URL }, embedded: slow }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE IF NOT EXISTS slow_rows (id int PRIMARY KEY)
        idempotent: true
      - id: slow-insert
        sql: |
          INSERT INTO slow_rows SELECT g FROM generate_series(1, 100) g;
          SELECT pg_sleep(3);
        probe: { sql: "SELECT count(*)::int AS n FROM slow_rows", expect: { n: 100 } }
`,
    );
    target = await createTarget(kind, stateDir, 'slow');
    const child = startCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    await waitFor(() => {
      try {
        return readEvents(journalOf(stateDir)).find((e) => e.type === 'step.started' && e.step === 'slow-insert');
      } catch {
        return undefined;
      }
    });
    await sleep(700);
    await killRun(child, stateDir);

    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resumed.exitCode).toBe(0);
    const events = readEvents(journalOf(stateDir));
    expect(events.find((e) => e.type === 'step.probed')).toMatchObject({ step: 'slow-insert', applied: false });
    const rows = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM slow_rows');
    expect(rows[0].n).toBe(100);
  });

  it.runIf(kind === storyKind)('settles an interrupted step whose effect is already there by its probe, without re-running it', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'probe.yaml');
    const marker = join(stateDir, 'crashed-once');
    writeFileSync(
      runbook,
      `version: 1
name: crash-after-effect
connections:
  db: { url: { env: DATABASE_URL }, embedded: probe }
vars:
  marker: { default: "${marker}" }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE IF NOT EXISTS effect_rows (id int PRIMARY KEY)
        idempotent: true
      - id: effect-then-crash
        run: { shell: "test -e {{ vars.marker }} && exit 9; touch {{ vars.marker }}; kill -9 $PPID; sleep 5" }
        probe: { run: [test, -e, "{{ vars.marker }}"] }
`,
    );
    target = await createTarget(kind, stateDir, 'probe');
    await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    const resumed = await runCli(['resume', '--plain'], { stateDir, env: target.env });
    expect(resumed.exitCode).toBe(0);
    const events = readEvents(journalOf(stateDir));
    expect(events.find((e) => e.type === 'step.probed')).toMatchObject({ applied: true });
    expect(events.filter((e) => e.type === 'step.started' && e.step === 'effect-then-crash')).toHaveLength(1);
  });

  it.runIf(kind === storyKind)('stops with exit 3 on an interrupted step that is neither idempotent nor probed, and retries it when told', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'ask.yaml');
    const marker = join(stateDir, 'crashed-once');
    writeFileSync(
      runbook,
      `version: 1
name: crash-ask
connections:
  db: { url: { env: DATABASE_URL }, embedded: ask }
vars:
  marker: { default: "${marker}" }
phases:
  - id: main
    steps:
      - id: crash
        run: { shell: "if [ ! -e {{ vars.marker }} ]; then touch {{ vars.marker }}; kill -9 $PPID; sleep 5; fi" }
`,
    );
    target = await createTarget(kind, stateDir, 'ask');
    await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    const asked = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(asked.exitCode).toBe(3);
    expect(asked.stderr).toContain('stepwise resume --retry crash');
    const retried = await runCli(['resume', '--plain', '--retry', 'crash'], { stateDir, env: target.env });
    expect(retried.exitCode).toBe(0);
  });
});

function processAlive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

// The journal as another stepwise would have written it: every event through `change`, chained anew.
function rewriteJournal(path: string, change: (event: JournalLine) => EventPayload[]): void {
  const events = readEvents(path);
  rmSync(path);
  rmSync(join(path, '..', 'snapshot.json'), { force: true });
  const journal = FileJournal.create(path);
  for (const event of events) {
    const { seq: _seq, ts: _ts, prev: _prev, hash: _hash, ...payload } = event;
    for (const p of change(payload as unknown as JournalLine)) journal.append(p);
  }
  journal.close();
}

describe('a command left running by a stepwise killed with SIGKILL', () => {
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (processAlive(pid)) process.kill(-pid, 'SIGKILL');
  });

  // The step's shell waits until its process group is journaled, kills stepwise and leaves its
  // own group running.
  async function crashLeavingAGroup() {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'leftover.yaml');
    const pidFile = join(stateDir, 'pid');
    writeFileSync(
      runbook,
      `version: 1
name: leftover-group
vars:
  pid: { default: "${pidFile}" }
  runs: { default: "${join(stateDir, 'runs')}" }
phases:
  - id: main
    steps:
      - id: slow
        run: { shell: "test -e {{ vars.pid }} && exit 0; echo $$ > {{ vars.pid }}; until grep -qs step.process_started {{ vars.runs }}/*/journal.jsonl; do sleep 0.05; done; kill -9 $PPID; sleep 30" }
        idempotent: true
`,
    );
    const crashed = await runCli(['run', runbook, '--plain'], { stateDir });
    expect(crashed.exitCode, crashed.all).not.toBe(0);
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    leftovers.push(leftover);
    expect(processAlive(leftover)).toBe(true);
    const journal = journalOf(stateDir);
    const started = readEvents(journal).find((e) => e.type === 'step.started' && e.step === 'slow');
    const sideFile = processGroupPath(String(started?.log));
    expect(readEvents(journal).find((e) => e.type === 'step.process_started')).toMatchObject({
      step: 'slow',
      attempt: 1,
      pgid: leftover,
    });
    expect(Number(readFileSync(sideFile, 'utf8'))).toBe(leftover);
    const resume = () => runCli(['resume', '--plain', '--yes'], { stateDir });
    return { leftover, journal, sideFile, resume };
  }

  async function expectEndedOnResume(crash: Awaited<ReturnType<typeof crashLeavingAGroup>>) {
    const resumed = await crash.resume();
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.stderr).toContain(`ended process group ${crash.leftover}`);
    expect(processAlive(crash.leftover)).toBe(false);
  }

  it('ends the group its step.process_started names, before the step runs again', async () => {
    const crash = await crashLeavingAGroup();
    rmSync(crash.sideFile);
    await expectEndedOnResume(crash);
  });

  it('ends the group an older journal kept only in a progress event', async () => {
    const crash = await crashLeavingAGroup();
    rewriteJournal(crash.journal, (e) =>
      e.type === 'step.process_started'
        ? [{ type: 'step.progress', step: 'slow', message: `process group ${crash.leftover}`, data: { pgid: crash.leftover } }]
        : [e as unknown as EventPayload],
    );
    rmSync(crash.sideFile);
    expect(readEvents(crash.journal).some((e) => e.type === 'step.process_started')).toBe(false);
    await expectEndedOnResume(crash);
  });

  it('ends the group from the file beside the log when the journal never learnt it', async () => {
    const crash = await crashLeavingAGroup();
    rewriteJournal(crash.journal, (e) => (e.type === 'step.process_started' ? [] : [e as unknown as EventPayload]));
    expect(existsSync(crash.sideFile)).toBe(true);
    await expectEndedOnResume(crash);
  });
});
