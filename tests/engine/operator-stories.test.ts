import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readEvents, runCli, startCli, tempStateDir } from '../helpers/run-cli.js';
import { createTarget, storyKind, type Target, targetKinds } from '../helpers/targets.js';

function runIdOf(stateDir: string): string {
  return readdirSync(join(stateDir, 'runs'))[0];
}

function eventsOf(stateDir: string) {
  return readEvents(join(stateDir, 'runs', runIdOf(stateDir), 'journal.jsonl'));
}

// A step that holds its run until the test lets it go: it marks that it has started, then reads
// a named pipe the test writes to. The test waits for the mark, the step for the test: no sleeps.
function heldStep(dir: string) {
  const gate = join(dir, 'gate');
  const mark = join(dir, 'started');
  execFileSync('mkfifo', [gate]);
  return {
    yaml: `run: [sh, -c, "touch '${mark}' && cat '${gate}'"]`,
    started: () =>
      vi.waitFor(() => expect(existsSync(mark), 'the held step has started').toBe(true), {
        timeout: 60_000,
        interval: 20,
      }),
    release: () => writeFileSync(gate, 'go\n'),
  };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

// Stories where the database's own behaviour matters (the data rolled back, values bound in SQL)
// run on both; those about the engine and its files run once, on storyKind.
describe.each(targetKinds)('operator stories on %s', (kind) => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('rolls completed steps back in reverse order, passing over checks, and the data is as before', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'rb.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: rollback-story
connections:
  db: { url: { env: DATABASE_URL }, embedded: rb }
phases:
  - id: build
    steps:
      - id: create
        sql: CREATE TABLE items (id int PRIMARY KEY, name text)
        rollback: { sql: DROP TABLE items }
      - id: fill
        sql: INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 50) g
        rows: { exactly: 50 }
        rollback: { sql: DELETE FROM items }
      - id: counted
        check: { sql: "SELECT count(*) AS n FROM items", expect: { n: 50 } }
      - id: column
        sql: ALTER TABLE items ADD COLUMN price int
        rollback: { sql: ALTER TABLE items DROP COLUMN price }
`,
    );
    target = await createTarget(kind, stateDir, 'rb');
    const forward = await runCli(['run', runbook, '--plain', '--yes'], { stateDir, env: target.env });
    expect(forward.exitCode, forward.all).toBe(0);
    expect((await target.query<{ n: number }>('SELECT count(*)::int AS n FROM items'))[0].n).toBe(50);

    const partial = await runCli(['rollback', '--to', 'fill', '--yes', '--plain'], { stateDir, env: target.env });
    expect(partial.exitCode, partial.all).toBe(0);
    const cols = await target.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
    );
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'name']);

    const again = await runCli(['resume', '--yes', '--plain'], { stateDir, env: target.env });
    expect(again.exitCode, again.all).toBe(0);
    const readded = await target.query("SELECT 1 FROM information_schema.columns WHERE column_name = 'price'");
    expect(readded).toHaveLength(1);
    // The check the partial rollback passed over runs again, before the step it rolled back.
    const succeeded = eventsOf(stateDir).filter((e) => e.type === 'step.succeeded');
    expect(succeeded.map((e) => e.step)).toEqual(['create', 'fill', 'counted', 'column', 'counted', 'column']);

    const plan = await runCli(['rollback', '--plain'], { stateDir, env: target.env });
    expect(plan.exitCode).toBe(3);
    expect(plan.stderr).toMatch(/reverse\s+fill[\s\S]*reverse\s+create/);

    const full = await runCli(['rollback', '--yes', '--plain'], { stateDir, env: target.env });
    expect(full.exitCode, full.all).toBe(0);
    const tables = await target.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'items'");
    expect(tables).toHaveLength(0);
    const rolledBack = eventsOf(stateDir)
      .filter((e) => e.type === 'step.rolled_back')
      .map((e) => e.step);
    expect(rolledBack).toEqual(['column', 'column', 'fill', 'create']);
    expect(eventsOf(stateDir).at(-1)).toMatchObject({ type: 'run.finished', outcome: 'rolled_back' });
  });

  it.runIf(kind === storyKind)('lets exactly one of two concurrent runs proceed; the other exits 4 naming the holder', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'lock.yaml');
    const held = heldStep(stateDir);
    writeFileSync(
      runbook,
      `version: 1
name: lock-story
connections:
  db: { url: { env: DATABASE_URL }, embedded: lock }
phases:
  - id: main
    steps:
      - id: hold
        ${held.yaml}
`,
    );
    target = await createTarget(kind, stateDir, 'lock');
    const first = startCli(['run', runbook, '--plain', '--operator', 'alice'], { stateDir, env: target.env });
    try {
      await held.started();
      const second = await runCli(['run', runbook, '--plain', '--operator', 'bob'], { stateDir, env: target.env });
      expect(second.exitCode).toBe(4);
      expect(second.stderr).toContain('alice');
      expect(second.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    } finally {
      held.release();
    }
    expect((await first).exitCode).toBe(0);
  });

  it.runIf(kind === 'postgres')(
    'refuses a second bastion driving the same database: the advisory lock names the holder',
    async () => {
      const here = tempStateDir();
      const there = tempStateDir();
      const runbook = join(here, 'bastion.yaml');
      const held = heldStep(here);
      writeFileSync(
        runbook,
        `version: 1
name: bastion-story
connections:
  db: { url: { env: DATABASE_URL } }
phases:
  - id: main
    steps:
      - id: hold
        ${held.yaml}
`,
      );
      target = await createTarget(kind, here, 'unused');
      const first = startCli(['run', runbook, '--plain', '--operator', 'alice'], { stateDir: here, env: target.env });
      try {
        await held.started();
        const second = await runCli(['run', runbook, '--plain', '--operator', 'bob'], {
          stateDir: there,
          env: target.env,
        });
        expect(second.exitCode).toBe(4);
        // The holder is named by its session's application_name: the run, its attempt and its operator.
        expect(second.stderr).toMatch(/by stepwise \w+#1 bastion-story-\d{8}T\d{6}Z alice \(server pid \d+ from 127\.0\.0\.1/);
      } finally {
        held.release();
      }
      expect((await first).exitCode).toBe(0);
    },
  );

  it.runIf(kind === storyKind)('lists drift on resume and refuses to go on without --accept-drift', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'drift.yaml');
    const source = `version: 1
name: drift-story
connections:
  db: { url: { env: DATABASE_URL }, embedded: drift }
phases:
  - id: main
    steps:
      - id: create
        sql: CREATE TABLE drift_t (id int)
        rollback: { sql: DROP TABLE drift_t }
      - id: wait-for-me
        manual: Look at the table.
      - id: last
        sql: INSERT INTO drift_t VALUES (1)
`;
    writeFileSync(runbook, source);
    target = await createTarget(kind, stateDir, 'drift');
    const first = await runCli(['run', runbook, '--plain'], { stateDir, env: target.env });
    expect(first.exitCode).toBe(3);
    expect(first.stderr).toContain('Look at the table.');
    writeFileSync(
      runbook,
      source.replace('CREATE TABLE drift_t (id int)', 'CREATE TABLE drift_t (id bigint)').replace(
        'INSERT INTO drift_t VALUES (1)',
        'INSERT INTO drift_t VALUES (2)',
      ),
    );
    const refused = await runCli(['resume', '--plain', '--yes'], { stateDir, env: target.env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('create: changed (already ran)');
    expect(refused.stderr).toContain('-  "sql": "CREATE TABLE drift_t (id int)",');
    expect(refused.stderr).toContain('+  "sql": "CREATE TABLE drift_t (id bigint)",');
    expect(refused.stderr).toContain('last: changed');
    expect(refused.stderr).toContain('+  "sql": "INSERT INTO drift_t VALUES (2)"');
    expect(refused.stderr).toContain('--accept-drift');
    const accepted = await runCli(['resume', '--plain', '--yes', '--accept-drift'], { stateDir, env: target.env });
    expect(accepted.exitCode, accepted.all).toBe(0);
    expect(eventsOf(stateDir).find((e) => e.type === 'run.resumed' && (e.accepted_drift as string[]).length)).toBeTruthy();
    expect((await target.query<{ id: number }>('SELECT id FROM drift_t'))[0].id).toBe(2);
  });

  it.runIf(kind === storyKind)('refuses a second sign-off of a signoff: { count: 2 } gate from the same Unix user under another --operator name', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'gate.yaml');
    writeFileSync(
      runbook,
      `version: 1
name: gate-story
connections:
  db: { url: { env: DATABASE_URL }, embedded: gate }
phases:
  - id: one
    steps:
      - id: look
        check: { sql: "SELECT 1 AS ok", expect: { ok: 1 } }
    gate: { signoff: { count: 2 } }
  - id: two
    steps:
      - id: after
        check: { sql: "SELECT 2 AS two", expect: { two: 2 } }
`,
    );
    target = await createTarget(kind, stateDir, 'gate');
    const alice = await runCli(['run', runbook, '--plain', '--yes', '--operator', 'alice'], { stateDir, env: target.env });
    expect(alice.exitCode).toBe(3);
    expect(alice.stderr).toContain('needs 2 different Unix users');
    const sameUser = await runCli(['resume', '--plain', '--yes', '--operator', 'bob'], { stateDir, env: target.env });
    expect(sameUser.exitCode).toBe(3);
    expect(sameUser.stderr).toContain('a different --operator name does not count');
    expect(sameUser.stderr).toContain('stepwise approve');
    const signers = eventsOf(stateDir)
      .filter((e) => e.type === 'gate.signed')
      .map((e) => e.operator);
    expect(signers).toEqual(['alice']);
  });

  it.runIf(kind === storyKind)('keeps a secret var and the connection password out of the journal, logs, report and output', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'secret.yaml');
    const token = 'tok-9f8e7d6c5b4a';
    writeFileSync(
      runbook,
      `version: 1
name: secret-story
vars:
  api_token: { env: API_TOKEN, secret: true }
connections:
  db: { url: { env: DATABASE_URL }, embedded: secret }
phases:
  - id: main
    steps:
      - id: echo
        run: [sh, -c, 'echo "token is $0"', "{{ vars.api_token }}"]
      - id: store
        sql: |
          CREATE TABLE tokens (t text);
          INSERT INTO tokens VALUES (:api_token);
      - id: fail-loudly
        check: { sql: "SELECT :api_token AS t", expect: { t: nope } }
`,
    );
    target = await createTarget(kind, stateDir, 'secret');
    const password = 'pw-1a2b3c4d5e';
    const env: Record<string, string | undefined> = { ...target.env, API_TOKEN: token };
    if (env.DATABASE_URL) {
      const url = new URL(env.DATABASE_URL);
      url.password = password;
      env.DATABASE_URL = url.toString();
    }
    const run = await runCli(['run', runbook, '--plain'], { stateDir, env });
    expect(run.exitCode).toBe(1);
    const runId = runIdOf(stateDir);
    const report = await runCli(['report', runId], { stateDir });
    const json = await runCli(['report', runId, '--format', 'json'], { stateDir });
    const log = await runCli(['log', runId], { stateDir });
    expect(log.stdout).toContain('token is ***');
    const texts = [run.all, report.all, json.all, log.all, ...allFiles(stateDir).filter((f) => !f.includes('pglite')).map((f) => readFileSync(f, 'utf8'))];
    for (const text of texts) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(password);
    }
    expect((await target.query<{ t: string }>('SELECT t FROM tokens'))[0].t).toBe(token);
  });

  it('carries SQL and shell metacharacters in variables as plain values in run, shell and sql steps', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'inject.yaml');
    const touched = join(stateDir, 'pwned');
    const values = {
      quote: "'; DROP TABLE victims; --",
      subst: `$(touch ${touched})`,
      tick: `\`touch ${touched}\``,
    };
    writeFileSync(
      runbook,
      `version: 1
name: inject-story
vars:
  quote: { default: "" }
  subst: { default: "" }
  tick: { default: "" }
  out: { default: "${join(stateDir, 'out')}" }
connections:
  db: { url: { env: DATABASE_URL }, embedded: inject }
phases:
  - id: main
    steps:
      - id: setup
        sql: CREATE TABLE victims (v text)
      - id: sql-values
        sql: INSERT INTO victims VALUES (:quote), (:subst), (:tick)
      - id: argv-values
        run: [sh, -c, 'printf "%s\\n" "$0" "$1" "$2" > "$3"', "{{ vars.quote }}", "{{ vars.subst }}", "{{ vars.tick }}", "{{ vars.out }}"]
      - id: shell-values
        run: { shell: "echo {{ vars.quote }} {{ vars.subst }} {{ vars.tick }} >> {{ vars.out }}" }
`,
    );
    target = await createTarget(kind, stateDir, 'inject');
    const run = await runCli(
      ['run', runbook, '--plain', '--var', `quote=${values.quote}`, '--var', `subst=${values.subst}`, '--var', `tick=${values.tick}`],
      { stateDir, env: target.env },
    );
    expect(run.exitCode, run.all).toBe(0);
    expect(existsSync(touched)).toBe(false);
    const rows = await target.query<{ v: string }>('SELECT v FROM victims ORDER BY v');
    expect(rows.map((r) => r.v).sort()).toEqual(Object.values(values).sort());
    const out = readFileSync(join(stateDir, 'out'), 'utf8').split('\n');
    expect(out.slice(0, 3)).toEqual([values.quote, values.subst, values.tick]);
    expect(out[3]).toBe(`${values.quote} ${values.subst} ${values.tick}`);
  });
});

describe('step execution', () => {
  it('retries a failing step with exponential backoff and fails a step that times out, killing its process group', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'retry.yaml');
    const counter = join(stateDir, 'count');
    const pidFile = join(stateDir, 'grandchild');
    writeFileSync(
      runbook,
      `version: 1
name: retry-story
vars:
  counter: { default: "${counter}" }
  pids: { default: "${pidFile}" }
phases:
  - id: main
    steps:
      - id: flaky
        run: { shell: "echo x >> {{ vars.counter }}; test $(wc -l < {{ vars.counter }}) -ge 3" }
        retries: { attempts: 3, backoff: 100ms }
      - id: hangs
        run: { shell: "sleep 60 & echo $! > {{ vars.pids }}; wait" }
        timeout: 1s
`,
    );
    const run = await runCli(['run', runbook, '--plain'], { stateDir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('timed out after 1s');
    const events = eventsOf(stateDir);
    const flaky = events.filter((e) => e.step === 'flaky');
    expect(flaky.filter((e) => e.type === 'step.failed').map((e) => e.retry_in_ms)).toEqual([100, 200]);
    expect(flaky.at(-1)).toMatchObject({ type: 'step.succeeded', attempt: 3 });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    // Gone, or a zombie waiting for this container's init to reap it: either way not running.
    const running = () => {
      try {
        return !readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1].startsWith('Z');
      } catch {
        return false;
      }
    };
    await vi.waitFor(() => expect(running(), 'the grandchild is gone').toBe(false), {
      timeout: 30_000,
      interval: 50,
    });
  });

  it('refuses a runbook with errors before anything runs, with file:line:col and exit 2', async () => {
    const stateDir = tempStateDir();
    const runbook = join(stateDir, 'bad.yaml');
    writeFileSync(runbook, 'version: 1\nname: bad\nphases:\n  - id: main\n    steps:\n      - id: x\n        run: [true]\n        sql: SELECT 1\n');
    const run = await runCli(['run', runbook, '--plain'], { stateDir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(stateDir, 'runs'))).toBe(false);
  });
});
