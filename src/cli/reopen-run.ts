import { type OpenedRun, resumeRun } from '../engine/open-run.js';
import { resolveStateDir } from '../journal/state-dir.js';
import type { FrontEndMode } from './choose-mode.js';
import { promptVarsFor } from './prompt-vars.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { ReopenFlags } from './shared-options.js';

// Opens an existing run for `resume` and `rollback`. Going on past drift always needs
// --accept-drift: the decision is journaled in run.resumed before any front end starts.
export function reopenRun(
  ref: string | undefined,
  flags: ReopenFlags,
  mode: FrontEndMode,
  purpose: 'resume' | 'rollback',
): Promise<OpenedRun> {
  if (flags.retarget.length && !flags.reason?.trim())
    throw new StepwiseError('--retarget needs --reason TEXT: why the run moves to another target');
  return resumeRun({
    ref,
    stateDir: resolveStateDir(flags.stateDir),
    operator: flags.operator,
    vars: flags.var,
    env: process.env,
    promptVars: promptVarsFor(mode),
    acceptDrift: async () => flags.acceptDrift,
    purpose,
    warn: (text) => process.stderr.write(`warning: ${text}\n`),
    retarget: flags.retarget.length ? { conns: flags.retarget, reason: flags.reason!.trim() } : undefined,
  });
}
