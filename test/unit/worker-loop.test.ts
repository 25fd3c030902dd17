/** The worker loop against fakes: concurrency limit, stop, fetch errors, items fetched after stop. */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/worker/backoff.js';
import { WorkLoop } from '../../src/worker/loop.js';
import { waitFor } from '../helpers/wait.js';

describe('WorkLoop', () => {
  it('never runs more than `concurrency` items at once and drains on stop', async () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    // Each handler runs until the test lets it finish: the test decides when a slot frees up.
    const finish: Array<() => void> = [];
    const loop = new WorkLoop<number>({
      concurrency: 3,
      // An empty queue answers null after its poll timeout, as a blocking fetch does (BLMOVE): a 5 ms
      // timeout in this fake keeps the loop from spinning; nothing waits on it.
      fetch: async () => items.shift() ?? (await new Promise<null>((r) => setTimeout(() => r(null), 5))),
      handle: async (n) => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => finish.push(r));
        running--;
        done.push(n);
      },
      onFetchError: async () => undefined,
      onHandleError: () => undefined,
      returnItem: async () => undefined,
    });
    loop.start();
    for (let finished = 0; finished < 7; finished++) {
      // Every slot that can be busy is busy (3, then the last 2 and 1) before one is let go.
      const busy = Math.min(3, 7 - finished);
      await waitFor(`${busy} items running`, () => running === busy && finish.length === busy, 5000, 1);
      finish.shift()?.();
      await waitFor(`${finished + 1} items done`, () => done.length === finished + 1, 5000, 1);
    }
    await loop.stop();
    await loop.idle();
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('reports fetch errors and goes on; an item that arrives after stop() is returned, not run', async () => {
    let calls = 0;
    const errors: number[] = [];
    const returned: string[] = [];
    const handled: string[] = [];
    let release!: (v: string) => void;
    const loop = new WorkLoop<string>({
      concurrency: 1,
      fetch: async () => {
        calls++;
        if (calls <= 2) throw new Error('redis down');
        return new Promise<string>((r) => (release = r));
      },
      handle: async (s) => void handled.push(s),
      onFetchError: async (_e, consecutive) => void errors.push(consecutive),
      onHandleError: () => undefined,
      returnItem: async (s) => void returned.push(s),
    });
    loop.start();
    await waitFor('the third fetch', () => calls >= 3, 5000, 1);
    const stopped = loop.stop();
    release('late-job');
    await stopped;
    expect(errors).toEqual([1, 2]);
    expect(returned).toEqual(['late-job']);
    expect(handled).toEqual([]);
  });
});

describe('backoffMs', () => {
  it('doubles from the base, caps, and jitters by at most 20 %', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 5000, () => 0.5))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffMs(1, 1000, 5000, () => 0)).toBe(800);
    expect(backoffMs(1, 1000, 5000, () => 1)).toBe(1200);
  });
});
