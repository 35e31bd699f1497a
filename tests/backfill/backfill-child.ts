// A separate process running one backfill step as the engine would, for the kill -9 story:
// BF_CHILD='{"url"?, "stateDir", "journalPath", "attempt"}'. Prints the step output on stdout.
import { openConnections } from '../../src/db/open-connections.js';
import { backfillExecutor } from '../../src/engine/executors/backfill.js';
import type { Step } from '../../src/runbook/schema.js';
import { stepRun } from './step-context.js';

const killStep: Step = {
  id: 'copy',
  backfill: {
    conn: 'app',
    from: 'bf_src',
    key: 'id',
    sql: 'INSERT INTO bf_dst SELECT * FROM bf_src WHERE id > :lo AND id <= :hi ON CONFLICT (id) DO NOTHING',
  },
};

const spec = JSON.parse(process.env.BF_CHILD ?? '{}') as {
  url?: string;
  stateDir: string;
  journalPath: string;
  attempt: number;
};

if (spec.stateDir) {
  const def = spec.url ? { url: spec.url } : { embedded: 'kill' };
  const connections = await openConnections({ connections: { app: def }, stateDir: spec.stateDir, env: {} });
  const run = stepRun({
    step: killStep,
    connections,
    journalPath: spec.journalPath,
    attempt: spec.attempt,
    onOutput: (line) => process.stdout.write(line),
  });
  // Small fixed batches, so the kill lands in the middle of many.
  run.controls.batchSize = 100;
  const result = await backfillExecutor(killStep.backfill!, run.ctx);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  run.journal.close();
  await connections.app.close();
}
