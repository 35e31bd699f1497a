import { useContext, useLayoutEffect, useRef } from 'react';
import { type KeyHandler, KeyRouterContext, type KeyTarget } from '../key-router.js';

// Keys for a component while `isActive`. The handler and the flag of the latest render are the
// ones used (kept in a ref), and the registration happens with the commit, not after it.
export function useKeys(handler: KeyHandler, isActive = true): void {
  const router = useContext(KeyRouterContext);
  if (!router) throw new Error('useKeys needs a TuiRoot above it');
  const target = useRef<KeyTarget>({ handler, active: isActive });
  target.current = { handler, active: isActive };
  useLayoutEffect(() => router.add(target), [router]);
}
