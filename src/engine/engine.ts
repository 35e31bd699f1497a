import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { DbConnection } from '../db/connection.js';
import type { EventPayload, JournalEvent, LeftoverSession, StopCause } from '../journal/events.js';
import { describeEndedSession } from './describe-ended-session.js';
import type { FileJournal } from '../journal/file-journal.js';
import type { ForecastBasis } from '../journal/forecast/forecast-run.js';
import { type RunState, reduce, signerOf, soakSignoffs } from '../journal/reducer.js';
import { rollbackWindow } from '../journal/rollback-window.js';
import { formatDuration, formatUtc } from '../format/format-time.js';
import { logPath, processGroupPath, runDir } from '../journal/state-dir.js';
import type { LoadedRunbook } from '../runbook/loaded-runbook.js';
import { parseDuration } from '../runbook/parse-duration.js';
import type { Renderer } from '../runbook/render.js';
import type { CheckBody, Step } from '../runbook/schema.js';
import type { StepAction } from '../runbook/step-action.js';
import type { JournalAnchor } from './anchor-keeper.js';
import { removeRunCheckpoints } from './backfill/remove-run-checkpoints.js';
import { buildRollbackPlan } from './build-rollback-plan.js';
import type {
  ConnectionView,
  DriftItem,
  EngineHandle,
  EngineView,
  LiveState,
  NextAction,
  PhaseConfirmation,
  PhaseRun,
  RollbackOptions,
  RollbackPlan,
  Signer,
} from './engine-api.js';
import type { ExecContext, StepResult } from './executor.js';
import { evaluateCheck } from './evaluate-check.js';
import { executeAction } from './executors/execute-action.js';
import { maskDeep } from './mask-deep.js';
import { killProcessGroup } from './kill-process-group.js';
import { liveIdentities } from './live-identities.js';
import { nextAction } from './next-action.js';
import { OutputTail } from './output-tail.js';
import { phaseRun } from './phase-run.js';
import { decidePins } from './pinned-targets.js';
import { whyNotReopen } from './why-not-reopen.js';
import { type LogPage, type LogPosition, readLogPage } from './read-log-page.js';
import { RunNotifications } from './notify/run-notifications.js';
import { runbookView } from './runbook-view.js';
import { type IndexedStep, indexSteps } from './step-index.js';
import { needsConfirm, writesToProduction } from './step-rules.js';
import { type Clock, systemClock } from './time/clock.js';
import { longSleep, longTimeout } from './time/long-sleep.js';
import { runSoak } from './time/soak.js';

export interface EngineSetup {
  loaded: LoadedRunbook;
  stateDir: string;
  journal: FileJournal;
  state: RunState;
  connections: Record<string, DbConnection>;
  renderer: Renderer;
  operator: string;
  // The Unix user the engine runs as: the kernel's word for whoever started it in this process.
  user: string;
  drift?: DriftItem[];
  // Time for soaks (and what else waits on the calendar); the system clock unless a test moves it.
  clock?: Clock;
  forecast?: ForecastBasis;
  // Where `notify:` finds its webhook URLs and passes its commands' environment.
  env?: NodeJS.ProcessEnv;
  // Every soak lasts this long instead of its `for` (the demo: seconds, not a day).
  soakFor?: string;
  // A rehearsal notifies nobody.
  rehearsal?: boolean;
  // Keeps the journal's head in the run's databases (engine/anchor-keeper.ts).
  anchor?: JournalAnchor;
}

const storeFlushMs = 100;
const progressEveryMs = 250;

// The process group an interrupted command wrote beside its log: the fallback when stepwise was
// killed between the command's start and its step.process_started.
function recordedProcessGroup(log: string | undefined): number | undefined {
  if (!log) return undefined;
  try {
    const pgid = Number(readFileSync(processGroupPath(log), 'utf8'));
    return Number.isInteger(pgid) && pgid > 0 ? pgid : undefined;
  } catch {
    return undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A step-level `rows` guard belongs to the forward sql body only.
function withRowsGuard(step: Step, action: StepAction): StepAction {
  if (action.kind !== 'sql' || !step.rows) return action;
  const sql = action.body;
  const { rows } = step;
  return { kind: 'sql', body: typeof sql === 'string' ? { text: sql, rows } : { ...sql, rows: sql.rows ?? rows } };
}

// The run driver: appends events, derives state with the reducer, executes steps.
// UI-agnostic: front ends read `store` and call the intents.
export class Engine implements EngineHandle {
  readonly store: StoreApi<EngineView>;
  private state: RunState;
  private readonly index: Map<string, IndexedStep>;
  private readonly tails = new Map<string, OutputTail>();
  private readonly live: LiveState = { output: {}, backfill: {} };
  private active?: { step: string; controller: AbortController; done: Promise<void>; stopped?: StopCause };
  private flushTimer?: NodeJS.Timeout;
  private readonly lastProgress = new Map<string, number>();
  private readonly connectionViews: ConnectionView[];
  // Set by pause(): a phase being run stops before its next step.
  private stopping = false;
  private readonly notifications?: RunNotifications;

  constructor(private readonly setup: EngineSetup) {
    this.state = setup.state;
    this.index = indexSteps(setup.loaded.runbook);
    this.connectionViews = Object.entries(setup.connections).map(([name, c]) => ({
      name,
      target: c.target,
      production: this.isProduction(name),
      embedded: c.driver === 'pglite',
    }));
    // A running step's events (progress, batches, its end) reach the store about ten times a
    // second. Any other event comes from an intent or a decision between steps: it is in the
    // store at once, so the next key acts on what the last one did.
    if (setup.loaded.runbook.notify?.length && !setup.rehearsal) {
      const append = (payload: EventPayload) => this.append(payload);
      const env = setup.env ?? process.env;
      this.notifications = new RunNotifications({ ...setup, env, clock: this.clock, append }, () => this.state);
    }
    setup.journal.onAppend((event) => {
      this.state = reduce(this.state, event);
      this.notifications?.observe(event, this.state, this.next());
      if (this.active) this.scheduleFlush();
      else this.flush();
    });
    const fixed = runbookView(setup.loaded, setup.renderer, this.index);
    this.store = createStore<EngineView>(() => ({
      ...fixed,
      run: this.state,
      live: this.liveSnapshot(),
      connections: this.connectionViews,
      drift: setup.drift ?? [],
      next: this.next(),
      phaseRun: this.phaseRun(),
      operator: setup.operator,
      user: setup.user,
      forecast: setup.forecast,
    }));
  }

  get clock(): Clock {
    return this.setup.clock ?? systemClock;
  }

  get run(): RunState {
    return this.state;
  }

  get lastSeq(): number {
    return this.setup.journal.lastSeq;
  }

  get journalPath(): string {
    return this.setup.journal.path;
  }

  entry(step: string): IndexedStep | undefined {
    return this.index.get(step);
  }

  async logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    const log = this.state.steps[step]?.log;
    return log ? readLogPage(log, position, count) : undefined;
  }

  tail(step: string): string[] {
    return this.tails.get(step)?.snapshot().lines ?? [];
  }

  // Production applies to real servers only: an embedded rehearsal of a production runbook is not.
  private isProduction(conn: string): boolean {
    const def = this.setup.loaded.runbook.connections?.[conn];
    return def?.production === true && this.setup.connections[conn]?.driver === 'postgres';
  }

  private needsConfirm = (entry: IndexedStep): boolean =>
    needsConfirm(entry, Object.keys(this.setup.connections), (c) => this.isProduction(c));

  // A typed phrase for such a step is a person's: --yes never types it (headless: --confirm).
  writesToProduction(step: string): boolean {
    const entry = this.index.get(step);
    return entry !== undefined && writesToProduction(entry, Object.keys(this.setup.connections), (c) => this.isProduction(c));
  }

  next(): NextAction {
    return nextAction(this.state, this.index, this.needsConfirm);
  }

  phaseRun(): PhaseRun | undefined {
    return phaseRun(this.state, this.index, this.needsConfirm, this.next());
  }

  append(payload: EventPayload): void {
    this.setup.journal.append(maskDeep(payload, this.setup.renderer.mask));
  }

  // Every journaled event, in order: the engine server sends them to its clients, a rehearsal prints them.
  onEvent(listener: (event: JournalEvent) => void): () => void {
    return this.setup.journal.onAppend(listener);
  }

  // ---- store -------------------------------------------------------------------------------

  private liveSnapshot(): LiveState {
    const output: LiveState['output'] = {};
    for (const [id, tail] of this.tails) output[id] = tail.snapshot();
    return { ...this.live, output };
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, storeFlushMs);
    this.flushTimer.unref();
  }

  flush(): void {
    this.store.setState({ run: this.state, live: this.liveSnapshot(), next: this.next(), phaseRun: this.phaseRun() });
  }

  // ---- intents -----------------------------------------------------------------------------

  private requireIdle(): void {
    if (this.active) throw new StepwiseError(`step ${this.active.step} is running; wait for it or cancel it`);
  }

  private requireNextStep(step: string): IndexedStep {
    const next = this.next();
    if (next.kind !== 'step' || next.step !== step) {
      const what =
        next.kind === 'step'
          ? `the next step is ${next.step}`
          : next.kind === 'gate'
            ? `phase ${next.phase} waits for its gate`
            : 'the run has nothing left to do';
      throw new StepwiseError(`${step} is not the next step: ${what}`);
    }
    const entry = this.index.get(step);
    if (!entry) throw new StepwiseError(`step ${step} is no longer in the runbook`);
    return entry;
  }

  // The last step or gate done ends the run: journaled whichever front end did it.
  finishIfDone(): void {
    const { status, rollback } = this.state;
    if (this.next().kind !== 'done' || (rollback && !rollback.finished)) return;
    if (status === 'succeeded' || status === 'rolled_back') return;
    this.append({ type: 'run.finished', outcome: 'succeeded' });
  }

  // A soak runs its checks every `every` until it ends; with `soakOnce` (a headless client, which
  // does not stay) it runs them once and leaves the step soaking.
  async runStep(
    step: string,
    confirmation?: { phrase?: string; note?: string },
    options: { soakOnce?: boolean } = {},
  ): Promise<void> {
    this.requireIdle();
    const entry = this.requireNextStep(step);
    if (entry.kind === 'manual')
      throw new StepwiseError(`${step} is a manual step: sign it off when it is done`);
    if (this.state.steps[step].status === 'soaking') {
      await this.track(step, () => this.soak(entry, !options.soakOnce));
      this.finishIfDone();
      return;
    }
    const { confirm } = entry.step;
    if (typeof confirm === 'string' && confirmation?.phrase !== confirm) {
      throw new StepwiseError(`${step} needs the phrase "${confirm}" typed exactly`);
    }
    const confirming = this.needsConfirm(entry);
    if (confirming && !confirmation) throw new StepwiseError(`${step} needs a confirmation before it runs`);
    await this.requirePinnedTargets();
    if (confirming && confirmation) {
      this.append({
        type: 'step.signed',
        step,
        operator: this.setup.operator,
        user: this.setup.user,
        note: confirmation.note ?? 'confirmed',
        purpose: 'confirm',
      });
    }
    await this.track(step, () =>
      entry.kind === 'soak' ? this.soak(entry, !options.soakOnce) : this.execute(entry),
    );
    this.finishIfDone();
  }

  // Ending a soak early is a sign-off with a reason, by two different Unix users when the
  // runbook's gates take two. A soak this engine is running stops first.
  async endSoak(step: string, reason: string, by = this.self): Promise<void> {
    const s = this.state.steps[step];
    if (s?.status !== 'soaking' || !s.soak) throw new StepwiseError(`${step} is not soaking`);
    if (!reason.trim()) throw new StepwiseError('ending a soak early needs a reason');
    const needed = soakSignoffs(this.state);
    if (s.soak.earlySignoffs.some((x) => signerOf(x) === by.user)) {
      throw new StepwiseError(
        `ending ${step} early needs ${needed} different Unix users and ${by.user} has signed already ` +
          `(a different --operator name does not count): another user signs from their own session ` +
          `with \`stepwise resume ${this.state.runId} --end-soak ${step} --reason TEXT\``,
        'paused',
      );
    }
    const running = this.active;
    if (running?.step === step) {
      this.cancel('the soak is being ended early', 'soak-ended');
      await running.done;
    } else this.requireIdle();
    this.append({ type: 'step.signed', step, operator: by.operator, user: by.user, note: reason, purpose: 'soak' });
    this.finishIfDone();
  }

  // Several steps on one key: the phase is confirmed once, and that confirmation covers the steps
  // it was shown for; a step needing one that it does not cover (the run changed meanwhile) stops
  // the phase there.
  async runPhase(phase: string, confirmation?: PhaseConfirmation): Promise<void> {
    this.requireIdle();
    const plan = this.phaseRun();
    if (plan?.phase !== phase) {
      throw new StepwiseError(`phase ${phase} has nothing to run now: ${this.describeNext()}`);
    }
    if ('refused' in plan) throw new StepwiseError(plan.refused);
    if (!confirmation) throw new StepwiseError(`running the rest of phase ${phase} needs its confirmation first`);
    const unconfirmed = plan.confirm.filter((step) => !confirmation.steps.includes(step));
    if (unconfirmed.length > 0) {
      throw new StepwiseError(
        `the confirmation of phase ${phase} does not cover ${unconfirmed.join(', ')}: ask again, the run has moved on`,
      );
    }
    const note = confirmation.note ?? `confirmed with the rest of phase ${phase}`;
    this.stopping = false;
    for (;;) {
      if (this.stopping) return;
      const next = this.next();
      if (next.kind === 'gate' && next.phase === phase && next.signoffsNeeded === 0) {
        await this.signGate(phase, '');
        continue;
      }
      if (next.kind !== 'step' || this.state.steps[next.step].phase !== phase) return;
      const confirmed = next.needs === 'confirm' && confirmation.steps.includes(next.step);
      if (next.needs && !confirmed) return;
      await this.runStep(next.step, confirmed ? { note } : undefined);
      if (this.state.steps[next.step].status !== 'succeeded') return;
    }
  }

  private describeNext(): string {
    const next = this.next();
    if (next.kind === 'step') return `the next step is ${next.step}`;
    if (next.kind === 'gate') return `phase ${next.phase} waits for its gate`;
    return 'the run has nothing left to do';
  }

  private get self(): Signer {
    return { operator: this.setup.operator, user: this.setup.user };
  }

  async signStep(step: string, note: string, by = this.self): Promise<void> {
    const { operator, user } = by;
    this.requireIdle();
    const entry = this.requireNextStep(step);
    if (entry.kind !== 'manual') throw new StepwiseError(`${step} is not a manual step; run it instead`);
    const s = this.state.steps[step];
    if (s.status !== 'running') {
      this.append({ type: 'step.started', step, attempt: s.attempts + 1, operator, log: '' });
    }
    this.append({ type: 'step.signed', step, operator, user, note, purpose: 'manual' });
    this.finishIfDone();
  }

  async signGate(phase: string, note: string, by = this.self): Promise<void> {
    this.requireIdle();
    const next = this.next();
    if (next.kind !== 'gate' || next.phase !== phase) {
      throw new StepwiseError(`the gate of ${phase} is not open: finish its steps first`);
    }
    const p = this.state.phases.find((x) => x.id === phase)!;
    const gate = this.setup.loaded.runbook.phases.find((x) => x.id === phase)?.gate;
    if (!p.gateCheck?.ok && gate?.checks?.length) {
      await this.requirePinnedTargets();
      const failures: string[] = [];
      for (const [i, check] of gate.checks.entries()) {
        const result = await this.check(check, `${phase}.gate.${i + 1}`);
        if (!result.ok) failures.push(result.summary ?? result.error ?? 'check failed');
      }
      this.append({ type: 'gate.checked', phase, ok: failures.length === 0, details: { failures } });
      if (failures.length)
        throw new StepwiseError(`gate of ${phase}: ${failures.join('; ')}`, 'stepFailed');
    }
    const needed = p.gate?.signoff ?? 0;
    const signers = new Set(p.gateSignoffs.map(signerOf));
    if (needed > signers.size) {
      if (signers.has(by.user)) {
        throw new StepwiseError(
          `the gate of ${phase} needs ${needed} different Unix users and ${by.user} has signed already ` +
            `(a different --operator name does not count): another user signs from their own session ` +
            `with \`stepwise approve ${this.state.runId}\``,
          'paused',
        );
      }
      this.append({ type: 'gate.signed', phase, operator: by.operator, user: by.user, note });
      signers.add(by.user);
    }
    if (signers.size >= needed) this.append({ type: 'gate.passed', phase });
    this.finishIfDone();
  }

  async skip(step: string, reason: string): Promise<void> {
    this.requireIdle();
    this.requireNextStep(step);
    if (!reason.trim()) throw new StepwiseError('a skip needs a reason');
    this.append({ type: 'step.skipped', step, reason, operator: this.setup.operator });
    this.finishIfDone();
  }

  async markDone(step: string, note: string): Promise<void> {
    this.requireIdle();
    const s = this.state.steps[step];
    if (!s || (s.status !== 'interrupted' && s.status !== 'failed')) {
      throw new StepwiseError(
        `${step} is ${s?.status ?? 'unknown'}; only an interrupted or failed step can be marked done`,
      );
    }
    this.append({
      type: 'step.signed',
      step,
      operator: this.setup.operator,
      user: this.setup.user,
      note,
      purpose: 'interrupted',
    });
    this.finishIfDone();
  }

  // Settles interrupted steps. What is left of a killed stepwise's step (its process group, on
  // this host) is ended first, so nothing runs twice at once; then a probe tells whether the step
  // took effect.
  // What the dead attempt left on the servers and this process ended before anything else ran.
  recordLeftoverSessions(leftovers: Record<string, LeftoverSession[]>, say: (text: string) => void = () => {}): void {
    for (const [conn, sessions] of Object.entries(leftovers)) {
      this.append({ type: 'sessions.ended', conn, sessions });
      for (const s of sessions) say(describeEndedSession(conn, s));
    }
  }

  async settleInterrupted(say: (text: string) => void = () => {}): Promise<void> {
    for (const id of this.state.order) {
      const s = this.state.steps[id];
      if (s.status !== 'interrupted' || this.state.started.host !== hostname()) continue;
      const pgid = s.processGroup ?? recordedProcessGroup(s.log);
      if (pgid === undefined) continue;
      if (await killProcessGroup(pgid)) say(`step ${id}: ended process group ${pgid} left running by the interrupted attempt`);
    }
    for (const id of this.state.order) {
      const s = this.state.steps[id];
      const entry = this.index.get(id);
      if (s.status !== 'interrupted' || !entry?.step.probe) continue;
      const result = await this.check(entry.step.probe, `${id}.probe`);
      this.append({ type: 'step.probed', step: id, applied: result.ok, details: result.details });
      if (result.ok) {
        this.append({
          type: 'step.signed',
          step: id,
          operator: this.setup.operator,
          note: 'probe: the step had already taken effect',
          purpose: 'interrupted',
        });
      }
    }
  }

  // A server's connections can be re-established to another host (DNS, a pooler) while the run is
  // open: each step checks its servers are still the run's targets before it starts, and so does
  // an operator attaching. An embedded database is this process's own and cannot move.
  async requirePinnedTargets(): Promise<void> {
    const servers = Object.fromEntries(
      Object.entries(this.setup.connections).filter(([, c]) => c.driver === 'postgres'),
    );
    if (Object.keys(servers).length === 0) return;
    const { refused } = decidePins(this.state, await liveIdentities(servers));
    if (refused) throw new StepwiseError(refused, 'usage');
  }

  rollbackPlan(to?: string): RollbackPlan {
    return buildRollbackPlan(this.state, this.index, this.setup.loaded, this.setup.renderer, to);
  }

  // After the runbook's rollback window closed, a rollback needs a reason (--past-window).
  pastRollbackWindow(pastWindow?: { reason: string }): { closed_at: string; reason: string } | undefined {
    const window = rollbackWindow(this.state);
    if (!window || this.clock.now() <= window.closesAt) return undefined;
    const closedAt = formatUtc(window.closesAt);
    if (!pastWindow?.reason.trim()) {
      const from = 'step' in window.from ? `the point of no return (${window.from.step})` : 'the end of the run';
      throw new StepwiseError(
        `the rollback window closed at ${closedAt} (${formatDuration(this.state.started.window!.rollback_within_ms!)} after ${from}); ` +
          'rolling back now may lose what was written since: to do it anyway, give --past-window --reason TEXT',
      );
    }
    return { closed_at: new Date(window.closesAt).toISOString(), reason: pastWindow.reason };
  }

  async rollback(options: RollbackOptions): Promise<void> {
    this.requireIdle();
    const refused = whyNotReopen(this.state, 'rollback');
    if (refused) throw new StepwiseError(refused);
    const pastWindow = this.pastRollbackWindow(options.pastWindow);
    const plan = this.rollbackPlan(options.to);
    const untyped = plan.phrases.filter(({ step, phrase }) => options.confirm?.[step] !== phrase);
    if (untyped.length > 0) {
      throw new StepwiseError(
        untyped
          .map(
            ({ step, phrase }) =>
              `rolling back passes back over ${step}, which needed its phrase typed to run: type "${phrase}" ` +
              `(headless: --confirm ${step}="${phrase}")`,
          )
          .join('; '),
        'paused',
      );
    }
    const operator = this.setup.operator;
    this.append({
      type: 'rollback.started',
      operator,
      plan: plan.items.map((i) => i.step),
      to: options.to,
      ...(pastWindow ? { past_window: pastWindow } : {}),
    });
    for (const item of plan.items) {
      if (item.action === 'pass-over') continue;
      if (item.action === 'signoff') {
        this.append({
          type: 'step.rolled_back',
          step: item.step,
          operator,
          duration_ms: 0,
          how: 'signed',
          note: options.note ?? 'signed off',
        });
        continue;
      }
      const entry = this.index.get(item.step)!;
      await this.requirePinnedTargets();
      let failed = false;
      await this.track(item.step, async () => {
        failed = !(await this.executeRollback(entry));
      });
      if (failed) return;
    }
    if (options.to !== undefined) {
      this.append({ type: 'rollback.finished', complete: true });
      return;
    }
    // The run's anchors go with its checkpoints: nothing of a rolled-back run stays in the database.
    await this.setup.anchor?.forget();
    const cleanup: string[] = [];
    for (const conn of Object.values(this.setup.connections)) {
      const line = await removeRunCheckpoints(conn, this.state.runId);
      if (line) cleanup.push(line);
    }
    this.append({ type: 'rollback.finished', complete: true, ...(cleanup.length > 0 ? { cleanup } : {}) });
    this.append({ type: 'run.finished', outcome: 'rolled_back' });
  }

  cancel(reason = 'cancelled by the operator', stopped: StopCause = 'cancel'): void {
    if (!this.active || this.active.controller.signal.aborted) return;
    this.active.stopped = stopped;
    this.active.controller.abort(new StepwiseError(reason, 'interrupted'));
  }

  async pause(reason: string, options: { afterStep?: boolean } = {}): Promise<void> {
    this.stopping = true;
    const running = this.active;
    if (running) {
      if (!options.afterStep) this.cancel(`interrupted: ${reason}`, 'pause');
      await running.done;
    }
    if (this.state.status !== 'paused') {
      this.append({ type: 'run.paused', reason, step: running?.step, operator: this.setup.operator });
    }
    this.flush();
  }

  // In the store at once, like any intent: a second `-` halves what the first one asked for.
  backfillControl(step: string, control: { paused?: boolean; batchSize?: number }): void {
    const current = this.live.backfill[step] ?? { paused: false };
    this.live.backfill = { ...this.live.backfill, [step]: { ...current, ...control } };
    this.flush();
  }

  // The screen shows PAUSED for a backfill the pause file holds, as it does for p.
  private heldByPauseFile(step: string, held: boolean): void {
    const current = this.live.backfill[step] ?? { paused: false };
    if ((current.pausedByFile ?? false) === held) return;
    this.live.backfill = { ...this.live.backfill, [step]: { ...current, pausedByFile: held } };
    this.flush();
  }

  async close(): Promise<void> {
    await this.notifications?.close();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    this.setup.journal.close();
    await this.setup.anchor?.settle();
    await Promise.allSettled(Object.values(this.setup.connections).map((c) => c.close()));
  }

  // ---- execution ---------------------------------------------------------------------------

  private async track(step: string, work: () => Promise<void>): Promise<void> {
    // Active before the work starts: its first synchronous part already reads the signal.
    const controller = new AbortController();
    let finished!: () => void;
    this.active = { step, controller, done: new Promise<void>((resolve) => (finished = resolve)) };
    const done = work();
    void done.then(finished, finished);
    this.live.active = { step, rollback: this.state.status === 'rolling_back', since: Date.now() };
    this.flush();
    try {
      await done;
    } finally {
      this.active = undefined;
      this.live.active = undefined;
      this.flush();
    }
  }

  private get signal(): AbortSignal {
    return this.active?.controller.signal ?? new AbortController().signal;
  }

  private async execute(entry: IndexedStep): Promise<void> {
    const { step } = entry;
    const attempts = step.retries?.attempts ?? 1;
    const backoffMs = step.retries?.backoff ? parseDuration(step.retries.backoff) : 1000;
    for (let tried = 1; ; tried++) {
      const retryInMs = tried < attempts ? backoffMs * 2 ** (tried - 1) : undefined;
      const result = await this.attempt(entry, entry.action, false, retryInMs);
      if (result.ok || this.signal.aborted || retryInMs === undefined) return;
      await longSleep(retryInMs, this.signal);
      if (this.signal.aborted) return;
    }
  }

  private async soak(entry: IndexedStep, hold: boolean): Promise<void> {
    const id = entry.step.id;
    const signal = this.signal;
    let file: WriteStream | undefined;
    const tail = this.tails.get(id) ?? new OutputTail();
    this.tails.set(id, tail);
    const open = () => {
      const log = this.state.steps[id].log;
      if (log && !file) file = createWriteStream(log, { flags: 'a' });
      return this.context(entry, this.state.steps[id].attempts, file, tail, signal);
    };
    let ctx = this.state.steps[id].status === 'soaking' ? open() : undefined;
    try {
      const body = entry.step.soak!;
      await runSoak(
        id,
        this.setup.soakFor ? { ...body, for: this.setup.soakFor } : body,
        {
          clock: this.clock,
          step: () => this.state.steps[id],
          append: (payload) => this.append(payload),
          start: () => {
            const attempt = this.state.steps[id].attempts + 1;
            const log = logPath(this.setup.stateDir, this.state.runId, id, attempt, false);
            mkdirSync(dirname(log), { recursive: true });
            this.append({ type: 'step.started', step: id, attempt, operator: this.setup.operator, log });
            ctx = open();
          },
          evaluate: (check, i) => this.check(check, `${id}.soak.${i + 1}`, ctx),
          output: (line) => ctx?.output(`${line}\n`),
          signal,
        },
        hold,
      );
    } finally {
      if (file) await new Promise<void>((resolve) => file!.end(resolve));
    }
  }

  private async executeRollback(entry: IndexedStep): Promise<boolean> {
    const result = await this.attempt(entry, entry.undo!, true);
    return result.ok;
  }

  // One attempt of a step body (or its rollback body), journaled from start to end.
  private async attempt(
    entry: IndexedStep,
    action: StepAction,
    rollback: boolean,
    retryInMs?: number,
  ): Promise<StepResult> {
    const id = entry.step.id;
    const attempt = this.state.steps[id].attempts + 1;
    const log = logPath(this.setup.stateDir, this.state.runId, id, attempt, rollback);
    mkdirSync(dirname(log), { recursive: true });
    // Appended to: the process worker writes a command's output to the same file.
    const file = createWriteStream(log, { flags: 'a' });
    const tail = new OutputTail();
    this.tails.set(id, tail);
    const started = this.clock.now();
    this.append({ type: 'step.started', step: id, attempt, operator: this.setup.operator, log, rollback });
    const running = this.active;
    const signal = this.signal;
    const timeoutMs = entry.step.timeout ? parseDuration(entry.step.timeout) : undefined;
    const cancelTimer = timeoutMs
      ? longTimeout(
          () =>
            this.active?.controller.abort(
              new StepwiseError(`timed out after ${entry.step.timeout}`, 'stepFailed'),
            ),
          timeoutMs,
        )
      : undefined;
    const ctx = this.context(entry, attempt, file, tail, signal);
    let result: StepResult;
    try {
      result = await executeAction(rollback ? action : withRowsGuard(entry.step, action), ctx);
      if (result.ok && !rollback && entry.step.verify && !signal.aborted) {
        const verify = await this.check(entry.step.verify, `${id}.verify`, ctx);
        if (!verify.ok) {
          result = {
            ...verify,
            ok: false,
            error: `verify failed: ${verify.summary ?? verify.error ?? ''}`.trim(),
          };
        }
      }
    } catch (error) {
      result = { ok: false, error: this.located(id, error) };
    } finally {
      cancelTimer?.();
    }
    if (!result.ok && signal.aborted) result = { ...result, error: message(signal.reason) };
    await new Promise<void>((resolve) => file.end(resolve));
    const duration_ms = Math.round(this.clock.now() - started);
    if (rollback) {
      if (result.ok) {
        this.append({
          type: 'step.rolled_back',
          step: id,
          operator: this.setup.operator,
          duration_ms,
          how: 'reversed',
        });
      } else {
        this.append({ type: 'step.rollback_failed', step: id, error: result.error ?? 'failed', duration_ms });
      }
      return result;
    }
    if (result.ok) {
      this.append({
        type: 'step.succeeded',
        step: id,
        attempt,
        duration_ms,
        rows: result.rows,
        summary: result.summary,
        details: result.details,
      });
    } else {
      this.append({
        type: 'step.failed',
        step: id,
        attempt,
        duration_ms,
        error: result.error ?? 'failed',
        details: result.details,
        retry_in_ms: signal.aborted ? undefined : retryInMs,
        stopped: signal.aborted ? running?.stopped : undefined,
      });
    }
    return result;
  }

  // A step refused for what it asks (a backfill key without an index, a missing table, a failing
  // query) names its runbook line, like a lint error.
  private located(step: string, error: unknown): string {
    const at = this.setup.loaded.positions[step];
    if (!(error instanceof StepwiseError) || !at) return message(error);
    return `${relative(process.cwd(), this.setup.loaded.path)}:${at.line}:${at.col}: ${error.message}`;
  }

  private async check(body: CheckBody, label: string, base?: ExecContext): Promise<StepResult> {
    const ctx = base ?? this.context(undefined, 1, undefined, new OutputTail(), this.signal, label);
    try {
      return await evaluateCheck(body, ctx);
    } catch (error) {
      return { ok: false, error: this.setup.renderer.mask(message(error)) };
    }
  }

  private context(
    entry: IndexedStep | undefined,
    attempt: number,
    file: WriteStream | undefined,
    tail: OutputTail,
    signal: AbortSignal,
    label?: string,
  ): ExecContext {
    const id = entry?.step.id ?? label ?? 'check';
    const state = entry ? this.state.steps[entry.step.id] : undefined;
    const pauseFile = join(runDir(this.setup.stateDir, this.state.runId), 'pause');
    const names = Object.keys(this.setup.connections);
    return {
      runId: this.state.runId,
      operator: this.setup.operator,
      step: entry?.step ?? ({ id } as Step),
      attempt,
      runbookDir: this.setup.loaded.dir,
      loaded: this.setup.loaded,
      connection: (name) => {
        const key = name ?? (names.length === 1 ? names[0] : undefined);
        const conn = key === undefined ? undefined : this.setup.connections[key];
        if (!conn) {
          throw new StepwiseError(
            name ? `unknown connection "${name}"` : `step ${id} must name its connection (conn:)`,
          );
        }
        return conn;
      },
      render: this.setup.renderer,
      clock: this.clock,
      output: (chunk) => {
        file?.write(chunk);
        tail.push(chunk);
        this.scheduleFlush();
      },
      processOutput: {
        log: file?.path.toString(),
        processGroupFile: entry && file ? processGroupPath(file.path.toString()) : undefined,
        tail: (snapshot) => {
          tail.adopt(snapshot);
          this.scheduleFlush();
        },
      },
      progress: (text, data) => {
        if (!entry) return;
        const now = Date.now();
        if (now - (this.lastProgress.get(id) ?? 0) < progressEveryMs) return;
        this.lastProgress.set(id, now);
        this.append({ type: 'step.progress', step: id, message: text, data });
      },
      processStarted: (pgid) => {
        if (entry) this.append({ type: 'step.process_started', step: id, attempt, pgid });
      },
      commitBatch: (batch) => this.append({ type: 'batch.committed', step: id, ...batch }),
      throttleChanged: (change) => {
        if (entry) this.append({ type: 'step.throttled', step: id, ...change });
      },
      committed: state
        ? {
            count: state.batches.count,
            rows: state.batches.rows,
            skipped: state.batches.skipped,
            lastHi: state.batches.lastHi,
          }
        : { count: 0, rows: 0, skipped: 0 },
      controls: {
        paused: () => this.live.backfill[id]?.paused === true || existsSync(pauseFile),
        batchSize: () => this.live.backfill[id]?.batchSize,
        waitWhilePaused: async (s) => {
          for (;;) {
            const byFile = existsSync(pauseFile);
            this.heldByPauseFile(id, byFile && !s.aborted);
            if (s.aborted || (!byFile && this.live.backfill[id]?.paused !== true)) return;
            await sleep(250, undefined, { signal: s }).catch(() => undefined);
          }
        },
      },
      signal,
    };
  }
}
