import type { EngineView } from '../../engine/engine-api.js';
import type { Move } from './use-checklist-selection.js';
import {
  type Request,
  requestEnter,
  requestRetry,
  requestRollback,
  requestRunPhase,
  requestSignOff,
  requestSkip,
} from '../operator-requests.js';
import { useKeys } from './use-keys.js';

// The keys of the run screen's checklist: moving, and each operator key turned into the request
// the engine's answers call for (handled by the screen: a notice, a dialog or an intent).
export function useRunKeys(options: {
  latest: () => EngineView;
  selected: string;
  move: (to: Move) => void;
  pageRows: number;
  handle: (request: Request) => void;
  clearNotice: () => void;
  showLog: () => void;
  showHelp: () => void;
  quit: () => void;
  steerBackfill: (input: string) => void;
  active: boolean;
}): void {
  useKeys((input, key) => {
    if (key.ctrl) return;
    const { latest, selected, move, handle } = options;
    options.clearNotice();
    const page = Math.max(1, options.pageRows - 1);
    if (key.upArrow || input === 'k') return move({ by: -1 });
    if (key.downArrow || input === 'j') return move({ by: 1 });
    if (key.pageUp) return move({ by: -page });
    if (key.pageDown) return move({ by: page });
    if (key.home || input === 'g') return move('first');
    if (key.end || input === 'G') return move('last');
    if (key.return) return handle(requestEnter(latest(), selected));
    switch (input) {
      case 'a':
        return handle(requestRunPhase(latest(), selected));
      case 's':
        return handle(requestSignOff(latest(), selected));
      case 'x':
        return handle(requestSkip(latest(), selected));
      case 'r':
        return handle(requestRetry(latest(), selected));
      case 'b':
        return handle(requestRollback(latest()));
      case 'l':
        return options.showLog();
      case '?':
        return options.showHelp();
      case 'q':
        return options.quit();
      case 'p':
      case '+':
      case '=':
      case '-':
      case '_':
        return options.steerBackfill(input);
    }
  }, options.active);
}
