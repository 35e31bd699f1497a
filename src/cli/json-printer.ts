import type { JournalEvent } from '../journal/events.js';
import type { EventPrinter } from './plain-printer.js';
import { safeOutput } from './safe-output.js';

// The `--json` front end: every event as one NDJSON line, exactly as journaled (the engine has
// masked secrets before journaling). The events from the first come from the engine's replay.
export function createJsonPrinter(out: NodeJS.WritableStream): EventPrinter {
  const output = safeOutput(out);
  return (event: JournalEvent) => {
    if (!output.closed) output.write(`${JSON.stringify(event)}\n`);
  };
}
