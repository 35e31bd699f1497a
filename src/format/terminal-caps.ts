// What the terminal can show, decided once at start from the environment.
export interface TerminalCaps {
  color: boolean;
  unicode: boolean;
  // Over SSH outside tmux/screen a dropped connection ends the session (and pauses the run).
  sshWithoutMultiplexer: boolean;
}

function set(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

// The first of LC_ALL, LC_CTYPE, LANG that is set decides (POSIX precedence).
export function localeIsUtf8(env: NodeJS.ProcessEnv): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find(set);
  return locale !== undefined && /utf-?8/i.test(locale);
}

export function detectTerminalCaps(env: NodeJS.ProcessEnv = process.env): TerminalCaps {
  return {
    color: !set(env.NO_COLOR) && env.FORCE_COLOR !== '0' && env.TERM !== 'dumb',
    unicode: localeIsUtf8(env),
    sshWithoutMultiplexer: set(env.SSH_CONNECTION) && !set(env.TMUX) && !set(env.STY),
  };
}

// chalk ignores NO_COLOR: it must become FORCE_COLOR=0 before chalk (and Ink) are imported.
export function applyNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (set(env.NO_COLOR)) env.FORCE_COLOR = '0';
}
