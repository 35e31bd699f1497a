import type { LeftoverSession } from '../journal/events.js';

// One line for the resume summary and the plain log: which session was ended and what it ran.
export function describeEndedSession(conn: string, s: LeftoverSession): string {
  const line = s.query.split('\n')[0].trim();
  const since = s.query_start ? ` since ${s.query_start}` : '';
  return `${conn}: ended server session ${s.pid} left by the interrupted attempt (${s.state ?? 'unknown state'}${since}: ${line})`;
}
