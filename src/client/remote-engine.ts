import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineHandle, EngineView, PhaseConfirmation, RollbackOptions, RollbackPlan, LiveState } from '../engine/engine-api.js';
import type { LogPage, LogPosition } from '../engine/read-log-page.js';
import type { JournalEvent } from '../journal/events.js';
import { type RunState, reduce } from '../journal/reducer.js';
import type { EngineMessage, Intent, StaticView } from '../protocol/messages.js';
import type { RunClient } from './run-client.js';
import { type PacedUpdates, pacedUpdates } from './paced-updates.js';

type Live = Extract<EngineMessage, { type: 'live' }>;

// The engine of a run in another process, seen through its socket: the store is rebuilt here
// from the snapshot, the events and the live state the engine sends; every intent is a request
// the engine answers done or refused (a refusal rejects with the engine's sentence).
export class RemoteEngine implements EngineHandle {
  private constructor(
    readonly store: StoreApi<EngineView>,
    private readonly client: RunClient,
    private readonly updates: PacedUpdates<EngineView>,
  ) {}

  // `paceMs`: the screen's frame interval; what the engine sends reaches the store at most that
  // often (see paced-updates.ts). Without it, every message at once.
  static async open(
    client: RunClient,
    options: { readOnly?: boolean; paceMs?: number; display?: string } = {},
  ): Promise<RemoteEngine> {
    let view: StaticView | undefined;
    let run: RunState | undefined;
    let live: Live | undefined;
    let unattended: JournalEvent[] = [];
    // Events and live states that come after the replay go to the store once it exists.
    const built: { updates?: PacedUpdates<EngineView> } = {};
    let firstLive!: () => void;
    const liveCame = new Promise<void>((resolve) => (firstLive = resolve));
    await client.subscribe(
      {
        view: (v) => (view = v),
        snapshot: (s) => {
          run = s.run;
          unattended = s.unattended;
        },
        event: (event) => {
          run = reduce(run, event);
          built.updates?.push({ run });
        },
        live: (message) => {
          live = message;
          built.updates?.push({
            live: message.live,
            next: message.next,
            phaseRun: message.phaseRun,
            clients: message.clients,
          });
          firstLive();
        },
      },
      0,
      true,
    );
    await liveCame;
    if (!view || !run || !live) throw new Error('the engine sent no state');
    const store = createStore<EngineView>(() => ({
      ...view!,
      run: run!,
      live: live!.live,
      next: live!.next,
      phaseRun: live!.phaseRun,
      clients: live!.clients,
      user: client.user,
      identity: client.identity,
      display: options.display,
      readOnly: options.readOnly,
      unattended,
    }));
    built.updates = pacedUpdates<EngineView>((patch) => store.setState(patch), options.paceMs ?? 0);
    const remote = new RemoteEngine(store, client, built.updates);
    void client.ended.then(() => remote.engineEnded());
    return remote;
  }

  // Resolves when the engine has ended the connection (the run is finished or paused) or this
  // front end closed it.
  get ended(): Promise<void> {
    return this.client.ended;
  }

  private engineEnded(): void {
    this.updates.flush();
    const { run, live } = this.store.getState();
    if (run.status === 'succeeded' || run.status === 'rolled_back') return;
    const notice: LiveState['notice'] = {
      level: 'warn',
      text: 'the engine has ended: the run is paused or stopped; `stepwise resume` continues it',
    };
    this.store.setState({ live: { ...live, active: undefined, notice } });
  }

  // The engine's events come before its answer: the store has them when the answer is returned.
  private async ask(body: Intent): Promise<unknown> {
    const result = await this.client.request(body);
    this.updates.flush();
    return result;
  }

  async runStep(step: string, confirmation?: { phrase?: string; note?: string }): Promise<void> {
    await this.ask({ intent: 'runStep', step, confirmation });
  }

  async runPhase(phase: string, confirmation?: PhaseConfirmation): Promise<void> {
    await this.ask({ intent: 'runPhase', phase, confirmation });
  }

  // Who signs is the Unix user the engine verified for this connection.
  async signStep(step: string, note: string): Promise<void> {
    await this.ask({ intent: 'signStep', step, note });
  }

  async signGate(phase: string, note: string): Promise<void> {
    await this.ask({ intent: 'signGate', phase, note });
  }

  async skip(step: string, reason: string): Promise<void> {
    await this.ask({ intent: 'skip', step, reason });
  }

  async markDone(step: string, note: string): Promise<void> {
    await this.ask({ intent: 'markDone', step, note });
  }

  async endSoak(step: string, reason: string): Promise<void> {
    await this.ask({ intent: 'endSoak', step, reason });
  }

  rollbackPlan(to?: string): Promise<RollbackPlan> {
    return this.ask({ intent: 'rollbackPlan', to }) as Promise<RollbackPlan>;
  }

  async rollback(options: RollbackOptions): Promise<void> {
    await this.ask({ intent: 'rollback', ...options });
  }

  async cancel(): Promise<void> {
    await this.ask({ intent: 'cancel' });
  }

  async pause(reason: string, options: { afterStep?: boolean } = {}): Promise<void> {
    await this.ask({ intent: 'pause', reason, ...(options.afterStep ? { afterStep: true } : {}) });
  }

  async backfillControl(step: string, control: { paused?: boolean; batchSize?: number }): Promise<void> {
    await this.ask({ intent: 'backfillControl', step, control });
  }

  // Read by the engine and sent over the socket: the log view asks as it moves and as the step
  // prints more.
  logPage(step: string, position: LogPosition, count: number): Promise<LogPage | undefined> {
    return this.client.logPage(step, position, count);
  }

  close(): void {
    this.client.close();
  }
}
