import { render } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { expect, vi } from 'vitest';
import type { EngineHandle } from '../../src/engine/engine-api.js';
import { App, type TuiMode } from '../../src/tui/components/app.js';
import type { TerminalCaps } from '../../src/format/terminal-caps.js';
import type { TuiResult } from '../../src/tui/tui-result.js';

export const keys = {
  up: '\u001B[A',
  down: '\u001B[B',
  left: '\u001B[D',
  right: '\u001B[C',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
  pageDown: '\u001B[6~',
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RenderOptions {
  columns?: number;
  rows?: number;
  mode?: TuiMode;
  caps?: Partial<TerminalCaps>;
  rollbackTo?: string;
}

// The App in ink-testing-library at a given terminal size (resized through the same 'resize'
// event a terminal sends), with helpers that wait for frames instead of sleeping blindly. The
// engine is a FixtureEngine, or a real one for stories that need its timing.
export async function renderApp(engine: EngineHandle, options: RenderOptions = {}) {
  const onExit = vi.fn<(result: TuiResult) => void>();
  const caps: TerminalCaps = { color: true, unicode: true, sshWithoutMultiplexer: false, ...options.caps };
  const instance = render(
    <App
      engine={engine}
      mode={options.mode ?? 'run'}
      caps={caps}
      rollbackTo={options.rollbackTo}
      onExit={onExit}
    />,
  );
  const resize = (columns: number, rows: number) => {
    Object.defineProperty(instance.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(instance.stdout, 'rows', { value: rows, configurable: true });
    instance.stdout.emit('resize');
  };
  resize(options.columns ?? 100, options.rows ?? 30);
  // useInput subscribes in an effect: keys written before it would be lost.
  await sleep(30);
  const raw = () => instance.lastFrame() ?? '';
  const screen = () => stripAnsi(raw());
  const waitFor = async (predicate: (screen: string) => boolean, what = 'the expected frame') => {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if (predicate(screen())) return screen();
      await sleep(10);
    }
    expect.fail(`timed out waiting for ${what}; last frame:\n${screen()}`);
  };
  const waitForText = (text: string | RegExp) =>
    waitFor((s) => (typeof text === 'string' ? s.includes(text) : text.test(s)), String(text));
  // Keys are handed over one at a time with a render in between: wait until the frame stops
  // changing, so the last key has been handled.
  const settle = async () => {
    let last = raw();
    let still = 0;
    const deadline = Date.now() + 2000;
    while (still < 3 && Date.now() < deadline) {
      await sleep(15);
      const now = raw();
      still = now === last ? still + 1 : 0;
      last = now;
    }
  };
  const press = async (...sequence: string[]) => {
    for (const key of sequence) {
      instance.stdin.write(key);
      await settle();
    }
  };
  // Typed fast, as one read (like a paste).
  const type = async (text: string) => {
    instance.stdin.write(text);
    await settle();
  };
  return { ...instance, onExit, resize, raw, screen, waitFor, waitForText, press, type, settle };
}
