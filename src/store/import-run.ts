import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DbConnection } from '../db/connection.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { readJournal } from '../journal/file-journal.js';
import { hostId } from '../journal/process-identity.js';
import { journalPath, runDir, stepDefinitionsPath } from '../journal/state-dir.js';
import { RunStore } from './run-store.js';

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// `stepwise import`: a run of a state directory (an export, or a run journaled in files) into the
// state database, in one transaction: its lines as they are, each checked by the database's
// fence like an engine's append (so the chain arrives whole or not at all), its step definitions
// and its logs. A damaged journal is refused before anything is written.
export async function importRun(conn: Pick<DbConnection, 'transaction'>, fromDir: string, runId: string): Promise<number> {
  const path = journalPath(fromDir, runId);
  const read = readJournal(path);
  const problem = read.problems[0] ?? read.tornTail;
  if (problem) throw new StepwiseError(`${path}:${problem.line}: ${problem.message}; run \`stepwise verify ${runId} --state-dir ${fromDir}\``, 'stepFailed');
  const first = read.events[0];
  if (first?.type !== 'run.started') throw new StepwiseError(`${path} does not begin with run.started`, 'stepFailed');
  const lines = readFileSync(path, 'utf8').split('\n');
  return conn.transaction(async (tx) => {
    const store = new RunStore({ query: (text, params) => tx.query(text, params), transaction: (fn) => fn(tx) });
    if (await store.hasRun(runId)) throw new StepwiseError(`run ${runId} is in the state database already`, 'usage');
    await store.createRun({ runId, runbook: first.runbook.name, host: first.host, stepDefinitions: readIfThere(stepDefinitionsPath(fromDir, runId)) });
    const me = { engineId: `import:${crypto.randomUUID()}`, host: hostId(), pid: process.pid };
    await store.takeLease(runId, me, 60_000);
    for (const [i, event] of read.events.entries()) {
      await store.append({ runId, seq: event.seq, line: lines[read.lines[i] - 1], type: event.type, ts: event.ts, prev: event.prev, hash: event.hash, engineId: me.engineId });
    }
    await store.releaseLease(runId, me.engineId);
    const logs = join(runDir(fromDir, runId), 'logs');
    let names: string[] = [];
    try {
      names = readdirSync(logs).filter((n) => n.endsWith('.log'));
    } catch {
      // A run without logs.
    }
    for (const name of names) await store.appendLogChunk(runId, basename(name), 0, readFileSync(join(logs, name)));
    return read.events.length;
  });
}
