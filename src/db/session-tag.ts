import { createHash } from 'node:crypto';

// Every server session of a run carries application_name `stepwise <key>#<attempt> <run> <operator>`:
// <key> is a short hash of the run id and of the host and pid that started it (a long run id would
// be cut at the server's 63 bytes; run ids are unique per state directory only, so two bastions can
// start runs of one id), and <attempt> counts the processes that have opened the run. A resume
// finds what an earlier, dead process left on the server by the key with another attempt.
export interface SessionTag {
  // This process's application_name.
  own: string;
  // LIKE pattern matching every attempt of the run.
  pattern: string;
}

export interface RunOrigin {
  host: string;
  pid: number;
}

export function sessionTag(runId: string, attempt: number, operator: string, origin: RunOrigin): SessionTag {
  const key = createHash('sha256').update(`${runId} ${origin.host} ${origin.pid}`).digest('hex').slice(0, 10);
  // Only ASCII reaches application_name intact; the rest becomes '?' on the server anyway.
  const own = `stepwise ${key}#${attempt} ${runId} ${operator}`.replace(/[^\x20-\x7e]/g, '?');
  return { own: Buffer.from(own).subarray(0, 63).toString(), pattern: `stepwise ${key}#%` };
}
