// One cold replay in a fresh process, as `stepwise resume` or `status` does it:
// `replay-child.ts stepwise|parse <journal>` prints {"ms", "readMs", "events"} as JSON.
// stepwise: readJournal (hash chain checked) + replay; parse: read the file and JSON.parse
// every line, the least any reader of the journal must do.
import { readFileSync } from 'node:fs';
import { readJournal } from '../../src/journal/file-journal.js';
import { replay } from '../../src/journal/reducer.js';

const [mode, path] = process.argv.slice(2);
const started = performance.now();
let events: number;
let readMs: number;
if (mode === 'stepwise') {
  const read = readJournal(path);
  readMs = performance.now() - started;
  const state = replay(read.events);
  if (read.problems.length > 0 || state?.status !== 'succeeded')
    throw new Error(`the journal did not replay cleanly: ${JSON.stringify(read.problems.slice(0, 3))}`);
  events = read.events.length;
} else {
  const lines = readFileSync(path, 'utf8').split('\n');
  events = lines.filter((line) => line !== '').map((line) => JSON.parse(line)).length;
  readMs = performance.now() - started;
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, readMs, events })}\n`);
