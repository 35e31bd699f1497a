import { RemoteEngine } from '../client/remote-engine.js';
import type { TuiMode } from '../tui/components/app.js';
import { frameMs } from '../tui/frame-rate.js';
import { connectRun, type RunPlace } from './connect-run.js';
import { describeTuiExit } from './describe-tui-exit.js';
import { ExitCode, type ExitCodeValue, exitCodeOf } from './exit-codes.js';

export interface TuiClientOptions extends RunPlace {
  runId: string;
  mode: TuiMode;
  // --operator: shown beside the Unix user the engine verifies.
  operator?: string;
  // `stepwise watch`: every key that would change the run is refused by the engine.
  readOnly?: boolean;
  rollbackTo?: string;
}

const hangUps = ['SIGHUP', 'SIGTERM'] as const;

// The TUI as a client of the run's engine process. A hang-up (the terminal is gone) only ends
// this process: the engine goes on with what was asked and waits for the next `attach`.
export async function driveTuiClient(options: TuiClientOptions): Promise<ExitCodeValue> {
  // Ink and React load while the engine is reached: loading them is most of an attach's time.
  const tui = import('../tui/load-tui.js').then((m) => m.loadTui());
  tui.catch(() => {});
  const display = options.operator ?? process.env.STEPWISE_OPERATOR;
  const client = await connectRun(options, options.runId, options.readOnly ? 'watcher' : 'operator', display);
  const engine = await RemoteEngine.open(client, { readOnly: options.readOnly, paceMs: frameMs, display });
  const closeTui = new AbortController();
  let hungUp = false;
  const onHangUp = () => {
    hungUp = true;
    closeTui.abort();
  };
  for (const s of hangUps) process.on(s, onHangUp);
  try {
    const { runTui } = await tui;
    const result = await runTui(engine, { mode: options.mode, signal: closeTui.signal, rollbackTo: options.rollbackTo });
    if (hungUp) return ExitCode.interrupted;
    if (!options.readOnly) {
      // Written as the process exits: Ink may still erase its last frame after the TUI closed.
      const line = `${describeTuiExit(engine.store.getState().run, result.exit)}\n`;
      process.once('exit', () => process.stdout.write(line));
    }
    if (result.exit === 'paused') return ExitCode.paused;
    return exitCodeOf(engine.store.getState().run);
  } finally {
    for (const s of hangUps) process.off(s, onHangUp);
    engine.close();
  }
}
