import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineView, LiveState } from './engine-api.js';
import { OutputTail } from './output-tail.js';

const storeFlushMs = 100;

type Derived = Pick<EngineView, 'run' | 'next' | 'phaseRun'>;

// What front ends read: the engine's view in a zustand store, with the live-only facts (output
// tails, backfill controls, the step running now) that are never journaled. A running step's
// output and events reach the store about ten times a second; anything else at once.
export class EngineStore {
  readonly api: StoreApi<EngineView>;
  private readonly tails = new Map<string, OutputTail>();
  private readonly live: LiveState = { output: {}, backfill: {} };
  private flushTimer?: NodeJS.Timeout;

  constructor(
    fixed: Omit<EngineView, keyof Derived | 'live'>,
    private readonly derive: () => Derived,
  ) {
    this.api = createStore<EngineView>(() => ({ ...fixed, ...derive(), live: this.snapshot() }));
  }

  // The output tail of a step: `fresh` starts a new one (a new attempt).
  tail(step: string, fresh = false): OutputTail {
    let tail = fresh ? undefined : this.tails.get(step);
    if (!tail) {
      tail = new OutputTail();
      this.tails.set(step, tail);
    }
    return tail;
  }

  lines(step: string): string[] {
    return this.tails.get(step)?.snapshot().lines ?? [];
  }

  backfill(step: string): LiveState['backfill'][string] | undefined {
    return this.live.backfill[step];
  }

  setActive(active: LiveState['active']): void {
    this.live.active = active;
    this.flush();
  }

  // In the store at once, like any intent: a second `-` halves what the first one asked for.
  backfillControl(step: string, control: { paused?: boolean; batchSize?: number }): void {
    const current = this.live.backfill[step] ?? { paused: false };
    this.live.backfill = { ...this.live.backfill, [step]: { ...current, ...control } };
    this.flush();
  }

  // The screen shows PAUSED for a backfill the pause file holds, as it does for p.
  heldByPauseFile(step: string, held: boolean): void {
    const current = this.live.backfill[step] ?? { paused: false };
    if ((current.pausedByFile ?? false) === held) return;
    this.live.backfill = { ...this.live.backfill, [step]: { ...current, pausedByFile: held } };
    this.flush();
  }

  scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, storeFlushMs);
    this.flushTimer.unref();
  }

  flush(): void {
    this.api.setState({ ...this.derive(), live: this.snapshot() });
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
  }

  private snapshot(): LiveState {
    const output: LiveState['output'] = {};
    for (const [id, tail] of this.tails) output[id] = tail.snapshot();
    return { ...this.live, output };
  }
}
