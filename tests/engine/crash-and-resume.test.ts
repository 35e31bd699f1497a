import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, type Target, targetKinds } from '../helpers/targets.js';

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
    expect(before.filter((e) => e.type !== 'step.progress').at(-1)).toMatchObject({
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
    child.kill('SIGKILL');
    await child;

    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resumed.exitCode).toBe(0);
    const events = readEvents(journalOf(stateDir));
    expect(events.find((e) => e.type === 'step.probed')).toMatchObject({ step: 'slow-insert', applied: false });
    const rows = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM slow_rows');
    expect(rows[0].n).toBe(100);
  });

  it('settles an interrupted step whose effect is already there by its probe, without re-running it', async () => {
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

  it('ends what is left of an interrupted step before anything runs again', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'leftover.yaml');
    const marker = join(stateDir, 'crashed-once');
    const pidFile = join(stateDir, 'pid');
    writeFileSync(
      runbook,
      `version: 1
name: crash-leftover
connections:
  db: { url: { env: DATABASE_URL }, embedded: leftover }
vars:
  marker: { default: "${marker}" }
  pid: { default: "${pidFile}" }
phases:
  - id: main
    steps:
      - id: slow
        run: { shell: "test -e {{ vars.marker }} && exit 0; touch {{ vars.marker }}; echo $$ > {{ vars.pid }}; sleep 0.5; kill -9 $PPID; sleep 30" }
        idempotent: true
`,
    );
    target = await createTarget(kind, stateDir, 'leftover');
    await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    const leftover = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(leftover, 0)).not.toThrow();
    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.stderr).toContain(`ended process group ${leftover}`);
    const alive = () => {
      try {
        return !readFileSync(`/proc/${leftover}/stat`, 'utf8').split(') ')[1].startsWith('Z');
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(false);
  });

  it('stops with exit 3 on an interrupted step that is neither idempotent nor probed, and retries it when told', async () => {
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
