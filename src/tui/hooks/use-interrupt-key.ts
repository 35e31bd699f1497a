import { useKeys } from './use-keys.js';

// Ctrl+C on the run screen: the run belongs to its engine, so it asks whether to detach (the
// default, also a second Ctrl+C), pause after the running step, or cancel it now. A watcher, or
// anyone once the run has ended, just leaves.
export function useInterruptKey(options: {
  leave: () => boolean;
  asking: boolean;
  ask: () => void;
  detach: () => void;
  active: boolean;
}): void {
  useKeys((input, key) => {
    if (!(key.ctrl && input === 'c')) return;
    if (options.leave()) return;
    if (options.asking) return options.detach();
    options.ask();
  }, options.active);
}
