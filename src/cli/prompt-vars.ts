import type { MissingVar } from '../engine/open-run.js';
import type { FrontEndMode } from './choose-mode.js';

// Vars declared with `prompt:` are asked in the TUI (secret ones without echo); headless runs
// need --var, so there is no prompt there.
export function promptVarsFor(mode: FrontEndMode) {
  if (mode !== 'tui') return undefined;
  return async (missing: MissingVar[]) => {
    const { promptVars } = await (await import('../tui/load-tui.js')).loadTui();
    return promptVars(missing, { stdin: process.stdin, stdout: process.stdout });
  };
}
