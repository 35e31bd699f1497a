import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type Report } from '../../src/report/build-report.js';
import { renderReportMarkdown } from '../../src/report/render-report-markdown.js';
import { tempStateDir } from '../helpers/run-cli.js';
import { type RecordedRun, recordRun } from '../journal/recorded-run.js';

let recorded: RecordedRun;
let report: Report;
let markdown: string;

beforeAll(() => {
  recorded = recordRun(tempStateDir('stepwise-report-'));
  report = buildReport(recorded.events);
  markdown = renderReportMarkdown(report);
});

// The table row of a step, as cells.
function row(step: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith('| ') && l.split('|')[2]?.trim() === step);
  if (!line) throw new Error(`no table row for ${step}`);
  return line
    .split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('the sign-off sheet of a run', () => {
  it('says what ran, where, by whom, and how it ended', () => {
    expect(report).toMatchObject({
      runId: recorded.runId,
      runbook: {
        name: 'queue-migration',
        title: 'Move background tasks to the queue',
        sha256: 'a'.repeat(64),
      },
      outcome: 'rolled back',
      operators: ['alice@bastion', 'bob@bastion'],
      // Rolled back: only the skip stands; the check and the compare were passed over.
      progress: { done: 0, total: 9 },
    });
    expect(report.sessions.map((s) => [s.kind, s.operator, s.ssh])).toEqual([
      ['started', 'alice@bastion', '10.0.0.7'],
      ['resumed', 'bob@bastion', '10.0.0.8'],
      ['reopened for rollback', 'alice@bastion', undefined],
    ]);
    // A process that opened the run to roll it back is not named as resuming it.
    expect(markdown).toMatch(/- \*\*Opened for rollback by\*\* alice@bastion on bastion \(pid 6161\)/);
    expect(markdown).toContain('# Sign-off sheet: Move background tasks to the queue');
    expect(markdown).toContain('(`/srv/runbooks/queue-migration/runbook.yaml`)');
    expect(markdown).toContain(`- **Runbook sha256:** \`${'a'.repeat(64)}\``);
    expect(markdown).toContain('- **Outcome:** rolled back');
    expect(markdown).toContain('on bastion (pid 4242, SSH from 10.0.0.7) at 2026-11-23 02:00:13Z');
    expect(markdown).toContain('- **Connection app:** `postgres://app@db-prod-2:5432/app` **PRODUCTION**');
    expect(markdown).toContain(
      '- **Retargeted app** from `postgres://app@db-prod:5432/app` to `postgres://app@db-prod-2:5432/app` by alice@bastion at 2026-11-23 02:16:53Z: restored on db-prod-2 after the disk failure (CHG-1240)',
    );
    expect(markdown).toContain('`api_token=***`');
  });

  it('measures the window by the time a process drove the run, not the gaps between sessions', () => {
    // 63 s until the kill -9, 39 s of the second session, 1 s before the rollback started.
    expect(report.window).toEqual({
      budgetMs: 900_000,
      usedMs: 103_000,
      rollbackBudgetMs: 1_800_000,
      rollbackUsedMs: 11_000,
    });
    expect(markdown).toContain('- **Window:** 1m43s used of 15m00s (11 %)');
    expect(markdown).toContain('- **Rollback window:** 11.0s used of 30m00s (1 %)');
  });

  it('lists every step with operator, start, duration, outcome and rows', () => {
    expect(row('backup')).toEqual([
      '1.1',
      'backup',
      'Back up the task tables',
      'run',
      'alice@bastion',
      '02:00:14Z',
      '1.2s',
      'rolled back',
      '',
    ]);
    expect(row('no-orphans')).toEqual([
      '1.2',
      'no-orphans',
      'No orphaned subtasks',
      'check',
      'alice@bastion',
      '02:00:21Z',
      '75ms',
      'succeeded (attempt 2)',
      '',
    ]);
    expect(row('create-queue').slice(4)).toEqual(['alice@bastion', '02:01:13Z', '1.2s', 'rolled back', '0']);
    expect(row('copy-tasks').slice(4)).toEqual([
      'bob@bastion',
      '02:11:18Z',
      '1.1s',
      'rolled back',
      '9,990 copied, 10 skipped (already there) in 4 batches',
    ]);
    expect(row('consistent').slice(7)).toEqual(['succeeded', '']);
    expect(row('stop-intake').slice(4, 8)).toEqual(['bob@bastion', '02:11:23Z', '30.0s', 'rolled back']);
    expect(row('drain').slice(4, 8)).toEqual(['bob@bastion', '', '', 'skipped']);
    expect(row('drop-legacy').slice(4, 8)).toEqual(['', '', '', 'pending']);
  });

  it('records sign-offs, confirmations, checks, skips and interruptions with their notes', () => {
    expect(markdown).toContain('- 1.2 no-orphans: expected n = 0; actual n = 0');
    // What the check's query found, not only the columns its expect names; the journal kept 2 of 25.
    expect(markdown).toContain('- 1.2 no-orphans: row n = 0, parent = b-1\n- 1.2 no-orphans: row n = 0, parent = b-2');
    expect(markdown).toContain('- 1.2 no-orphans: … and 23 more rows');
    expect(markdown).toContain('- 2.1 create-queue: confirmed by alice@bastion at 02:01:13Z — "confirmed"');
    expect(markdown).toContain(
      '- 3.1 stop-intake: signed off by bob@bastion at 02:11:53Z — "worker at 0 replicas"',
    );
    expect(markdown).toContain('- 3.2 drain: skipped — no task was running');
    expect(markdown).toContain(
      '- 2.2 copy-tasks: interrupted (its process stopped mid-step); found on resume at 02:11:16Z',
    );
    expect(markdown).toContain('- 2.2 copy-tasks: probe on resume: had not taken effect');
    expect(markdown).toContain('- 4.1 drop-legacy: point of no return');
    expect(markdown).toContain('- 4.1 drop-legacy: allowed: lock-timeout — nothing reads the legacy table any more');
    expect(markdown).toContain('**Gate** (sign-offs by 2 operators and 1 check): passed');
    expect(markdown).toContain('- gate signed off by alice@bastion at 02:00:53Z — "backup verified"');
    expect(markdown).toContain('- gate signed off by bob@bastion at 02:01:08Z — "looks good"');
  });

  it('shows the rollback step by step, the failed try included, and the drift accepted on resume', () => {
    expect(report.rollbacks).toHaveLength(1);
    expect(report.rollbacks[0]).toMatchObject({ operator: 'alice@bastion', state: 'complete' });
    expect(report.rollbacks[0].steps.map((s) => [s.step, s.how])).toEqual([
      ['stop-intake', 'signed'],
      ['copy-tasks', 'failed'],
      ['copy-tasks', 'reversed'],
      ['create-queue', 'reversed'],
      ['backup', 'signed'],
    ]);
    expect(markdown).toContain(
      '- Plan (reverse order): stop-intake, consistent, copy-tasks, create-queue, no-orphans, backup',
    );
    expect(markdown).toMatch(
      /\| 2\.2 +\| copy-tasks +\| FAILED +\| alice@bastion \| 02:16:57Z \| 1\.0s +\| lock timeout on task_queue \|/,
    );
    expect(markdown).toMatch(
      /\| 3\.1 +\| stop-intake +\| irreversible, signed off \| alice@bastion \| 02:16:55Z \| 0ms +\| worker scaled back up +\|/,
    );
    expect(markdown).toContain('- 2026-11-23 02:11:16Z by bob@bastion: drain');
  });

  it('vouches for the journal, or says it is damaged and where', () => {
    expect(report.integrity).toMatchObject({ ok: true, events: recorded.events.length, problems: [] });
    expect(markdown).toContain(`- ${recorded.events.length} events, hash chain intact; last hash \``);

    const damaged = renderReportMarkdown(
      buildReport(recorded.events, {
        problems: [{ line: 7, message: 'hash mismatch: the line was changed after it was written' }],
        tornTail: { line: 43, message: 'torn last line (the process stopped mid-write); ignored' },
      }),
    );
    expect(damaged).toContain('**DAMAGED**: 1 problem(s)');
    expect(damaged).toContain('- journal.jsonl:7: hash mismatch: the line was changed after it was written');
    expect(damaged).toContain('- journal.jsonl:43: warning: torn last line');
  });

  it('calls a run whose process is gone interrupted, and one still driven running', () => {
    const crashed = recorded.events.slice(
      0,
      recorded.events.findIndex((e) => e.type === 'run.resumed'),
    );
    const dead = buildReport(crashed);
    expect(dead.outcome).toBe('interrupted');
    expect(dead.phases[1].steps[1]).toMatchObject({
      id: 'copy-tasks',
      outcome: 'interrupted',
      batches: { count: 2 },
    });
    expect(buildReport(crashed, { live: true }).outcome).toBe('running');
  });

  it('is the same data as JSON', () => {
    const json = JSON.parse(JSON.stringify(report)) as Report;
    expect(json.phases.flatMap((p) => p.steps.map((s) => s.id))).toEqual([
      'backup',
      'no-orphans',
      'create-queue',
      'copy-tasks',
      'consistent',
      'stop-intake',
      'drain',
      'watch',
      'drop-legacy',
    ]);
    expect(json.phases[2].steps[0].signoffs).toEqual([
      {
        operator: 'bob@bastion',
        at: '2026-11-23T02:11:53.000Z',
        note: 'worker at 0 replicas',
        purpose: 'manual',
      },
    ]);
  });
});
