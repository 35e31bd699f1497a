import { useEffect, useState } from 'react';
import type { EngineHandle, EngineView } from '../../engine/engine-api.js';
import type { LogPage } from '../../engine/read-log-page.js';

// Where the log view stands: following the end of the log, or at the line starting at a byte.
export type LogTop = 'end' | number;

export interface ShownLogPage {
  // The page last read; kept on screen while the next one is asked for.
  page?: LogPage;
  // At the end of the log: new output shows as it comes.
  following: boolean;
  // Whether the engine has answered once (before that, nothing is known about the log).
  answered: boolean;
}

// A screenful of a step's log from `top`, asked of the engine (over its socket for a detached
// one) and asked again when the view moves or the step prints more: the view renders the page it
// has and never reads the file itself.
export function useLogPage(engine: EngineHandle, view: EngineView, step: string, top: LogTop, room: number): ShownLogPage {
  const [shown, setShown] = useState<ShownLogPage>({ following: top === 'end', answered: false });
  // New output (the tail's snapshot) or a new attempt (the step's state) changes the log.
  const output = view.live.output[step];
  const state = view.run.steps[step];
  useEffect(() => {
    let current = true;
    const read = async () => {
      let page = await engine.logPage(step, top === 'end' ? {} : { from: top }, room);
      // A page that reaches the end short of a screenful shows the last screenful instead.
      const following = top === 'end' || (page !== undefined && page.end >= page.size && page.lines.length < room);
      if (following && top !== 'end') page = await engine.logPage(step, {}, room);
      return { page, following, answered: true };
    };
    read().then(
      (next) => current && setShown(next),
      () => current && setShown((s) => ({ ...s, answered: true })),
    );
    return () => {
      current = false;
    };
  }, [engine, step, top, room, output, state]);
  return shown;
}
