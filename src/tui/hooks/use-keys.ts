import { type Key, useInput, useStdin } from 'ink';
import { useCallback, useRef } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

// useInput throws without raw mode (stdin not a terminal), and every active handler sees every
// key: handlers are active only on a raw-mode terminal and while their screen is shown.
// The handler is read from a ref set at each render: useInput re-subscribes in an effect, and
// a key arriving before that effect ran would otherwise meet the previous render's state.
export function useKeys(handler: KeyHandler, isActive = true): void {
  const { isRawModeSupported } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback<KeyHandler>((input, key) => latest.current(input, key), []);
  useInput(stable, { isActive: isActive && isRawModeSupported === true });
}
