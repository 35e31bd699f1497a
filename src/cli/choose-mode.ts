export type FrontEndMode = 'tui' | 'plain' | 'json';

function ciSet(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
}

// Decided once at start: the TUI only on a real terminal, outside CI, not TERM=dumb.
export function chooseMode(flags: { plain?: boolean; json?: boolean }, env = process.env): FrontEndMode {
  if (flags.json) return 'json';
  if (flags.plain) return 'plain';
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  return tty && !ciSet(env) && env.TERM !== 'dumb' ? 'tui' : 'plain';
}
