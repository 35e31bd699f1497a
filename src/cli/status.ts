import { Command } from 'commander';
import { inspectRunLock, type LockHolder } from '../journal/run-lock.js';
import { runIdsByTime } from '../journal/find-run.js';
import { readRun } from '../journal/run-snapshot.js';
import { journalPath } from '../journal/state-dir.js';
import { describeState, resolveState } from '../store/state-location.js';
import type { ReadRun } from '../journal/run-snapshot.js';
import { formatAge } from '../report/format-age.js';
import { type RunSummary, summariseRun } from '../report/summarise-run.js';
import { textColumns } from '../report/text-columns.js';
import { safeOutput } from './safe-output.js';
import { withStateDir } from './shared-options.js';

// The live holder of each runbook's lock, looked up once per runbook.
function liveHolders(stateDir: string): (runbook: string) => LockHolder | undefined {
  const cache = new Map<string, LockHolder | undefined>();
  return (runbook) => {
    if (!cache.has(runbook)) {
      const lock = inspectRunLock(stateDir, runbook);
      cache.set(runbook, lock.state === 'held' ? lock.holder : undefined);
    }
    return cache.get(runbook);
  };
}

function summarise(
  runId: string,
  read: () => ReadRun,
  holderOf: (runbook: string) => LockHolder | undefined,
): RunSummary {
  try {
    const { record, tail } = read();
    const holder = record.state ? holderOf(record.state.started.runbook.name) : undefined;
    const summary = summariseRun(runId, record, holder);
    if (tail.problems.length && summary.state !== 'damaged') {
      return { ...summary, reason: `journal damaged; run \`stepwise verify ${runId}\`` };
    }
    return summary;
  } catch (error) {
    return {
      runId,
      state: 'damaged',
      reason: (error as Error).message,
      progress: { done: 0, total: 0 },
      operators: [],
    };
  }
}

function fileRuns(stateDir: string): RunSummary[] {
  const holderOf = liveHolders(stateDir);
  return runIdsByTime(stateDir)
    .reverse()
    .map((id) => summarise(id, () => readRun(journalPath(stateDir, id)), holderOf));
}

// In a state database a run's live holder is the engine whose lease has not run out.
async function teamRuns(url: string): Promise<RunSummary[]> {
  const { openStateDatabase, readTeamRun } = await import('../store/team-run.js');
  const db = await openStateDatabase(url, 'status');
  try {
    const runs = (await db.store.listRuns()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const summaries: RunSummary[] = [];
    for (const run of runs) {
      const read = await readTeamRun(db.store, run.runId).catch((error: unknown) => error as Error);
      const lease = await db.store.lease(run.runId);
      const holder = lease && !lease.expired ? { runId: run.runId, operator: '', pid: lease.pid, host: lease.host, startedAt: '' } : undefined;
      summaries.push(
        summarise(
          run.runId,
          () => {
            if (read instanceof Error) throw read;
            return read;
          },
          () => holder,
        ),
      );
    }
    return summaries;
  } finally {
    await db.close();
  }
}

function stateCell(s: RunSummary): string {
  const by = s.holder ? ` (pid ${s.holder.pid} on ${s.holder.host})` : '';
  return `${s.state}${by}`;
}

export const statusCommand = withStateDir(
  new Command('status')
    .description('runs in the state dir: state, progress, current step, operators, age')
    .option('--json', 'the runs as a JSON array'),
).action(async (flags: { state?: string; stateDir?: string; json?: boolean }) => {
  const state = resolveState(flags);
  const stateDir = describeState(state);
  const runs = state.url ? await teamRuns(state.url) : fileRuns(state.dir);
  const out = safeOutput(process.stdout);
  if (flags.json) {
    out.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  if (runs.length === 0) {
    out.write(`no runs in ${stateDir}\n`);
    return;
  }
  const now = Date.now();
  const table = await textColumns(
    ['RUN', 'STATE', 'DONE', 'CURRENT STEP', 'OPERATORS', 'AGE', 'LAST EVENT'],
    runs.map((s) => [
      s.runId,
      stateCell(s),
      `${s.progress.done}/${s.progress.total}`,
      s.current ?? '',
      s.operators.join(', '),
      s.startedAt ? formatAge(now - Date.parse(s.startedAt)) : '',
      s.lastEventAt ? `${formatAge(now - Date.parse(s.lastEventAt))} ago` : '',
    ]),
  );
  out.write(`runs in ${stateDir}, newest first:\n\n${table}\n`);
  const notes = runs.filter((s) => s.reason);
  if (notes.length) out.write(`\n${notes.map((s) => `${s.runId}: ${s.state}: ${s.reason}`).join('\n')}\n`);
  const interrupted = runs.filter((s) => s.state === 'interrupted');
  if (interrupted.length) {
    out.write(
      `\n${interrupted.map((s) => `${s.runId} was interrupted: \`stepwise resume ${s.runId}\` or \`stepwise rollback ${s.runId}\``).join('\n')}\n`,
    );
  }
});
