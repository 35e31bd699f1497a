import type { Engine } from '../engine/engine.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { phraseFor } from './drive-headless.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';

export interface RollbackDriveOptions {
  // Without it the plan is only said (exit 3): rolling back needs --yes headless.
  yes: boolean;
  to?: string;
  pastWindow?: { reason: string };
  // Phrases typed on the command line (--confirm STEP=PHRASE), by step id.
  phrases?: Record<string, string>;
  // The plan and why the rollback stopped, for a person: printed by the client on stderr.
  say: (text: string) => void;
}

// A headless rollback: the plan first, then, with --yes, the rollback itself (exit codes in
// README.md). Run by the engine for its client's `driveRollback` intent.
export async function driveRollback(engine: Engine, options: RollbackDriveOptions): Promise<ExitCodeValue> {
  const { say } = options;
  // Refused before the plan is shown: after the window, nothing runs without a reason.
  const pastWindow = engine.pastRollbackWindow(options.pastWindow);
  const plan = engine.rollbackPlan(options.to);
  say(`Rollback plan for ${engine.run.runId}${options.to ? ` (back to ${options.to})` : ''}:`);
  if (plan.pointOfNoReturnPassed.length) {
    say(
      `  ! past the point of no return (${plan.pointOfNoReturnPassed.join(', ')}): reversing steps may not be enough`,
    );
  }
  for (const item of plan.items) {
    const what = item.action === 'reverse' ? 'reverse' : item.action === 'signoff' ? 'sign off' : 'pass over';
    say(`  ${what.padEnd(9)} ${item.step}${item.note ? `  (${item.note})` : ''}`);
    if (item.rendered) for (const line of item.rendered.split('\n')) say(`            ${line}`);
  }
  for (const step of plan.partial) say(`  partly ran ${step}: failed or interrupted; decide by hand`);
  if (plan.items.length === 0) {
    say('  nothing to roll back');
    return ExitCode.done;
  }
  if (!options.yes) {
    say('run again with --yes to roll back, or use the TUI');
    return ExitCode.paused;
  }
  if (pastWindow) say(`  ! past the rollback window (closed ${pastWindow.closed_at}): ${pastWindow.reason}`);
  // The phrases typed as going forward; the engine refuses the rollback while one is missing.
  const confirm: Record<string, string> = {};
  for (const { step, phrase } of plan.phrases) {
    const typed = phraseFor(engine, step, phrase, options);
    if (typeof typed === 'object' && typed.phrase !== undefined) confirm[step] = typed.phrase;
  }
  try {
    await engine.rollback({ to: options.to, note: 'auto (--yes)', pastWindow: options.pastWindow, confirm });
  } catch (error) {
    if (!(error instanceof StepwiseError)) throw error;
    say(error.message);
    return exitCodeFor(error.kind);
  }
  const failed = Object.values(engine.run.steps).find((s) => s.status === 'rollback_failed');
  if (failed) {
    say(
      `rollback of ${failed.id} failed: ${failed.rollback?.error}\nfix it, then run \`stepwise rollback ${engine.run.runId}\` again`,
    );
    return ExitCode.stepFailed;
  }
  return ExitCode.done;
}
