import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock, type RunLock } from '../../src/journal/run-lock.js';
import type { Report } from '../../src/report/build-report.js';
import type { RunSummary } from '../../src/report/summarise-run.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { recordRun } from '../journal/recorded-run.js';

// The read-side commands, run as the operator runs them, on journals recorded into a state dir.

const root = resolve(import.meta.dirname, '..', '..');

function stepwise(args: string[], stateDir: string) {
  return execa('node', ['--import', 'tsx', 'src/cli/main.ts', ...args, '--state-dir', stateDir], {
    cwd: root,
    reject: false,
    env: { LANG: 'en_US.UTF-8', TZ: 'UTC', NO_COLOR: '1' },
  });
}

const finished = 'queue-migration-20261123T020013Z';
const crashed = 'queue-migration-20261124T020013Z';
const live = 'queue-migration-20261125T020013Z';
let stateDir: string;
let lock: RunLock;

beforeAll(async () => {
  stateDir = tempStateDir('stepwise-read-');
  recordRun(stateDir, { runId: finished });
  // Killed with -9 during the backfill: its process is gone.
  recordRun(stateDir, { runId: crashed, upTo: 19 });
  // Still driven, by this very process.
  recordRun(stateDir, { runId: live, upTo: 19 });
  lock = await acquireRunLock(stateDir, 'queue-migration', {
    runId: live,
    operator: 'alice@bastion',
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  });
});

afterAll(async () => {
  await lock.release();
});

describe('stepwise status', () => {
  it('lists the runs newest first: running, interrupted when its process is gone, rolled back', async () => {
    const result = await stepwise(['status', '--json'], stateDir);
    expect(result.exitCode).toBe(0);
    const runs = JSON.parse(result.stdout) as RunSummary[];
    expect(runs.map((r) => [r.runId, r.state, r.current])).toEqual([
      [live, 'running', 'copy-tasks'],
      [crashed, 'interrupted', 'copy-tasks'],
      [finished, 'rolled back', undefined],
    ]);
    expect(runs[0]).toMatchObject({
      progress: { done: 3, total: 9 },
      operators: ['alice@bastion', 'bob@bastion'],
      holder: { pid: process.pid },
    });
    expect(runs[2].operators).toEqual(['alice@bastion', 'bob@bastion']);
  });

  it('prints a table a person can read, and what to do about an interrupted run', async () => {
    const result = await stepwise(['status'], stateDir);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[2]).toMatch(/^RUN +STATE +DONE +CURRENT STEP +OPERATORS +AGE +LAST EVENT$/);
    expect(lines[3]).toMatch(
      new RegExp(
        `^${live} +running \\(pid ${process.pid} on .+\\) +3/9 +copy-tasks +alice@bastion, bob@bastion +\\S+ +\\S+ ago$`,
      ),
    );
    expect(lines[4]).toMatch(
      new RegExp(`^${crashed} +interrupted +3/9 +copy-tasks +alice@bastion, bob@bastion`),
    );
    // Rolled back all the way: nothing stands, the skip neither; the check and the compare were passed over.
    expect(lines[5]).toMatch(new RegExp(`^${finished} +rolled back +0/9 +alice@bastion, bob@bastion`));
    expect(result.stdout).toContain(
      `${crashed} was interrupted: \`stepwise resume ${crashed}\` or \`stepwise rollback ${crashed}\``,
    );
  });

  it('says so when there are no runs', async () => {
    const empty = tempStateDir('stepwise-read-');
    const result = await stepwise(['status'], empty);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`no runs in ${empty}`);
  });
});

describe('stepwise log', () => {
  it('prints every attempt and rollback of a step, each under its header', async () => {
    const result = await stepwise(['log', finished, 'copy-tasks'], stateDir);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      '── copy-tasks · attempt 1 · alice@bastion · 2026-11-23 02:01:15Z · did not finish (interrupted) ──',
      'batch 1: 0..2500',
      'batch 2: 2500..5000',
      '── copy-tasks · attempt 2 · bob@bastion · 2026-11-23 02:11:18Z · succeeded in 1.1s ──',
      'batch 3: 5000..7500',
      'batch 4: 7500..10000',
      '── copy-tasks · rollback · alice@bastion · 2026-11-23 02:16:56Z · rollback failed after 1.0s: lock timeout on task_queue ──',
      'DELETE 10000',
      '── copy-tasks · rollback · alice@bastion · 2026-11-23 02:17:03Z · rolled back in 400ms ──',
      'DELETE 10000',
    ]);
  });

  it('takes a step number, and prints every step in the order they ran without one', async () => {
    const byNumber = await stepwise(['log', finished, '2.2'], stateDir);
    expect(byNumber.stdout).toContain('── copy-tasks · attempt 1');
    const all = await stepwise(['log', finished], stateDir);
    expect(all.exitCode).toBe(0);
    const headers = all.stdout.split('\n').filter((l) => l.startsWith('──'));
    expect(headers.map((h) => h.split(' · ').slice(0, 2).join(' ').slice(3))).toEqual([
      'backup attempt 1',
      'no-orphans attempt 1',
      'no-orphans attempt 2',
      'create-queue attempt 1',
      'copy-tasks attempt 1',
      'copy-tasks attempt 2',
      'consistent attempt 1',
      'stop-intake attempt 1',
      'watch attempt 1',
      'copy-tasks rollback',
      'copy-tasks rollback',
      'create-queue rollback',
    ]);
    expect(all.stdout).toContain('CREATE TABLE\n── copy-tasks · attempt 1');
    expect(all.stdout).toContain('signed off by bob@bastion ──\n(no output: nothing was run)');
  });

  it('refuses a step the run does not have, listing its steps', async () => {
    const result = await stepwise(['log', finished, 'nope'], stateDir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `run ${finished} has no step "nope"; its steps: backup, no-orphans, create-queue`,
    );
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('stepwise log and report into a pipe', () => {
  it('print a run of many steps without a warning on stderr', async () => {
    const dir = tempStateDir('stepwise-read-');
    const path = join(dir, 'many.yaml');
    const steps = Array.from({ length: 14 }, (_, i) => `      - id: s${i}\n        run: [echo, hello ${i}]`);
    writeFileSync(path, `version: 1\nname: many\nphases:\n  - id: main\n    steps:\n${steps.join('\n')}\n`);
    const run = await stepwise(['run', path, '--plain', '--yes'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const log = await stepwise(['log', 'many'], dir);
    expect(log.stdout).toContain('hello 13');
    expect(log.stderr).toBe('');
    const report = await stepwise(['report', 'many'], dir);
    expect(report.stdout).toContain('# Sign-off sheet: many');
    expect(report.stderr).toBe('');
  });
});

describe('stepwise report', () => {
  it('prints the sign-off sheet as Markdown, or writes it as JSON to a file', async () => {
    const md = await stepwise(['report', finished], stateDir);
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain('# Sign-off sheet: Move background tasks to the queue');
    expect(md.stdout).toContain(
      '- 3.1 stop-intake: signed off by bob@bastion at 02:11:53Z — "worker at 0 replicas"',
    );

    const file = join(stateDir, 'sheet.json');
    const json = await stepwise(['report', finished, '--format', 'json', '--output', file], stateDir);
    expect(json.exitCode).toBe(0);
    expect(json.stderr).toContain(`wrote the sign-off sheet of ${finished} to ${file}`);
    const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
    expect(report).toMatchObject({ runId: finished, outcome: 'rolled back', integrity: { ok: true } });
  });

  it('reports a run still driven as running and one whose process is gone as interrupted', async () => {
    const running = JSON.parse(
      (await stepwise(['report', live, '--format', 'json'], stateDir)).stdout,
    ) as Report;
    const gone = JSON.parse(
      (await stepwise(['report', crashed, '--format', 'json'], stateDir)).stdout,
    ) as Report;
    expect(running.outcome).toBe('running');
    expect(gone.outcome).toBe('interrupted');
  });

  it('refuses an unknown format and an unknown run with exit 2', async () => {
    expect((await stepwise(['report', finished, '--format', 'pdf'], stateDir)).exitCode).toBe(2);
    const unknown = await stepwise(['report', 'cleanup-20261123T020000Z'], stateDir);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no run or runbook "cleanup-20261123T020000Z"');
    expect(unknown.stderr).toContain(finished);
  });
});

describe('stepwise verify', () => {
  it('vouches for an intact journal (exit 0)', async () => {
    const result = await stepwise(['verify', finished], stateDir);
    expect(result.exitCode).toBe(0);
    const [chain, anchor] = result.stdout.split('\n');
    expect(chain).toMatch(new RegExp(`^${finished}: journal intact: 51 events, hash chain ok \\(last hash [0-9a-f]{64}\\)$`));
    // The recorded run's runbook is not on this machine: its database cannot be found.
    expect(anchor).toBe(
      `${finished}: anchor on app: not checked: the runbook cannot be read to find the connection ` +
        '(/srv/runbooks/queue-migration/runbook.yaml:1:1: cannot read the runbook (no such file); check the path)',
    );
  });

  it('finds a flipped byte by its line (exit 1), and warns about a torn tail without failing', async () => {
    const dir = tempStateDir('stepwise-verify-');
    const { journalPath, runId } = recordRun(dir);
    const lines = readFileSync(journalPath, 'utf8').split('\n');
    lines[1] = lines[1].replace('"attempt":1', '"attempt":2');
    writeFileSync(journalPath, lines.join('\n'));
    const damaged = await stepwise(['verify', runId], dir);
    expect(damaged.exitCode).toBe(1);
    expect(damaged.stdout.split('\n')).toEqual([
      `${journalPath}:2: hash mismatch: the line was changed after it was written`,
      `${runId}: journal damaged: 1 problem(s) in 51 events`,
      expect.stringContaining(`${runId}: anchor on app: not checked: the runbook cannot be read`),
    ]);

    const torn = tempStateDir('stepwise-verify-');
    const run = recordRun(torn);
    appendFileSync(run.journalPath, '{"seq":52,"ts":"2026-11-2');
    const warned = await stepwise(['verify', run.runId], torn);
    expect(warned.exitCode).toBe(0);
    expect(warned.stdout).toContain(`${run.journalPath}:52: warning: torn last line`);
    expect(warned.stdout).toContain('journal intact: 51 events');
  });

  it('reports an event the replay rejects at its line', async () => {
    const dir = tempStateDir('stepwise-verify-');
    const { journalPath, runId } = recordRun(dir, { upTo: 3 });
    const { FileJournal } = await import('../../src/journal/file-journal.js');
    const { journal } = FileJournal.open(journalPath);
    journal.append({ type: 'step.succeeded', step: 'no-such-step', attempt: 1, duration_ms: 1 });
    journal.close();
    const result = await stepwise(['verify', runId], dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`${journalPath}:4: event rejected: event 4: unknown step "no-such-step"`);
  });
});
