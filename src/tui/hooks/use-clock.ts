import { useEffect, useReducer } from 'react';

// The wall clock, for what moves by itself (the window timer, the spinner). The timer is set
// again after every render, so it fires only when nothing else redrew the screen for `everyMs`:
// a screen already redrawn by output or progress is not redrawn once more for the clock.
// Inactive, it sets no timer: the component shows the time of its last render.
export function useClock(everyMs: number, active = true): number {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(tick, everyMs);
    return () => clearTimeout(timer);
  });
  return Date.now();
}
