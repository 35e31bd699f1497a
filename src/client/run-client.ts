import type { LogPage, LogPosition } from '../engine/read-log-page.js';
import type { JournalEvent } from '../journal/events.js';
import type { EngineMessage, Intent, StaticView } from '../protocol/messages.js';

export interface Subscriber {
  view(view: StaticView): void;
  event(event: JournalEvent): void;
  snapshot?(message: Extract<EngineMessage, { type: 'snapshot' }>): void;
  caughtUp?(seq: number): void;
  live?(message: Extract<EngineMessage, { type: 'live' }>): void;
  say?(text: string): void;
}

// A front end's connection to a run's engine, whichever way it goes: its Unix socket on this
// host (engine-client.ts), or the team's state database from any host (db-run-client.ts).
export interface RunClient {
  // Who the engine counts this client as: the verified Unix user, or in team mode the database
  // role of the client's connection; `identity` says which.
  readonly user: string;
  readonly identity: 'Unix user' | 'database role';
  // Replays the run from `from`, then follows it; resolves when the replay is through.
  // With `snapshot`, the state as it is now comes instead of the replay.
  subscribe(subscriber: Subscriber, from?: number, snapshot?: boolean): Promise<void>;
  // Answered done (the result) or refused (rejects with the engine's sentence).
  request(body: Intent): Promise<unknown>;
  // A page of a step's log, read by the engine; undefined when the step has no readable log.
  logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined>;
  // Resolves when the engine has ended (the run is paused or finished) or close() was called.
  readonly ended: Promise<void>;
  close(): void;
}
