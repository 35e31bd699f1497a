import { describe, expect, it } from 'vitest';
import { applyNoColor, detectTerminalCaps } from '../../src/format/terminal-caps.js';

describe('what the terminal can show', () => {
  it('has no colour with NO_COLOR (any non-empty value), FORCE_COLOR=0 or TERM=dumb', () => {
    expect(detectTerminalCaps({}).color).toBe(true);
    expect(detectTerminalCaps({ NO_COLOR: '1' }).color).toBe(false);
    expect(detectTerminalCaps({ NO_COLOR: '' }).color).toBe(true);
    expect(detectTerminalCaps({ FORCE_COLOR: '0' }).color).toBe(false);
    expect(detectTerminalCaps({ TERM: 'dumb' }).color).toBe(false);
  });

  it('turns NO_COLOR into FORCE_COLOR=0 for chalk, which ignores NO_COLOR', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: 'yes' };
    applyNoColor(env);
    expect(env.FORCE_COLOR).toBe('0');
    const untouched: NodeJS.ProcessEnv = {};
    applyNoColor(untouched);
    expect(untouched.FORCE_COLOR).toBeUndefined();
  });

  it('draws Unicode only when the locale is UTF-8, LC_ALL before LC_CTYPE before LANG', () => {
    expect(detectTerminalCaps({ LANG: 'en_US.UTF-8' }).unicode).toBe(true);
    expect(detectTerminalCaps({ LANG: 'de_DE.utf8' }).unicode).toBe(true);
    expect(detectTerminalCaps({}).unicode).toBe(false);
    expect(detectTerminalCaps({ LANG: 'C' }).unicode).toBe(false);
    expect(detectTerminalCaps({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }).unicode).toBe(false);
    expect(detectTerminalCaps({ LC_CTYPE: 'en_US.UTF-8', LANG: 'C' }).unicode).toBe(true);
    expect(detectTerminalCaps({ LC_ALL: '', LC_CTYPE: 'POSIX', LANG: 'en_US.UTF-8' }).unicode).toBe(false);
  });

  it('warns over SSH only outside tmux and screen', () => {
    const ssh = { SSH_CONNECTION: '10.0.0.5 50000 10.0.0.1 22' };
    expect(detectTerminalCaps(ssh).sshWithoutMultiplexer).toBe(true);
    expect(detectTerminalCaps({ ...ssh, TMUX: '/tmp/tmux-1000/default,1,0' }).sshWithoutMultiplexer).toBe(
      false,
    );
    expect(detectTerminalCaps({ ...ssh, STY: '1234.pts-0.bastion' }).sshWithoutMultiplexer).toBe(false);
    expect(detectTerminalCaps({}).sshWithoutMultiplexer).toBe(false);
  });
});
