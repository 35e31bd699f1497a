import { StepwiseError } from '../errors/stepwise-error.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import type { Engine } from '../engine/engine.js';
import type { Signer } from '../engine/engine-api.js';
import { backfillResumePoint, interruptedRetry } from '../engine/interrupted-retry.js';
import { describeSoakWait } from '../engine/time/soak.js';

export interface HeadlessOptions {
  // Sign manual steps, gates and confirmations as the operator with the note "auto (--yes)".
  yes: boolean;
  // Interrupted steps the operator chose to retry or to mark done (resume flags).
  retry: string[];
  markDone: string[];
  // A soak the operator ends early (--end-soak STEP --reason TEXT).
  endSoak?: { step: string; reason: string };
  // Why the run stopped, for a person: printed by the CLI on stderr.
  say: (text: string) => void;
  // Who signs with --yes: a verified client of the engine; by default the engine's own user.
  by?: Signer;
  // A detached engine waits for the person it needs (the run stays open for `approve` or
  // `attach`) instead of pausing; a failure still pauses.
  waitForOperator?: boolean;
}

const auto = 'auto (--yes)';

async function stop(engine: Engine, reason: string, code: ExitCodeValue, options: HeadlessOptions) {
  options.say(reason);
  if (!(options.waitForOperator && code === ExitCode.paused)) await engine.pause(reason.split('\n')[0]);
  return code;
}

// Drives a run without a screen until it ends, fails or needs an operator (exit codes in README.md).
export async function driveHeadless(engine: Engine, options: HeadlessOptions): Promise<ExitCodeValue> {
  const { rollback } = engine.run;
  if (rollback && !rollback.finished) {
    return stop(
      engine,
      `a rollback of this run stopped half-way; finish it with \`stepwise rollback ${engine.run.runId}\``,
      ExitCode.paused,
      options,
    );
  }
  for (;;) {
    const next = engine.next();
    if (next.kind === 'done') {
      engine.finishIfDone();
      return ExitCode.done;
    }
    if (next.kind === 'gate') {
      try {
        if (next.signoffsNeeded > 0 && !options.yes) {
          return await stop(
            engine,
            `phase ${next.phase} waits for its gate sign-off; sign it in the TUI or with \`stepwise resume --yes\``,
            ExitCode.paused,
            options,
          );
        }
        await engine.signGate(next.phase, next.signoffsNeeded > 0 ? auto : '', options.by);
        continue;
      } catch (error) {
        if (!(error instanceof StepwiseError)) throw error;
        return await stop(
          engine,
          error.message,
          error.kind === 'stepFailed' ? ExitCode.stepFailed : ExitCode.paused,
          options,
        );
      }
    }
    const id = next.step;
    const entry = engine.entry(id)!;
    if (options.endSoak?.step === id && engine.run.steps[id].status === 'soaking') {
      try {
        await engine.endSoak(id, options.endSoak.reason, options.by);
      } catch (error) {
        if (!(error instanceof StepwiseError)) throw error;
        return await stop(engine, error.message, exitCodeFor(error.kind), options);
      }
      if (engine.run.steps[id].status === 'soaking') {
        return await stop(
          engine,
          `step ${id}: signed to end the soak early; it needs another operator's sign-off too ` +
            `(another Unix user, from their own session: \`stepwise resume ${engine.run.runId} --end-soak ${id} --reason TEXT\`)`,
          ExitCode.paused,
          options,
        );
      }
      continue;
    }
    switch (next.needs) {
      case 'interrupted': {
        const state = engine.run.steps[id];
        if (options.markDone.includes(id)) {
          await engine.markDone(id, options.yes ? auto : 'marked done on resume');
          continue;
        }
        const retry = interruptedRetry(entry, state);
        const unasked = retry === 'always' || (retry === 'with-yes' && options.yes);
        if (!options.retry.includes(id) && !unasked) {
          const why =
            retry === 'with-yes'
              ? `it is safe to run again: \`stepwise resume --yes\``
              : `it may have partly run${entry.step.idempotent ? '' : ' (it is not idempotent)'}`;
          return await stop(
            engine,
            `step ${id} was interrupted; ${why}; ` +
              `decide: \`stepwise resume --retry ${id}\`, \`stepwise resume --mark-done ${id}\`, or \`stepwise rollback\``,
            ExitCode.paused,
            options,
          );
        }
        const from = entry.kind === 'backfill' ? backfillResumePoint(state) : undefined;
        options.say(`step ${id} was interrupted; ${from ? `the backfill continues from its checkpoint ${from}` : 'running it again'}`);
        await engine.runStep(id, confirmationFor(entry.step.confirm, options.yes) ?? undefined);
        break;
      }
      case 'signoff':
        if (!options.yes) {
          return await stop(
            engine,
            `manual step ${id}: ${entry.step.manual?.trim()}\nsign it off in the TUI or with \`stepwise resume --yes\``,
            ExitCode.paused,
            options,
          );
        }
        await engine.signStep(id, auto, options.by);
        continue;
      case 'confirm':
      case 'phrase':
        if (!options.yes) {
          return await stop(
            engine,
            `step ${id} needs a confirmation; confirm it in the TUI or run with --yes`,
            ExitCode.paused,
            options,
          );
        }
        await engine.runStep(id, confirmationFor(entry.step.confirm, true)!);
        break;
      default:
        await engine.runStep(id, undefined, { soakOnce: true });
    }
    const after = engine.run.steps[id];
    if (after.status === 'soaking') {
      return await stop(engine, describeSoakWait(after, engine.clock.now(), engine.run.runId), ExitCode.paused, options);
    }
    if (after.status === 'failed') {
      const cancelled = after.stopped === 'pause';
      return await stop(
        engine,
        cancelled
          ? `step ${id} was interrupted`
          : `step ${id} failed: ${after.error}\nlog: stepwise log ${engine.run.runId} ${id}\n` +
              `retry: stepwise resume ${engine.run.runId} · roll back: stepwise rollback ${engine.run.runId}`,
        cancelled ? ExitCode.interrupted : ExitCode.stepFailed,
        options,
      );
    }
  }
}

function confirmationFor(confirm: boolean | string | undefined, yes: boolean) {
  if (!yes) return undefined;
  return { phrase: typeof confirm === 'string' ? confirm : undefined, note: auto };
}
