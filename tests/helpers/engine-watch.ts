import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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
