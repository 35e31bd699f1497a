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
  // Phrases typed on the command line (--confirm STEP=PHRASE), by step id.
  phrases?: Record<string, string>;
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
        const phrase = phraseFor(engine, id, entry.step.confirm, options);
        if (typeof phrase === 'string') return await stop(engine, phrase, ExitCode.paused, options);
        options.say(`step ${id} was interrupted; ${from ? `the backfill continues from its checkpoint ${from}` : 'running it again'}`);
        await engine.runStep(id, phrase);
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
      case 'phrase': {
        if (!options.yes && !Object.hasOwn(options.phrases ?? {}, id)) {
          return await stop(
            engine,
            `step ${id} needs a confirmation; confirm it in the TUI or run with --yes` +
              (typeof entry.step.confirm === 'string' ? ` or --confirm ${id}="${entry.step.confirm}"` : ''),
            ExitCode.paused,
            options,
          );
        }
        const phrase = phraseFor(engine, id, entry.step.confirm, { ...options, yes: true });
        if (typeof phrase === 'string') return await stop(engine, phrase, ExitCode.paused, options);
        await engine.runStep(id, phrase);
        break;
      }
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

// The confirmation headless gives a step, or why it cannot. A phrase given with --confirm is
// typed as given (the engine checks it); --yes types a step's phrase only where the step writes
// to no production connection: there, a person types it.
export function phraseFor(
  engine: Engine,
  id: string,
  confirm: boolean | string | undefined,
  options: Pick<HeadlessOptions, 'yes' | 'phrases'>,
): { phrase?: string; note: string } | string | undefined {
  const given = options.phrases && Object.hasOwn(options.phrases, id) ? options.phrases[id] : undefined;
  if (given !== undefined) return { phrase: given, note: 'typed with --confirm' };
  if (!options.yes) return undefined;
  if (typeof confirm !== 'string') return { note: auto };
  if (engine.writesToProduction(id)) {
    return (
      `step ${id} writes to production and needs its phrase typed; --yes never types it: ` +
      `give --confirm ${id}="${confirm}", or confirm it in the TUI`
    );
  }
  return { phrase: confirm, note: auto };
}
