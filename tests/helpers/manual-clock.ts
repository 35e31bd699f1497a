import type { Clock } from '../../src/engine/time/clock.js';

// A clock the test moves: sleepers wake when advance() passes their time, never by themselves.
export class ManualClock implements Clock {
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  private waiting: Array<() => void> = [];

  constructor(private time = Date.parse('2026-12-08T01:13:00Z')) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = { at: this.time + ms, wake: resolve };
      this.sleepers.push(sleeper);
      const abort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      signal.addEventListener('abort', abort, { once: true });
      for (const notify of this.waiting.splice(0)) notify();
    });
  }

  // Resolves once `count` sleepers sleep on this clock: the engine has done its work for now.
  // (A run that watches its window keeps one sleeper of its own.)
  async sleeping(count = 1): Promise<void> {
    while (this.sleepers.length < count) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const s of due) s.wake();
  }
}
