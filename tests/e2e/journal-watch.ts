import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type JournalLine, readEvents } from '../helpers/run-cli.js';

// The events of the only run in a state dir so far (none before the run has started).
export function journalEvents(stateDir: string): JournalLine[] {
  const runsDir = join(stateDir, 'runs');
  const runs = existsSync(runsDir) ? readdirSync(runsDir) : [];
  if (runs.length > 1) throw new Error(`expected one run in ${stateDir}, found ${runs.join(', ')}`);
  const path = runs.length === 1 ? join(runsDir, runs[0], 'journal.jsonl') : '';
  return path && existsSync(path) ? readEvents(path) : [];
}

// Polls the journal until an event matches; fails with the events seen so far.
export async function waitForEvent(
  stateDir: string,
  matches: (event: JournalLine) => boolean,
  timeoutMs = 20_000,
): Promise<JournalLine> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = journalEvents(stateDir).find(matches);
    if (found) return found;
    await sleep(100);
  }
  const seen = journalEvents(stateDir).map((e) => `${e.type}${e.step ? ` ${e.step}` : ''}`);
  throw new Error(`no such journal event within ${timeoutMs} ms; journal: ${seen.join(', ')}`);
}
