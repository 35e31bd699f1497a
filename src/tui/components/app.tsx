import { useMemo } from 'react';
import type { EngineHandle } from '../../engine/engine-api.js';
import type { TerminalCaps } from '../../format/terminal-caps.js';
import { themeFor } from '../theme.js';
import type { TuiResult } from '../tui-result.js';
import { RunScreen, type TuiMode } from './run-screen.js';
import { TuiRoot } from './tui-root.js';

export type { TuiMode } from './run-screen.js';

export interface AppProps {
  engine: EngineHandle;
  mode: TuiMode;
  caps: TerminalCaps;
  rollbackTo?: string;
  onExit: (result: TuiResult) => void;
}

// The TUI of a run on a terminal with these capabilities.
export function App({ engine, mode, caps, rollbackTo, onExit }: AppProps) {
  const theme = useMemo(() => themeFor(caps), [caps]);
  return (
    <TuiRoot theme={theme}>
      <RunScreen
        engine={engine}
        mode={mode}
        warnSsh={caps.sshWithoutMultiplexer}
        rollbackTo={rollbackTo}
        onExit={onExit}
      />
    </TuiRoot>
  );
}
