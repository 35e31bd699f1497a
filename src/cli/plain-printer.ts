import { isCheckDetails, type JournalEvent } from '../journal/events.js';
import type { PhaseState, RunState, StepState } from '../journal/reducer.js';
import { stepNumbers, stepsDone } from '../journal/run-questions.js';
import { formatCount } from '../format/format-count.js';
import { formatDuration, formatTimeOfDay, formatUtc } from '../format/format-time.js';
import { describeEndedSession } from '../engine/describe-ended-session.js';
import { type Glyphs, glyphsFor } from '../tui/glyphs.js';
import { describeValue } from '../tui/describe-value.js';
import { detectTerminalCaps } from '../format/terminal-caps.js';
import { toAscii } from '../format/to-ascii.js';
import { type SafeOutput, safeOutput } from './safe-output.js';

// The `--plain` front end: one line per journal event, for a person reading a log at 2 a.m.
// Step output is not printed (it is in the log file), except the last lines of a failed step.

export interface PlainPrinterOptions {
  // The last lines of a step's output (the engine's bounded tail).
  tail: (step: string) => string[];
  // The run as it stands when printing starts; without it, from the run.started event.
  run?: RunState;
  env?: NodeJS.ProcessEnv;
  // How many output lines of a failed step to show.
  tailLines?: number;
}

// An event and the run's state after it: the caller folds the events (the reducer has one home),
// and may have no state (events without their run): then the event is printed as it is.
export type EventPrinter = (event: JournalEvent, run?: RunState) => void;

type Color = 'red' | 'green' | 'yellow' | 'cyan' | 'magenta' | 'dim';
const codes: Record<Color, string> = { red: '31', green: '32', yellow: '33', magenta: '35', cyan: '36', dim: '2' };

const batchLineEveryMs = 1000;
const indent = '           ';

function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '?');
}

function describeValues(values: Record<string, unknown>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '(nothing)';
  return entries.map(([k, v]) => `${k} = ${describeValue(v)}`).join(', ');
}

class PlainPrinter {
  private state?: RunState;
  private numbers = new Map<string, string>();
  private numbered?: PhaseState[];
  private readonly announcedPhases = new Set<string>();
  // Per step: when the last progress line was printed, and the latest one held back since.
  private readonly lastLineAt = new Map<string, number>();
  private readonly heldBack = new Map<string, string>();
  private readonly g: Glyphs;
  // The event marks with the step status marks they share with the screen.
  private readonly marks: Glyphs['events'] & { ok: string; fail: string; back: string };
  private readonly colour: boolean;
  private readonly ascii: boolean;
  private readonly output: SafeOutput;

  constructor(
    out: NodeJS.WritableStream,
    private readonly options: PlainPrinterOptions,
  ) {
    // The same rule as the screen's: colour on a terminal unless NO_COLOR or TERM=dumb, UTF-8 marks
    // when the locale is.
    const caps = detectTerminalCaps(options.env ?? process.env);
    this.ascii = !caps.unicode;
    this.g = glyphsFor(caps.unicode);
    const { status } = this.g;
    this.marks = { ...this.g.events, ok: status.succeeded, fail: status.failed, back: status.rolled_back };
    this.colour = (out as NodeJS.WriteStream).isTTY === true && caps.color;
    this.output = safeOutput(out);
    this.state = options.run;
    this.refreshNumbers();
    if (this.state) this.header(this.state);
  }

  print(event: JournalEvent, run: RunState | undefined): void {
    this.state = run ?? this.state;
    this.refreshNumbers();
    this.describe(event);
  }

  private refreshNumbers(): void {
    if (this.state && this.state.phases !== this.numbered) {
      this.numbered = this.state.phases;
      this.numbers = stepNumbers(this.state.phases);
    }
  }

  private paint(text: string, color?: Color): string {
    return this.colour && color ? `\x1b[${codes[color]}m${text}\x1b[0m` : text;
  }

  // Text from the journal or a step may hold control characters: shown as `?`, never obeyed.
  private clean(text: string): string {
    const visible = printable(text);
    return this.ascii ? toAscii(visible) : visible;
  }

  private emit(text: string): void {
    this.output.write(`${text}\n`);
  }

  private stamp(ts: string): string {
    return this.paint(`[${formatTimeOfDay(ts)}]`, 'dim');
  }

  private line(ts: string, mark: string, text: string, color?: Color): void {
    this.emit(`${this.stamp(ts)} ${this.paint(mark, color)} ${this.clean(text)}`);
  }

  private detail(text: string, color?: Color): void {
    for (const part of text.split('\n')) this.emit(`${indent}${this.paint(this.clean(part), color)}`);
  }

  private label(step: string): string {
    const number = this.numbers.get(step);
    return number ? `${number} ${step}` : step;
  }

  private step(id: string): StepState | undefined {
    return this.state?.steps[id];
  }

  private header(run: RunState): void {
    const { started } = run;
    const ops = run.operators.join(', ');
    const sep = this.g.separator;
    this.line(run.lastEventAt, this.g.events.run, `${started.runbook.name}${sep}run ${run.runId}${sep}${ops}`);
    if (started.runbook.title !== started.runbook.name) this.detail(started.runbook.title);
    for (const [name, c] of Object.entries(started.connections)) {
      this.detail(`${name} ${this.g.arrow} ${c.target}${c.production ? '  PRODUCTION' : ''}`);
    }
    const { done, total } = stepsDone(run);
    if (done > 0) this.detail(`${done}/${total} steps done`);
    for (const id of run.order) {
      const s = run.steps[id];
      if (s.status === 'interrupted') this.detail(`${this.label(id)} was interrupted`, 'yellow');
    }
  }

  private flushHeldBack(step: string): void {
    const held = this.heldBack.get(step);
    if (held === undefined) return;
    this.heldBack.delete(step);
    this.emit(held);
  }

  // At most one progress line per second per step; the latest one held back is printed when the
  // step ends, so the final count is always shown.
  private progress(e: JournalEvent & { step: string }, text: string): void {
    const at = Date.parse(e.ts);
    const last = this.lastLineAt.get(e.step);
    const rendered = `${this.stamp(e.ts)} ${this.g.events.note} ${this.clean(`${this.label(e.step)}  ${text}`)}`;
    if (last !== undefined && at - last < batchLineEveryMs) {
      this.heldBack.set(e.step, rendered);
      return;
    }
    this.lastLineAt.set(e.step, at);
    this.heldBack.delete(e.step);
    this.emit(rendered);
  }

  private outputTail(step: string): void {
    const lines = this.options.tail(step).slice(-(this.options.tailLines ?? 20));
    if (lines.length === 0) return;
    this.detail(`last ${lines.length === 1 ? 'line' : `${lines.length} lines`} of output:`, 'dim');
    for (const l of lines) this.emit(`${indent}${this.paint(this.g.vertical, 'dim')} ${this.clean(l)}`);
  }

  private checkDetails(details: unknown): void {
    if (!isCheckDetails(details)) return;
    this.detail(`expected ${describeValues(details.expected)}`);
    this.detail(`actual   ${describeValues(details.actual)}`);
    for (const f of details.failures ?? []) this.detail(`${this.g.events.note} ${f}`);
  }

  private phaseTitle(id: string): string {
    return this.state?.phases.find((p) => p.id === id)?.title ?? id;
  }

  private announcePhase(step: string, ts: string): void {
    const phase = this.step(step)?.phase;
    if (!phase || this.announcedPhases.has(phase)) return;
    this.announcedPhases.add(phase);
    const index = this.state!.phases.findIndex((p) => p.id === phase);
    this.line(ts, this.g.horizontal.repeat(2), `${index + 1} ${this.phaseTitle(phase)}`, 'cyan');
  }

  private describe(e: JournalEvent): void {
    const m = this.marks;
    const sep = this.g.separator;
    switch (e.type) {
      case 'run.started':
        if (this.state) this.header(this.state);
        return;
      case 'run.resumed': {
        const drift = e.accepted_drift.length ? `; accepted drift in ${e.accepted_drift.join(', ')}` : '';
        this.line(e.ts, m.run, `resumed by ${e.operator} on ${e.host}${drift}`);
        return;
      }
      case 'connection.retargeted':
        this.line(e.ts, m.run, `${e.conn} moved from ${e.from.address} to ${e.to.address} by ${e.operator}: ${e.reason}`, 'yellow');
        return;
      case 'notify.failed':
        this.line(e.ts, m.note, `notification of ${e.event} to ${e.target} failed: ${e.error}`, 'yellow');
        return;
      case 'sessions.ended':
        for (const session of e.sessions) this.line(e.ts, m.run, describeEndedSession(e.conn, session), 'yellow');
        return;
      case 'run.paused':
        if (e.step) this.flushHeldBack(e.step);
        this.line(e.ts, m.pause, `paused: ${e.reason}`, 'yellow');
        return;
      case 'run.finished': {
        const took = this.state
          ? ` after ${formatDuration(Date.parse(e.ts) - Date.parse(this.state.startedAt))}`
          : '';
        const word = e.outcome === 'rolled_back' ? 'rolled back' : e.outcome;
        const color = e.outcome === 'succeeded' ? 'green' : e.outcome === 'failed' ? 'red' : 'magenta';
        this.line(e.ts, m.end, `run ${word}${took}`, color);
        return;
      }
      case 'step.started': {
        if (e.rollback) {
          this.line(e.ts, m.back, `${this.label(e.step)}  rolling back`, 'magenta');
          return;
        }
        this.announcePhase(e.step, e.ts);
        const s = this.step(e.step);
        const title = s && s.title !== e.step ? `  ${s.title}` : '';
        const kind = s?.kind === 'manual' ? ' (manual)' : '';
        const attempt = e.attempt > 1 ? `  (attempt ${e.attempt})` : '';
        this.line(e.ts, m.start, `${this.label(e.step)}${title}${kind}${attempt}`, 'cyan');
        return;
      }
      case 'step.succeeded': {
        this.flushHeldBack(e.step);
        // The executor's summary already counts rows; without one, the batches or rows say it.
        const parts = [`succeeded in ${formatDuration(e.duration_ms)}`];
        const batches = this.step(e.step)?.batches;
        if (e.summary) parts.push(e.summary);
        else if (batches && batches.count > 0) {
          parts.push(
            `${formatCount(batches.rows)} rows copied, ${formatCount(batches.skipped)} skipped in ${formatCount(batches.count)} batches`,
          );
        } else if (e.rows !== undefined)
          parts.push(`${formatCount(e.rows)} ${e.rows === 1 ? 'row' : 'rows'}`);
        this.line(e.ts, m.ok, `${this.label(e.step)}  ${parts.join(sep)}`, 'green');
        return;
      }
      case 'step.failed': {
        this.flushHeldBack(e.step);
        const retry = e.retry_in_ms !== undefined ? `; retrying in ${formatDuration(e.retry_in_ms)}` : '';
        const [first, ...rest] = e.error.split('\n');
        this.line(
          e.ts,
          m.fail,
          `${this.label(e.step)}  failed after ${formatDuration(e.duration_ms)}: ${first}${retry}`,
          'red',
        );
        if (rest.length) this.detail(rest.join('\n'));
        this.checkDetails(e.details);
        this.outputTail(e.step);
        return;
      }
      case 'step.skipped':
        this.line(e.ts, m.skip, `${this.label(e.step)}  skipped by ${e.operator}: ${e.reason}`, 'yellow');
        return;
      case 'step.signed': {
        const note = e.note ? `: ${e.note}` : '';
        if (e.purpose === 'confirm') {
          const said = e.note && e.note !== 'confirmed' ? note : '';
          this.line(e.ts, m.sign, `${this.label(e.step)}  confirmed by ${e.operator}${said}`);
        } else if (e.purpose === 'manual') {
          this.line(e.ts, m.ok, `${this.label(e.step)}  signed off by ${e.operator}${note}`, 'green');
        } else if (e.purpose === 'soak') {
          this.line(e.ts, m.sign, `${this.label(e.step)}  soak ended early by ${e.operator}${note}`);
        } else {
          this.line(e.ts, m.ok, `${this.label(e.step)}  marked done by ${e.operator}${note}`, 'green');
        }
        return;
      }
      case 'step.probed':
        this.line(
          e.ts,
          m.probe,
          `${this.label(e.step)}  probe: ${e.applied ? 'the step had already taken effect' : 'the step had not taken effect'}`,
        );
        return;
      case 'step.progress':
        this.progress(e, e.message);
        return;
      case 'step.process_started':
        this.progress(e, `process group ${e.pgid}`);
        return;
      case 'soak.started':
        this.line(e.ts, m.note, `${this.label(e.step)}  soaking until ${formatUtc(Date.parse(e.ends_at))}`, 'cyan');
        return;
      case 'soak.checked': {
        const said = e.results.map((r) => r.summary).join('; ');
        if (e.ok) this.line(e.ts, m.note, `${this.label(e.step)}  soak checks passed: ${said}`);
        else this.line(e.ts, m.fail, `${this.label(e.step)}  soak checks failed: ${said}`, 'red');
        return;
      }
      case 'batch.committed': {
        const b = this.step(e.step)?.batches;
        const total = b ? `${formatCount(b.rows)} rows so far` : `${formatCount(e.rows)} rows`;
        const skipped = b && b.skipped > 0 ? ` (${formatCount(b.skipped)} skipped)` : '';
        this.progress(
          e,
          `batch ${e.batch}${sep}${total}${skipped}${sep}up to ${String(e.hi)}${sep}${formatDuration(e.duration_ms)}`,
        );
        return;
      }
      case 'step.throttled':
        this.line(
          e.ts,
          m.note,
          `${this.label(e.step)}  ${e.throttled ? 'throttled' : 'throttle lifted'}: ${e.reason}`,
          e.throttled ? 'yellow' : undefined,
        );
        return;
      case 'gate.checked': {
        const title = this.phaseTitle(e.phase);
        if (e.ok) {
          this.line(e.ts, m.gate, `gate of ${title}: checks passed`, 'green');
          return;
        }
        this.line(e.ts, m.fail, `gate of ${title}: checks failed`, 'red');
        const failures = e.details?.failures;
        if (Array.isArray(failures)) for (const f of failures) this.detail(`${m.note} ${String(f)}`);
        return;
      }
      case 'gate.signed': {
        const phase = this.state?.phases.find((p) => p.id === e.phase);
        const of = phase?.gate?.signoff ? ` (${phase.gateSignoffs.length} of ${phase.gate.signoff})` : '';
        const note = e.note ? `: ${e.note}` : '';
        this.line(
          e.ts,
          m.sign,
          `gate of ${this.phaseTitle(e.phase)} signed off by ${e.operator}${of}${note}`,
        );
        return;
      }
      case 'gate.passed':
        this.line(e.ts, m.gate, `gate of ${this.phaseTitle(e.phase)} passed`, 'green');
        return;
      case 'rollback.started': {
        const to = e.to ? ` back to ${e.to}` : '';
        const steps = e.plan.length ? `: ${e.plan.join(', ')}` : ': nothing to roll back';
        this.line(e.ts, m.back, `rollback${to} started by ${e.operator}${steps}`, 'magenta');
        return;
      }
      case 'step.rolled_back':
        if (e.how === 'reversed') {
          this.line(
            e.ts,
            m.back,
            `${this.label(e.step)}  rolled back in ${formatDuration(e.duration_ms)}`,
            'magenta',
          );
        } else {
          const note = e.note ? `: ${e.note}` : '';
          this.line(
            e.ts,
            m.back,
            `${this.label(e.step)}  irreversible, passed with a sign-off by ${e.operator}${note}`,
            'magenta',
          );
        }
        return;
      case 'step.rollback_failed':
        this.line(
          e.ts,
          m.fail,
          `${this.label(e.step)}  rollback failed after ${formatDuration(e.duration_ms)}: ${e.error}`,
          'red',
        );
        this.outputTail(e.step);
        return;
      case 'rollback.finished':
        if (e.complete) {
          this.line(e.ts, m.back, 'rollback finished', 'magenta');
          for (const line of e.cleanup ?? []) this.line(e.ts, m.note, line);
        } else this.line(e.ts, m.fail, 'rollback stopped before the end', 'red');
        return;
      default: {
        // An event type this printer does not know yet (a newer engine): still one line.
        const unknown = e as { ts: string; type: string };
        this.line(unknown.ts, m.note, unknown.type);
      }
    }
  }
}

export function createPlainPrinter(out: NodeJS.WritableStream, options: PlainPrinterOptions): EventPrinter {
  const printer = new PlainPrinter(out, options);
  return (event, run) => {
    try {
      printer.print(event, run);
    } catch (error) {
      // Printing must never stop the engine that calls it.
      process.stderr.write(`stepwise: could not print event ${event.seq}: ${(error as Error).message}\n`);
    }
  };
}
