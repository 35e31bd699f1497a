import { findRun } from '../journal/find-run.js';
import { resolveState } from '../store/state-location.js';
import { liveEngineRecord } from '../protocol/engine-record.js';
import { openEngine } from './open-engine.js';
import type { FrontEndMode } from './choose-mode.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { ReopenFlags } from './shared-options.js';

function refuseRetargetWithoutReason(flags: ReopenFlags): void {
  if (flags.retarget.length && !flags.reason?.trim())
    throw new StepwiseError('--retarget needs --reason TEXT: why the run moves to another target');
}

// Opens an existing run for `resume` and `rollback` in the run's engine process: the engine that
// serves the run now, or a new one that reopens it. Returns where to connect. Going on past drift
// always needs --accept-drift: the decision is journaled in run.resumed before any front end starts.
export async function reopenInEngine(
  ref: string | undefined,
  flags: ReopenFlags,
  mode: FrontEndMode,
  purpose: 'resume' | 'rollback',
): Promise<{ stateDir: string; runId: string }> {
  refuseRetargetWithoutReason(flags);
  const { dir: stateDir, url: stateUrl } = resolveState(flags);
  const { runId } = stateUrl
    ? await (await import('../store/team-run.js')).locateTeamRun(stateUrl, ref)
    : findRun(stateDir, ref);
  if (liveEngineRecord(stateDir, runId)) return { stateDir, runId };
  const { runId: opened } = await openEngine(
    {
      kind: 'resume',
      ref: runId,
      stateDir,
      stateUrl,
      vars: flags.var,
      operator: flags.operator,
      acceptDrift: flags.acceptDrift,
      purpose,
      retarget: flags.retarget.length ? { conns: flags.retarget, reason: flags.reason!.trim() } : undefined,
    },
    mode,
  );
  return { stateDir, runId: opened };
}
