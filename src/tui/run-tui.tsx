import { render } from 'ink';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { EngineHandle } from '../engine/engine-api.js';
import type { MissingVar } from '../engine/open-run.js';
import { enterAlternateScreen } from './alternate-screen.js';
import { frameLog } from './frame-log.js';
import { framesPerSecond } from './frame-rate.js';
import { App, type TuiMode } from './components/app.js';
import { TuiRoot } from './components/tui-root.js';
import { VarPrompt } from './components/var-prompt.js';
import { detectTerminalCaps } from '../format/terminal-caps.js';
import { themeFor } from './theme.js';
import type { TuiResult } from './tui-result.js';

// Load this module through load-tui.ts: Ink must see the environment it prepares.

export interface TuiOptions {
  mode: TuiMode;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  // Aborted by the CLI on SIGHUP/SIGTERM (after which it pauses the run): the TUI unmounts
  // and the terminal is restored.
  signal?: AbortSignal;
  // `stepwise rollback --to <step>`: the plan opens limited to the steps after it.
  rollbackTo?: string;
}

// The interactive front end: alternate screen, checklist and dialogs until the operator quits,
// the run is paused, or `signal` aborts. The terminal is restored on every way out.
export async function runTui(engine: EngineHandle, options: TuiOptions): Promise<TuiResult> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const caps = detectTerminalCaps(process.env);
  const restore = enterAlternateScreen(stdout);
  try {
    return await new Promise<TuiResult>((resolve, reject) => {
      let result: TuiResult = { exit: 'quit' };
      // Called from keys and the signal, after `instance` below exists.
      const finish = (r: TuiResult) => {
        result = r;
        instance.unmount();
      };
      const onAbort = () => {
        finish({ exit: 'paused' });
        restore();
      };
      const instance = render(
        <App
          engine={engine}
          mode={options.mode}
          caps={caps}
          rollbackTo={options.rollbackTo}
          onExit={finish}
        />,
        {
          stdin,
          stdout,
          exitOnCtrlC: false,
          maxFps: framesPerSecond,
          patchConsole: true,
          onRender: frameLog(process.env.STEPWISE_FRAME_LOG, () => engine.store.getState().run.seq),
        },
      );
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      instance
        .waitUntilExit()
        .then(() => resolve(result), reject)
        .finally(() => options.signal?.removeEventListener('abort', onAbort));
    });
  } finally {
    restore();
  }
}

// Asks the vars declared with `prompt:` before the engine starts (secret ones without echo).
// Escape or Ctrl+C cancels: the run does not start.
export async function promptVars(
  missing: MissingVar[],
  io: { stdin?: NodeJS.ReadStream; stdout?: NodeJS.WriteStream },
): Promise<Record<string, string>> {
  if (missing.length === 0) return {};
  const theme = themeFor(detectTerminalCaps(process.env));
  return new Promise((resolve, reject) => {
    let outcome: { values?: Record<string, string> } = {};
    const instance = render(
      <TuiRoot theme={theme}>
        <VarPrompt
          vars={missing}
          onDone={(values) => {
            outcome = { values };
            instance.unmount();
          }}
          onCancel={() => instance.unmount()}
        />
      </TuiRoot>,
      {
        stdin: io.stdin ?? process.stdin,
        stdout: io.stdout ?? process.stdout,
        exitOnCtrlC: false,
        patchConsole: false,
      },
    );
    instance.waitUntilExit().then(() => {
      if (outcome.values) resolve(outcome.values);
      else reject(new StepwiseError('cancelled: the run needs these values to start', 'interrupted'));
    }, reject);
  });
}
