import { driveHeadless } from './drive-headless.js';
import type { OpenedRun } from '../engine/open-run.js';
import { readJournal } from '../journal/file-journal.js';
import type { FrontEndMode } from './choose-mode.js';
import { StepwiseError } from '../errors/stepwise-error.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import { createJsonPrinter } from './json-printer.js';
import { createPlainPrinter } from './plain-printer.js';

export interface DriveOptions {
  mode: FrontEndMode;
  purpose: 'run' | 'resume' | 'rollback';
  yes: boolean;
  retry?: string[];
  markDone?: string[];
  endSoak?: { step: string; reason: string };
  // --confirm STEP=PHRASE.
  phrases?: Record<string, string>;
  to?: string;
  pastWindow?: { reason: string };
}

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// Hands an opened run to its front end, and makes every exit path journal and release:
// a signal pauses the run (run.paused), kills the step's process group and exits 130.
export async function driveFrontEnd(opened: OpenedRun, options: DriveOptions): Promise<ExitCodeValue> {
  const { engine } = opened;
  let interrupted = false;
  const closeTui = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    closeTui.abort();
    void engine.pause(signal).finally(async () => {
      await opened.close();
      process.exit(ExitCode.interrupted);
    });
  };
  for (const s of signals) process.on(s, onSignal);
  try {
    if (options.mode === 'tui') {
      const { runTui } = await (await import('../tui/load-tui.js')).loadTui();
      const result = await runTui(engine, { mode: options.purpose, signal: closeTui.signal });
      if (result.exit === 'paused') return ExitCode.paused;
      return engine.run.status === 'failed' ? ExitCode.stepFailed : ExitCode.done;
    }
    // Printers attach after run.started / run.resumed: the JSON one replays what is journaled,
    // the plain one starts from the state.
    const print =
      options.mode === 'json'
        ? createJsonPrinter(process.stdout, { history: readJournal(engine.journalPath).events })
        : createPlainPrinter(process.stdout, { tail: (s) => engine.tail(s), run: engine.run });
    engine.onEvent(print);
    const say = (text: string) => process.stderr.write(`${text}\n`);
    if (options.purpose === 'rollback') return await rollbackHeadless(opened, options, say);
    return await driveHeadless(engine, {
      yes: options.yes,
      retry: options.retry ?? [],
      markDone: options.markDone ?? [],
      endSoak: options.endSoak,
      phrases: options.phrases,
      say,
    });
  } finally {
    for (const s of signals) process.off(s, onSignal);
    if (!interrupted) await opened.close();
  }
}

async function rollbackHeadless(
  opened: OpenedRun,
  options: DriveOptions,
  say: (text: string) => void,
): Promise<ExitCodeValue> {
  const { engine } = opened;
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
  // As going forward: --confirm types a phrase; --yes types one only where the step writes to no
  // production connection. The engine refuses the rollback while a phrase is missing.
  const confirm: Record<string, string> = {};
  for (const { step, phrase } of plan.phrases) {
    const given = options.phrases && Object.hasOwn(options.phrases, step) ? options.phrases[step] : undefined;
    if (given !== undefined) confirm[step] = given;
    else if (!engine.writesToProduction(step)) confirm[step] = phrase;
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
