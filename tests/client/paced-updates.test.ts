import { describe, expect, it } from 'vitest';
import { pacedUpdates } from '../../src/client/paced-updates.js';
import { ManualClock } from '../helpers/manual-clock.js';

const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('pacedUpdates', () => {
  it('gives the screen the first update at once and a burst after it as one update a frame later', async () => {
    const clock = new ManualClock();
    const applied: Record<string, number>[] = [];
    const updates = pacedUpdates<Record<string, number>>((patch) => applied.push(patch as Record<string, number>), 67, clock);

    updates.push({ seq: 1 });
    await settled();
    expect(applied).toEqual([{ seq: 1 }]);

    // A phase of quick steps: events and live states within one frame.
    updates.push({ seq: 2 });
    updates.push({ seq: 3, live: 1 });
    await clock.sleeping();
    expect(applied).toHaveLength(1);
    clock.advance(67);
    await settled();
    expect(applied).toEqual([{ seq: 1 }, { seq: 3, live: 1 }]);
  });

  it('hands over what it holds at once when asked (an intent answered: its events are in)', async () => {
    const clock = new ManualClock();
    const applied: Record<string, number>[] = [];
    const updates = pacedUpdates<Record<string, number>>((patch) => applied.push(patch as Record<string, number>), 67, clock);
    updates.push({ seq: 1 });
    await settled();
    updates.push({ seq: 2 });
    updates.flush();
    expect(applied).toEqual([{ seq: 1 }, { seq: 2 }]);
    // Nothing is left for the frame that was due.
    clock.advance(67);
    await settled();
    expect(applied).toHaveLength(2);
  });
});
