import type { EventPayload, SoakCheckResult } from '../../journal/events.js';
import type { SoakState, StepState } from '../../journal/reducer.js';
import { formatDuration, formatUtc } from '../../format/format-time.js';
import { parseDuration } from '../../runbook/parse-duration.js';
import type { CheckBody, SoakBody } from '../../runbook/schema.js';
import type { StepResult } from '../executor.js';
import type { Clock } from './clock.js';

export const defaultSoakEvery = '10m';

export interface SoakDeps {
  clock: Clock;
  step(): StepState;
  append(payload: EventPayload): void;
  // Starts the step's attempt (step.started) and answers its log.
  start(): void;
  evaluate(check: CheckBody, index: number): Promise<StepResult>;
  output(line: string): void;
  signal: AbortSignal;
}

function summaryOf(result: StepResult): string {
  return result.summary ?? result.error ?? (result.ok ? 'ok' : 'failed');
}

// Runs a soak's checks now and then, until its end, a failing check, or (hold false) once.
// The soak's start and every evaluation are journaled: a later process takes it over where
// this one left it.
export async function runSoak(id: string, body: SoakBody, deps: SoakDeps, hold: boolean): Promise<void> {
  const { clock, signal } = deps;
  if (deps.step().status !== 'soaking') {
    deps.start();
    const now = clock.now();
    deps.append({
      type: 'soak.started',
      step: id,
      started_at: new Date(now).toISOString(),
      ends_at: new Date(now + parseDuration(body.for)).toISOString(),
      every_ms: parseDuration(body.every ?? defaultSoakEvery),
    });
  }
  for (;;) {
    const results: SoakCheckResult[] = [];
    for (const [i, check] of body.checks.entries()) {
      const result = await deps.evaluate(check, i);
      results.push({ ok: result.ok, summary: summaryOf(result) });
    }
    // An evaluation cut off by a pause or a cancel proves nothing: it is not journaled.
    if (signal.aborted) return;
    const now = clock.now();
    const ok = results.every((r) => r.ok);
    deps.append({ type: 'soak.checked', step: id, at: new Date(now).toISOString(), ok, results });
    deps.output(`${formatUtc(now)}: ${ok ? 'ok' : 'FAILED'}: ${results.map((r) => r.summary).join('; ')}`);
    const soak = deps.step().soak!;
    const started = Date.parse(soak.startedAt);
    const step = deps.step();
    if (!ok) {
      deps.append({
        type: 'step.failed',
        step: id,
        attempt: step.attempts,
        duration_ms: now - started,
        error: `soak check failed after ${formatDuration(now - started)}: ${results.filter((r) => !r.ok).map((r) => r.summary).join('; ')}`,
      });
      return;
    }
    const left = soakLeft(soak, now);
    if (left <= 0) {
      deps.append({
        type: 'step.succeeded',
        step: id,
        attempt: step.attempts,
        duration_ms: now - started,
        summary: `held for ${body.for}: ${soak.evaluations} evaluation${soak.evaluations === 1 ? '' : 's'} passed`,
      });
      return;
    }
    if (!hold) return;
    await clock.sleep(Math.min(soak.everyMs, left), signal);
    if (signal.aborted) return;
  }
}

export function soakLeft(soak: SoakState, now: number): number {
  return Date.parse(soak.endsAt) - now;
}

// What a headless client says when it leaves a soak running: when it ends, what is left, what
// the checks said last, and how to end it early.
export function describeSoakWait(step: StepState, now: number, runId: string): string {
  const soak = step.soak!;
  const last = soak.history.at(-1);
  const lines = [
    `step ${step.id} is soaking until ${formatUtc(Date.parse(soak.endsAt))}; resume after that`,
    `  time left: ${formatDuration(Math.max(0, soakLeft(soak, now)))}, ${soak.evaluations} evaluation${soak.evaluations === 1 ? '' : 's'} passed`,
  ];
  if (last) lines.push(`  last checks (${formatUtc(Date.parse(last.at))}): ${last.results.map((r) => r.summary).join('; ')}`);
  lines.push(`  end it early: stepwise resume ${runId} --end-soak ${step.id} --reason TEXT`);
  return lines.join('\n');
}
