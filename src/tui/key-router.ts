import type { Key } from 'ink';
import { createContext } from 'react';
import { unstable_IdlePriority, unstable_scheduleCallback } from 'scheduler';
import { splitTypedKeys } from './split-typed-keys.js';

export type KeyHandler = (input: string, key: Key) => void;

export interface KeyTarget {
  handler: KeyHandler;
  active: boolean;
}

// One input subscription for the whole screen, handing each key to the targets that are active
// in the latest render. Targets register in a layout effect (synchronously with the commit), so
// a dialog receives the key right after the one that opened it, and a screen that a dialog
// covered stops receiving keys at once.
//
// Keys that arrive together (typed while a long step blocked the event loop, a paste, key
// repeat) are handed over one at a time with React rendering in between, so "q" then "y"
// reaches the quit dialog that "q" opened.
export class KeyRouter {
  private readonly targets = new Set<{ current: KeyTarget }>();
  private readonly queue: Array<[string, Key]> = [];
  private draining = false;

  add(target: { current: KeyTarget }): () => void {
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  dispatch(input: string, key: Key): void {
    this.queue.push(...splitTypedKeys(input, key));
    if (!this.draining) this.drain();
  }

  private drain(): void {
    const next = this.queue.shift();
    if (!next) {
      this.draining = false;
      return;
    }
    this.draining = true;
    for (const target of [...this.targets]) {
      if (target.current.active) target.current.handler(next[0], next[1]);
    }
    // React renders the update of this key as a task of its scheduler, which yields every few
    // milliseconds when the machine is busy: the next key is a task of the same scheduler at
    // idle priority, so it runs only once that render has been committed.
    unstable_scheduleCallback(unstable_IdlePriority, () => this.drain());
  }
}

export const KeyRouterContext = createContext<KeyRouter | undefined>(undefined);
