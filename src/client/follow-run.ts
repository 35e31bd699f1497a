import type { JournalEvent } from '../journal/events.js';
import { type RunState, reduce } from '../journal/reducer.js';
import type { EngineMessage, StaticView } from '../protocol/messages.js';
import type { RunClient } from './run-client.js';

export interface FollowedRun {
  view?: StaticView;
  run?: RunState;
  live?: Extract<EngineMessage, { type: 'live' }>;
}

// Subscribes from the first event and keeps the run's state (reduced here from the same events
// the engine journaled) and its latest live state; `onEvent` sees every event in order.
// Resolves once the replay is through and the first live state has come.
export async function followRun(
  client: RunClient,
  onEvent: (event: JournalEvent, run: RunState) => void = () => {},
  onLive: (live: NonNullable<FollowedRun['live']>) => void = () => {},
): Promise<FollowedRun> {
  const followed: FollowedRun = {};
  let firstLive!: () => void;
  const liveCame = new Promise<void>((resolve) => (firstLive = resolve));
  await client.subscribe({
    view: (view) => (followed.view = view),
    event: (event) => {
      followed.run = reduce(followed.run, event);
      onEvent(event, followed.run);
    },
    live: (live) => {
      followed.live = live;
      onLive(live);
      firstLive();
    },
  });
  // The engine sends the live state right after the replay: the caller starts with both.
  await liveCame;
  return followed;
}
