import { setTimeout as sleep } from 'node:timers/promises';

// Polls `probe` until it gives a value: something a child process or the database will show
// (a row, an event). The test's own timeout bounds the wait.
export async function untilValue<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
}
