import { basename } from 'node:path';
import type { JournalEvent } from '../journal/events.js';
import type { RunRecord } from '../journal/run-record.js';
import type { PgJournal } from './pg-journal.js';

// Step logs are written on the engine's host; in team mode the journal's worker copies them into
// the state database as they grow (log-shipper.ts), so `log` works from any host. As a step
// closes, the engine waits a moment for its log to be whole there; one that is not yet is said in
// engine.log (`notice`), other hosts' `log` says it is incomplete, and the worker goes on trying.
// `record`: the run as reopened, whose steps in flight close their logs when this engine settles them.
export function shipLogs(journal: PgJournal, logsDir: string, record: RunRecord, notice: (text: string) => void): void {
  journal.post({ method: 'shipLogs', dir: logsDir });
  // Each running step's log, by step.
  const running = new Map<string, string>();
  for (const step of Object.values(record.state?.steps ?? {}))
    if (step.log && (step.status === 'running' || step.status === 'soaking')) running.set(step.id, basename(step.log));
  journal.onAppend((event) => {
    if (event.type === 'step.started') {
      if (event.log) running.set(event.step, basename(event.log));
      else running.delete(event.step);
      return;
    }
    if (!closesLog(event)) return;
    const log = running.get(event.step);
    if (log === undefined) return;
    running.delete(event.step);
    const why = journal.completeLog(log);
    if (why === undefined) return;
    try {
      notice(
        `the log of step ${event.step} (${log}) is not whole in the state database yet (${why}): ` +
          '`stepwise log` on other hosts says it is incomplete until this engine, which keeps trying while it lives, gets it there',
      );
    } catch {
      // An engine.log that cannot be written: the event is journaled, the run goes on.
    }
  });
}

function closesLog(event: JournalEvent): event is JournalEvent & { step: string } {
  return (
    event.type === 'step.succeeded' ||
    event.type === 'step.failed' ||
    event.type === 'step.rolled_back' ||
    event.type === 'step.rollback_failed'
  );
}
