// Prints many events through a printer to stdout, for a reader that goes away (`| head -n 1`):
//   node --import tsx tests/printers/print-many-events.ts plain|json
// Says "done" on stderr when every event was handed to the printer.
import { createJsonPrinter } from '../../src/cli/json-printer.js';
import { createPlainPrinter } from '../../src/cli/plain-printer.js';
import type { JournalEvent } from '../../src/journal/events.js';

const mode = process.argv[2];
const print =
  mode === 'json'
    ? createJsonPrinter(process.stdout)
    : createPlainPrinter(process.stdout, { tail: () => [] });
const start = Date.parse('2026-11-23T02:00:00Z');
for (let i = 1; i <= 20_000; i++) {
  const event = {
    seq: i,
    ts: new Date(start + i * 1000).toISOString(),
    type: 'step.skipped',
    step: `step-${i}`,
    reason: 'x'.repeat(200),
    operator: 'alice',
    prev: '',
    hash: '',
  } as JournalEvent;
  print(event);
  if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
}
process.stderr.write('done\n');
