import type { StoreApi } from 'zustand/vanilla';
import type { ForecastBasis } from '../journal/forecast/forecast-run.js';
import type { JournalEvent } from '../journal/events.js';
import type { RunState } from '../journal/reducer.js';
import type { RunbookView } from '../runbook/loaded-runbook.js';
import type { LogPage, LogPosition } from './read-log-page.js';

// What a front end (TUI, plain printer) sees and may ask for. The engine owns the store;
// front ends only read it and call intents.

export interface OutputTail {
  /** The last lines of a step's output, normalised (ANSI stripped, text after the last \r). */
  lines: string[];
  total: number;
}

export interface LiveState {
  /** Bounded output tail per step id (the full output is in the log file). */
  output: Record<string, OutputTail>;
  /** The step the engine is executing now (run or rollback), if any. */
  active?: { step: string; rollback: boolean; since: number };
  /** Backfill live controls (the figures are in the journal's step.progress). */
  backfill: Record<
    string,
    {
      /** Paused with p; held by the run's pause file (`touch <run-dir>/pause`) while that exists. */
      paused: boolean;
      pausedByFile?: boolean;
      /** Set with + and -: the size of the next batch. */
      batchSize?: number;
    }
  >;
  /** Set by a front end, not the engine: the engine it followed has ended. */
  notice?: { level: 'info' | 'warn' | 'error'; text: string };
}

export interface ConnectionView {
  name: string;
  target: string;
  production: boolean;
  embedded: boolean;
}

/** A front end attached to the engine, as the engine verified it. */
export interface AttachedClient {
  /** The verified Unix user on the socket; through the database (team mode), the database role. */
  user: string;
  display?: string;
  role: 'operator' | 'watcher';
  host: string;
  ssh?: string;
  /** Attached through the team's state database from `host`, not to the socket. */
  throughDatabase?: boolean;
}

export interface EngineView {
  runbook: RunbookView;
  run: RunState;
  live: LiveState;
  connections: ConnectionView[];
  /** Drift found on resume (empty on a fresh run). */
  drift: DriftItem[];
  /** Step ids the engine would run next, for "enter runs the next step". */
  next?: NextAction;
  /** What running the rest of the next action's phase would do, for `a`. */
  phaseRun?: PhaseRun;
  /** Exactly what each step will run, values filled and secrets masked. */
  preview: Record<string, string>;
  /** What each phase's gate checks run (by phase id), the same way. */
  gatePreview: Record<string, string>;
  /** Step numbers as the checklist shows them ("2.3"). */
  numbers: Record<string, string>;
  /** Who drives the run in this process (may differ from run.started.operator after a resume). */
  operator?: string;
  /** The Unix user behind this view: the engine's own, or the attached client's as verified. */
  user?: string;
  /** What `user` is to the engine: a verified Unix user, or in team mode a database role. */
  identity?: 'Unix user' | 'database role';
  /** The display name (--operator) this view's person signs with, beside `user`; absent when none was given. */
  display?: string;
  /** What the forecast goes by (earlier runs' durations, the sources' rows): the screen forecasts. */
  forecast?: ForecastBasis;
  /** Who is attached to a detached engine (verified Unix users); absent in one process. */
  clients?: AttachedClient[];
  /** A watcher's view: every intent that changes the run is refused. */
  readOnly?: boolean;
  /** What the engine did while nobody was attached (non-volatile events), for the attach summary. */
  unattended?: JournalEvent[];
}

export type NextAction =
  | {
      kind: 'step';
      step: string;
      needs?: 'confirm' | 'phrase' | 'signoff' | 'interrupted';
      /** An interrupted step the operator decides to run again then needs this, as any run. */
      then?: 'confirm' | 'phrase';
    }
  | { kind: 'gate'; phase: string; signoffsNeeded: number }
  | { kind: 'done' };

/**
 * What running the rest of the next action's phase would do (the engine's answer for `a`): the
 * steps it runs, those among them the one confirmation covers, where it stops and why, and
 * whether it passes the phase's gate (running its checks); or why it cannot run now.
 */
export type PhaseRun =
  | {
      phase: string;
      steps: string[];
      confirm: string[];
      stopsBefore?: { step?: string; why: string };
      gate?: boolean;
    }
  | { phase: string; refused: string };

/** The confirmation of a phase run: the steps it covers, as the operator was shown them. */
export interface PhaseConfirmation {
  steps: string[];
  note?: string;
}

export interface DriftItem {
  step: string;
  change: 'changed' | 'added' | 'removed';
  ran: boolean;
  /** For a changed step: its definition's changed lines (`-` as the run started, `+` now). */
  diff?: string[];
}

export interface RollbackPlanItem {
  step: string;
  title: string;
  action: 'reverse' | 'signoff' | 'pass-over';
  /** What the rollback body will run, values filled and secrets masked. */
  rendered?: string;
  note?: string;
}

/** A step the rollback passes back over whose forward run needed this phrase typed. */
export interface RollbackPhrase {
  step: string;
  phrase: string;
}

export interface RollbackPlan {
  items: RollbackPlanItem[];
  pointOfNoReturnPassed: string[];
  /** Typed again to roll back past these steps, as they were to run them. */
  phrases: RollbackPhrase[];
  partial: string[]; // failed steps that partly ran: the operator decides
}

/**
 * Who signs: the Unix user the engine verified, and the display name (--operator) beside it.
 * Team mode: the database role of the signer's connection, which is who counts, and their host.
 */
export interface Signer {
  operator: string;
  user: string;
  role?: string;
  host?: string;
}

export interface RollbackOptions {
  to?: string;
  note?: string;
  pastWindow?: { reason: string };
  confirm?: Record<string, string>;
}

export interface EngineIntents {
  /** Runs one step. `confirmation` carries the typed phrase or the yes of a dialog. */
  runStep(step: string, confirmation?: { phrase?: string; note?: string }): Promise<void>;
  /**
   * Runs the rest of the phase until a manual step, a step with a typed phrase, a gate that needs
   * a sign-off, or a failure. Refused without a confirmation, or when `phaseRun` lists steps
   * needing one that `confirmation` does not cover.
   */
  runPhase(phase: string, confirmation?: PhaseConfirmation): Promise<void>;
  /** Signed by the engine's own operator and user unless a verified client `by` signs. */
  signStep(step: string, note: string, by?: Signer): Promise<void>;
  signGate(phase: string, note: string, by?: Signer): Promise<void>;
  skip(step: string, reason: string): Promise<void>;
  /**
   * Ends a soak before its time: a sign-off with a reason (two different users when the runbook's
   * gates take two; the engine says when another is needed).
   */
  endSoak(step: string, reason: string, by?: Signer): Promise<void>;
  /** For an interrupted step: mark it done with a note (journaled as a sign-off). */
  markDone(step: string, note: string): Promise<void>;
  /** A detached engine answers over its socket: a promise. */
  rollbackPlan(to?: string): RollbackPlan | Promise<RollbackPlan>;
  /**
   * Refused after the rollback window closed unless `pastWindow` gives a reason (journaled), and
   * unless `confirm` types the phrase of every step of the plan that needed one to run (by step).
   */
  rollback(options: RollbackOptions): Promise<void>;
  /** Cancels the running step (process group killed, transaction rolled back). */
  cancel(): void | Promise<void>;
  /**
   * Records run.paused and releases the locks; the front end exits afterwards. `afterStep`: the
   * running step finishes first.
   */
  pause(reason: string, options?: { afterStep?: boolean }): Promise<void>;
  backfillControl(step: string, control: { paused?: boolean; batchSize?: number }): void | Promise<void>;
}

export interface EngineHandle extends EngineIntents {
  store: StoreApi<EngineView>;
  /**
   * A page of the step's latest log file (its whole output), for the log view; none before
   * the step has run.
   */
  logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined>;
}
