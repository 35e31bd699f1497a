import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, readEvents, runCli, tempStateDir } from '../helpers/run-cli.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from '../helpers/scratch-database.js';

const runbook = `version: 1
name: full-disk
connections:
  db: { url: { env: DATABASE_URL } }
phases:
  - id: main
    steps:
      - id: one
        sql: CREATE TABLE one_done (id int)
      - id: two
        sql: CREATE TABLE two_done (id int)
`;

// The run as a child whose files may not grow past `bytes` (setrlimit RLIMIT_FSIZE through
// prlimit): a write past it fails as on a full disk.
function runLimited(bytes: number, stateDir: string, path: string, url: string) {
  return execa(
    'prlimit',
    [`--fsize=${bytes}:${bytes}`, 'node', cliPath, 'run', path, '--plain', '--yes', '--state-dir', stateDir],
    { env: { ...process.env, CI: undefined, DATABASE_URL: url, STEPWISE_OPERATOR: 'tester' }, extendEnv: false, reject: false, all: true },
  );
}

function journalOf(stateDir: string): string | undefined {
  const runs = join(stateDir, 'runs');
  const run = existsSync(runs) ? readdirSync(runs)[0] : undefined;
  const path = run && join(runs, run, 'journal.jsonl');
  return path && existsSync(path) ? path : undefined;
}

describe.skipIf(!testDatabaseUrl)('a journal that cannot be written', () => {
  let db: ScratchDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('at the first event: the run stops at once with exit 5 and one message, leaves no run behind and holds no lock', async () => {
    db = await createScratchDatabase('full');
    const stateDir = tempStateDir();
    const path = join(stateDir, 'full.yaml');
    writeFileSync(path, runbook);
    const full = await runLimited(512, stateDir, path, db.url);
    expect(full.exitCode, full.all).toBe(5);
    expect(full.stderr).toMatch(/^stepwise: cannot write the journal .*journal\.jsonl \(EFBIG: the file size limit \(ulimit -f\) is reached\) while recording run\.started: no run began/);
    expect(full.stderr.trim().split('\n')).toHaveLength(1);
    expect(full.all).not.toMatch(/\n\s+at /);
    expect(journalOf(stateDir)).toBeUndefined();

    const again = await runCli(['run', path, '--plain', '--yes'], { stateDir, env: { DATABASE_URL: db.url } });
    expect(again.exitCode, again.all).toBe(0);
  });

  it('mid-run: the journal stays whole up to its last event, and resume finishes the run', async () => {
    db = await createScratchDatabase('full');
    // A run without a limit shows how long the journal is once step one is done.
    const measure = tempStateDir();
    const measured = join(measure, 'full.yaml');
    writeFileSync(measured, runbook);
    const scratch = await createScratchDatabase('full');
    await runCli(['run', measured, '--plain', '--yes'], { stateDir: measure, env: { DATABASE_URL: scratch.url } });
    await scratch.drop();
    const lines = readFileSync(journalOf(measure)!, 'utf8').split('\n');
    const oneDone = lines.findIndex((l) => l.includes('"step.succeeded"'));
    const limit = lines.slice(0, oneDone + 1).join('\n').length + 1 + 40;

    const stateDir = tempStateDir();
    const path = join(stateDir, 'full.yaml');
    writeFileSync(path, runbook);
    const full = await runLimited(limit, stateDir, path, db.url);
    expect(full.exitCode, full.all).toBe(5);
    expect(full.stderr).toContain('while recording step.started: the run stopped here; free space (or raise the limit), then `stepwise resume`');
    const verify = await runCli(['verify', 'full-disk'], { stateDir });
    expect(verify.stdout).toContain('journal intact: 3 events');
    expect(readEvents(journalOf(stateDir)!).at(-1)).toMatchObject({ type: 'step.succeeded', step: 'one' });

    const resumed = await runCli(['resume', '--plain', '--yes'], { stateDir, env: { DATABASE_URL: db.url } });
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(await db.query("SELECT to_regclass('two_done')::text AS t")).toEqual([{ t: 'two_done' }]);
  });

  it('an empty journal is damaged for verify, status and resume alike', async () => {
    const stateDir = tempStateDir();
    const dir = join(stateDir, 'runs', 'full-disk-20261206T120000Z');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'journal.jsonl'), '');
    const verify = await runCli(['verify', 'full-disk-20261206T120000Z'], { stateDir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(':1: empty journal: the run.started event was never written');
    const status = await runCli(['status'], { stateDir });
    expect(status.stdout).toMatch(/full-disk-20261206T120000Z\s+damaged/);
    const resumed = await runCli(['resume', 'full-disk-20261206T120000Z', '--plain'], { stateDir });
    expect(resumed.stderr).toContain('empty journal: the run.started event was never written');
  });
});
