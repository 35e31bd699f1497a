import type { JournalEvent } from '../journal/events.js';
import type { EventPrinter } from './plain-printer.js';
import { safeOutput } from './safe-output.js';

export interface JsonPrinterOptions {
  // Events journaled before printing started (e.g. run.started), printed first.
  history?: JournalEvent[];
}

// The `--json` front end: every event as one NDJSON line, exactly as journaled (the engine has
// masked secrets before journaling).
export function createJsonPrinter(
  out: NodeJS.WritableStream,
  options: JsonPrinterOptions = {},
): EventPrinter {
  const output = safeOutput(out);
  const print: EventPrinter = (event) => {
    if (!output.closed) output.write(`${JSON.stringify(event)}\n`);
  };
  for (const event of options.history ?? []) print(event);
  return print;
}
