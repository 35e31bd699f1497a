// A watcher in a process of its own for the team-watch benchmark: follows the run through the
// state database as `stepwise watch --state postgres://…` does, and prints each event's seq.
import { DbRunClient } from '../../src/client/db-run-client.js';
import { openPostgres } from '../../src/db/postgres-connection.js';

const [url, runId] = process.argv.slice(2);
const conn = await openPostgres(url, { applicationName: 'stepwise bench watcher' });
const client = await DbRunClient.connect({ conn, runId, role: 'watcher' });
await client.subscribe({ view: () => {}, event: (event) => process.stdout.write(`${event.seq}\n`) });
process.stdout.write('ready\n');
await client.ended;
