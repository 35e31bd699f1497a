import type { EventPayload, JournalEvent } from '../../journal/events.js';
import type { RunState } from '../../journal/reducer.js';
import type { LoadedRunbook } from '../../runbook/loaded-runbook.js';
import type { Renderer } from '../../runbook/render.js';
import type { NextAction } from '../engine-api.js';
import type { Clock } from '../time/clock.js';
import { notificationFor } from './notification-for.js';
import { Notifier } from './notifier.js';

export interface RunNotificationsSetup {
  loaded: LoadedRunbook;
  renderer: Renderer;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  operator: string;
  state: RunState;
  append: (payload: EventPayload) => void;
}

// The runbook's `notify:` for one engine: journal events become notifications, and the window's
// 80 % and 100 % marks are watched on the engine's clock while it lives.
export class RunNotifications {
  private readonly notifier: Notifier;
  private readonly stop = new AbortController();
  private readonly window?: Promise<void>;

  constructor(
    setup: RunNotificationsSetup,
    private readonly current: () => RunState,
  ) {
    const { runbook } = setup.loaded;
    const rules = runbook.notify ?? [];
    this.notifier = new Notifier({
      rules,
      env: setup.env,
      cwd: setup.loaded.dir,
      run: { id: setup.state.runId, runbook: runbook.name, operator: setup.operator },
      mask: setup.renderer.mask,
      render: (template) => setup.renderer.text(template),
      append: setup.append,
    });
    const budget = setup.state.started.window?.budget_ms;
    const watched = rules.some((r) => r.on.includes('window.80') || r.on.includes('window.100'));
    if (budget !== undefined && watched) this.window = this.watchWindow(setup.clock, setup.state, budget);
  }

  observe(event: JournalEvent, state: RunState, next: NextAction): void {
    const n = notificationFor(event, state, next);
    if (n) this.notifier.send(n);
  }

  private async watchWindow(clock: Clock, state: RunState, budgetMs: number): Promise<void> {
    const startedAt = Date.parse(state.startedAt);
    for (const percent of [80, 100] as const) {
      const wait = startedAt + (budgetMs * percent) / 100 - clock.now();
      // A mark passed before this engine opened was the business of the one before.
      if (wait <= 0) continue;
      await clock.sleep(wait, this.stop.signal);
      if (this.stop.signal.aborted) return;
      const { status } = this.current();
      if (status === 'succeeded' || status === 'rolled_back') return;
      this.notifier.send({
        event: percent === 80 ? 'window.80' : 'window.100',
        text: `${percent} % of the maintenance window used (${Math.round(budgetMs / 60_000)} min)`,
      });
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.window;
    await this.notifier.settle();
  }
}
