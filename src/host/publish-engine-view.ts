import { pacedUpdates } from '../client/paced-updates.js';
import type { DbBackend } from '../db/connection.js';
import { EngineViews } from '../store/engine-views.js';
import type { EngineServer } from './engine-server.js';

// How often at most the live state is written: a screen on another host sees output tails and
// progress a few times a second, and a busy step costs the database no more than that.
export const livePublishMs = 250;

export interface PublishOptions {
  conn: DbBackend;
  runId: string;
  engine: { engineId: string; host: string };
  server: EngineServer;
  log: (text: string) => void;
}

// Team mode: what a screen on another host needs besides the journal, in stepwise.engine_views:
// the engine's view once as it starts, then its live state as it changes, at most every
// livePublishMs (the writes one after another, so an older state never lands last). Returns
// what to call as the engine ends: the last state is written and the row says it ended.
export async function publishEngineView(options: PublishOptions): Promise<() => Promise<void>> {
  const { conn, runId, engine, server, log } = options;
  const views = new EngineViews(conn);
  await views.publish(runId, engine, server.staticView());
  let writing = Promise.resolve();
  let written = '';
  const write = () => {
    const live = server.liveMessage();
    const text = JSON.stringify(live);
    if (text === written) return;
    written = text;
    writing = writing
      .then(() => views.publishLive(runId, engine.engineId, live))
      .catch((error: unknown) => log(`the live state could not be published: ${String(error)}`));
  };
  const paced = pacedUpdates<Record<string, never>>(write, livePublishMs);
  write();
  // When the socket's clients are sent the live state (the engine's store changed, a client came
  // or left).
  const unsubscribe = server.onLive(() => paced.push({}));
  return async () => {
    unsubscribe();
    paced.flush();
    await writing;
    await views.ended(runId, engine.engineId).catch((error: unknown) => log(`could not say the engine ended: ${String(error)}`));
  };
}
