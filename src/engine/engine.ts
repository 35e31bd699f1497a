import { readFileSync } from 'node:fs';
import type { StoreApi } from 'zustand/vanilla';
import { StepwiseError } from '../errors/stepwise-error.js';
import type { EventPayload, JournalEvent, LeftoverSession, StopCause } from '../journal/events.js';
import { describeEndedSession } from './describe-ended-session.js';
import { type RunState, reduce, signerKind, signerOf, soakSignoffs } from '../journal/reducer.js';
import { rollbackWindow } from '../journal/rollback-window.js';
import { formatDuration, formatUtc } from '../format/format-time.js';
import { processGroupPath } from '../journal/state-dir.js';
import { hostId } from '../journal/process-identity.js';
import { removeRunCheckpoints } from './backfill/remove-run-checkpoints.js';
import { buildRollbackPlan } from './build-rollback-plan.js';
import type {
  ConnectionView,
  EngineHandle,
  EngineView,
  NextAction,
  PhaseConfirmation,
  PhaseRun,
  RollbackOptions,
  RollbackPlan,
  Signer,
} from './engine-api.js';
import type { EngineSetup } from './engine-setup.js';
import { EngineStore } from './engine-store.js';
import { maskDeep } from './mask-deep.js';
import { killProcessGroup } from './kill-process-group.js';
import { liveIdentities } from './live-identities.js';
import { nextAction } from './next-action.js';
import { phaseRun } from './phase-run.js';
import { decidePins } from './pinned-targets.js';
import { whyNotReopen } from './why-not-reopen.js';
import { type LogPage, type LogPosition, readLogPage } from './read-log-page.js';
import { RunNotifications } from './notify/run-notifications.js';
import { runbookView } from './runbook-view.js';
import { StepExecution } from './step-execution.js';
import { type IndexedStep, indexSteps } from './step-index.js';
import { needsConfirm, writesToProduction } from './step-rules.js';
import { type Clock, systemClock } from './time/clock.js';

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

// The run driver: takes intents, decides with the rules (next action, phase run, rollback plan,
// pinned targets), appends events and derives state with the reducer; steps are executed by
// StepExecution, the view kept by EngineStore. UI-agnostic: front ends read `store` and call the
// intents.
export class Engine implements EngineHandle {
  readonly store: StoreApi<EngineView>;
  private state: RunState;
  private readonly index: Map<string, IndexedStep>;
  private readonly view: EngineStore;
  private readonly execution: StepExecution;
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
      if (this.execution.running) this.view.scheduleFlush();
      else this.view.flush();
    });
    this.view = new EngineStore(
      {
        ...runbookView(setup.loaded, setup.renderer, this.index),
        connections: this.connectionViews,
        drift: setup.drift ?? [],
        operator: setup.operator,
        user: setup.user,
        forecast: setup.forecast,
      },
      () => ({ run: this.state, next: this.next(), phaseRun: this.phaseRun() }),
    );
    this.store = this.view.api;
    this.execution = new StepExecution({
      setup,
      store: this.view,
      clock: this.clock,
      run: () => this.state,
      append: (payload) => this.append(payload),
    });
  }

  // Team mode: the database role this engine journals as; its own sign-offs and those of its
  // socket's clients count as this role.
  get teamRole(): string | undefined {
    return this.setup.role;
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

  // Every event of the run, read again from the journal (a client's replay).
  readJournal(): JournalEvent[] {
    return this.setup.journal.readAll();
  }

  entry(step: string): IndexedStep | undefined {
    return this.index.get(step);
  }

  async logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    const log = this.state.steps[step]?.log;
    return log ? readLogPage(log, position, count) : undefined;
  }

  tail(step: string): string[] {
    return this.view.lines(step);
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

  // The store as it is now, at once (an intent's effect is in it before the next key).
  flush(): void {
    this.view.flush();
  }

  // ---- intents -----------------------------------------------------------------------------

  private requireIdle(): void {
    const running = this.execution.running;
    if (running) throw new StepwiseError(`step ${running.step} is running; wait for it or cancel it`);
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
      await this.execution.track(step, () => this.execution.soak(entry, !options.soakOnce));
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
      this.append({ type: 'step.signed', step, ...this.self, note: confirmation.note ?? 'confirmed', purpose: 'confirm' });
    }
    await this.execution.track(step, () =>
      entry.kind === 'soak' ? this.execution.soak(entry, !options.soakOnce) : this.execution.execute(entry),
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
    if (s.soak.earlySignoffs.some((x) => signerOf(x) === signerOf(by))) {
      throw new StepwiseError(
        `ending ${step} early needs ${needed} different ${signerKind(by)} and ${signerOf(by)} has signed already ` +
          `(a different --operator name does not count): another user signs from their own session ` +
          `with \`stepwise resume ${this.state.runId} --end-soak ${step} --reason TEXT\``,
        'paused',
      );
    }
    const running = this.execution.running;
    if (running?.step === step) {
      this.cancel('the soak is being ended early', 'soak-ended');
      await running.done;
    } else this.requireIdle();
    this.append({ type: 'step.signed', step, ...by, note: reason, purpose: 'soak' });
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

  // The engine signing for itself (a confirmation, --yes): in team mode as its own database role
  // from this host.
  private get self(): Signer {
    const { operator, user, role } = this.setup;
    return role === undefined ? { operator, user } : { operator, user, role, host: hostId(this.setup.env) };
  }

  async signStep(step: string, note: string, by = this.self): Promise<void> {
    const { operator } = by;
    this.requireIdle();
    const entry = this.requireNextStep(step);
    if (entry.kind !== 'manual') throw new StepwiseError(`${step} is not a manual step; run it instead`);
    const s = this.state.steps[step];
    if (s.status !== 'running') {
      this.append({ type: 'step.started', step, attempt: s.attempts + 1, operator, log: '' });
    }
    this.append({ type: 'step.signed', step, ...by, note, purpose: 'manual' });
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
        const result = await this.execution.check(check, `${phase}.gate.${i + 1}`);
        if (!result.ok) failures.push(result.summary ?? result.error ?? 'check failed');
      }
      this.append({ type: 'gate.checked', phase, ok: failures.length === 0, details: { failures } });
      if (failures.length)
        throw new StepwiseError(`gate of ${phase}: ${failures.join('; ')}`, 'stepFailed');
    }
    const needed = p.gate?.signoff ?? 0;
    const signers = new Set(p.gateSignoffs.map(signerOf));
    if (needed > signers.size) {
      if (signers.has(signerOf(by))) {
        throw new StepwiseError(
          `the gate of ${phase} needs ${needed} different ${signerKind(by)} and ${signerOf(by)} has signed already ` +
            `(a different --operator name does not count): another user signs from their own session ` +
            `with \`stepwise approve ${this.state.runId}\``,
          'paused',
        );
      }
      this.append({ type: 'gate.signed', phase, ...by, note });
      signers.add(signerOf(by));
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
    this.append({ type: 'step.signed', step, ...this.self, note, purpose: 'interrupted' });
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
      if (s.status !== 'interrupted' || (this.setup.priorHost ?? this.state.started.host) !== hostId(this.setup.env)) continue;
      const pgid = s.processGroup ?? recordedProcessGroup(s.log);
      if (pgid === undefined) continue;
      if (await killProcessGroup(pgid)) say(`step ${id}: ended process group ${pgid} left running by the interrupted attempt`);
    }
    for (const id of this.state.order) {
      const s = this.state.steps[id];
      const entry = this.index.get(id);
      if (s.status !== 'interrupted' || !entry?.step.probe) continue;
      const result = await this.execution.check(entry.step.probe, `${id}.probe`);
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
      await this.execution.track(item.step, async () => {
        failed = !(await this.execution.rollbackStep(entry));
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
    this.execution.cancel(reason, stopped);
  }

  async pause(reason: string, options: { afterStep?: boolean } = {}): Promise<void> {
    this.stopping = true;
    const running = this.execution.running;
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
    this.view.backfillControl(step, control);
  }

  async close(): Promise<void> {
    await this.notifications?.close();
    this.view.close();
    this.setup.journal.close();
    await this.setup.anchor?.settle();
    await Promise.allSettled(Object.values(this.setup.connections).map((c) => c.close()));
  }
}
