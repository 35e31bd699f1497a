import { useInput, useStdin } from 'ink';
import { type ReactNode, useCallback, useState } from 'react';
import { KeyRouter, KeyRouterContext } from '../key-router.js';
import { type Theme, ThemeContext } from '../theme.js';

// What every stepwise screen stands on: the theme (colour, ASCII) and the single key
// subscription. useInput throws without raw mode (stdin not a terminal): no keys then.
export function TuiRoot({ theme, children }: { theme: Theme; children: ReactNode }) {
  const [router] = useState(() => new KeyRouter());
  const { isRawModeSupported } = useStdin();
  const dispatch = useCallback(
    (input: string, key: Parameters<KeyRouter['dispatch']>[1]) => router.dispatch(input, key),
    [router],
  );
  useInput(dispatch, { isActive: isRawModeSupported === true });
  return (
    <ThemeContext.Provider value={theme}>
      <KeyRouterContext.Provider value={router}>{children}</KeyRouterContext.Provider>
    </ThemeContext.Provider>
  );
}
