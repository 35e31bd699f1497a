// A separate process that takes a run lock and holds it until it is killed:
//   node --import tsx tests/lock/hold-run-lock.ts <state-dir> <runbook> <operator>
// Prints "locked" once it holds the lock, or "refused: <message>" and exits 4.
import { hostname } from 'node:os';
import { acquireRunLock, RunLockedError } from '../../src/journal/run-lock.js';

const [stateDir, runbook, operator] = process.argv.slice(2);
try {
  await acquireRunLock(stateDir, runbook, {
    runId: `${runbook}-20261123T020000Z`,
    operator,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
  });
  process.stdout.write('locked\n');
  setInterval(() => {}, 60_000);
} catch (error) {
  if (!(error instanceof RunLockedError)) throw error;
  process.stdout.write(`refused: ${error.message}\n`);
  process.exitCode = 4;
}
