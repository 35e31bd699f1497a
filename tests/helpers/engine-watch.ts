import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../../src/journal/process-identity.js';
import { liveEngineRecord } from '../../src/protocol/engine-record.js';
import { EngineClient } from '../../src/client/engine-client.js';
import type { JournalEvent } from '../../src/journal/events.js';

export function onlyRunId(stateDir: string): string {
  return readdirSync(join(stateDir, 'runs'))[0];
}

// A watcher in the test's process, attached to the run's engine: `event` resolves with the first
// event that matches as the engine sends it; `client.ended` when the engine has ended.
export async function watchFor(stateDir: string, matches: (e: JournalEvent) => boolean) {
  const client = await EngineClient.connect({ stateDir, runId: onlyRunId(stateDir), role: 'watcher' });
  let found!: (e: JournalEvent) => void;
  const event = new Promise<JournalEvent>((resolve) => (found = resolve));
  await client.subscribe({ view: () => {}, event: (e) => matches(e) && found(e) });
  return { event, client };
}

// Ends every engine still serving a run of the state dir (SIGTERM: it journals the pause and
// ends) and waits until they are gone: a test whose terminal went away leaves its engine waiting.
export async function endEngines(stateDir: string): Promise<void> {
  const runs = existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')) : [];
  const pids = runs.map((runId) => liveEngineRecord(stateDir, runId)?.pid).filter((pid) => pid !== undefined);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (pids.some(isProcessAlive) && Date.now() < deadline) await sleep(50);
}
