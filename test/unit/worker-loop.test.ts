/** The worker loop against fakes: concurrency limit, stop, fetch errors, items fetched after stop. */
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/worker/backoff.js';
import { WorkLoop } from '../../src/worker/loop.js';

describe('WorkLoop', () => {
  it('never runs more than `concurrency` items at once and drains on stop', async () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const loop = new WorkLoop<number>({
      concurrency: 3,
      fetch: async () => items.shift() ?? (await new Promise<null>((r) => setTimeout(() => r(null), 5))),
      handle: async (n) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        done.push(n);
      },
      onFetchError: async () => undefined,
      onHandleError: () => undefined,
      returnItem: async () => undefined,
    });
    loop.start();
    while (done.length < 7) await new Promise((r) => setTimeout(r, 5));
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
    while (calls < 3) await new Promise((r) => setTimeout(r, 1));
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
