import { type Command, Option } from 'commander';
import { StepwiseError } from '../errors/stepwise-error.js';

// Options several commands take, declared once.
export function withStateDir(command: Command): Command {
  return command
    .option('--state <path|url>', 'where runs are journaled: a directory, or a postgres:// URL for team mode (default $STEPWISE_STATE)')
    .option('--state-dir <dir>', "this host's state directory (default $STEPWISE_STATE_DIR or ./.stepwise)");
}

export function withRunOptions(command: Command): Command {
  return withStateDir(command)
    .option('--var <k=v>', 'set a variable (repeatable)', collectVar, {})
    .option('--yes', 'sign manual steps, gates and confirmations as "auto (--yes)"', false)
    .option(
      '--confirm <step=phrase>',
      "type a step's confirm: phrase (repeatable; --yes never types a production step's)",
      collectConfirm,
      {},
    )
    .addOption(new Option('--plain', 'one line per event, no TUI').conflicts('json'))
    .option('--json', 'events as NDJSON, no TUI')
    .option('--operator <name>', 'who drives the run (default $STEPWISE_OPERATOR or user@host)');
}

// resume and rollback: how an existing run may be reopened.
export function withReopenOptions(command: Command): Command {
  return command
    .option('--accept-drift', 'go on although the runbook changed since the run started', false)
    .option(
      '--retarget <conn>',
      'move the run to where this connection points now (repeatable; needs --reason)',
      collectList,
      [],
    )
    .option('--reason <text>', 'why, journaled with --retarget (and with --end-soak on resume)');
}

export interface ReopenFlags extends RunFlags {
  acceptDrift: boolean;
  retarget: string[];
  reason?: string;
}

export function collectVar(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new StepwiseError(`--var ${value}: expected name=value`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collectConfirm(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new StepwiseError(`--confirm ${value}: expected STEP=PHRASE`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collectList(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export interface StateFlags {
  state?: string;
  stateDir?: string;
}

export interface RunFlags extends StateFlags {
  var: Record<string, string>;
  yes: boolean;
  confirm: Record<string, string>;
  plain?: boolean;
  json?: boolean;
  operator?: string;
}
