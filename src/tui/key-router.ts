import type { Key } from 'ink';
import { createContext } from 'react';
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
export class KeyRouter {
  private readonly targets = new Set<{ current: KeyTarget }>();

  add(target: { current: KeyTarget }): () => void {
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  dispatch(input: string, key: Key): void {
    for (const [one, oneKey] of splitTypedKeys(input, key)) {
      for (const target of [...this.targets]) {
        if (target.current.active) target.current.handler(one, oneKey);
      }
    }
  }
}

export const KeyRouterContext = createContext<KeyRouter | undefined>(undefined);
