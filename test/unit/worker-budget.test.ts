/** Admission control's memory budget: fits, waits in order, releases, gives up on abort. */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/worker/budget.js';

const MB = 1024 * 1024;

describe('MemoryBudget', () => {
  it('admits what fits at once and makes the next wait until memory is released', async () => {
    const b = new MemoryBudget(1000 * MB);
    const r1 = await b.acquire(600 * MB);
    let second = false;
    const p2 = b.acquire(600 * MB).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false); // 600 + 600 > 1000
    expect(b.inUseBytes).toBe(600 * MB);
    r1();
    const r2 = await p2;
    expect(second).toBe(true);
    expect(b.inUseBytes).toBe(600 * MB);
    r2();
    r2(); // releasing twice changes nothing
    expect(b.inUseBytes).toBe(0);
  });

  it('serves waiters in order, so a large mission is not starved by small ones', async () => {
    const b = new MemoryBudget(1000 * MB);
    const r1 = await b.acquire(500 * MB);
    const order: string[] = [];
    const big = b.acquire(900 * MB).then((r) => (order.push('big'), r));
    const small = b.acquire(100 * MB).then((r) => (order.push('small'), r));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]); // small would fit, but big asked first
    r1();
    (await big)();
    (await small)();
    expect(order).toEqual(['big', 'small']);
  });

  it('admits a mission larger than the whole budget when nothing else runs', async () => {
    const b = new MemoryBudget(100 * MB);
    const r = await b.acquire(500 * MB);
    expect(b.inUseBytes).toBe(500 * MB);
    r();
  });

  it('rejects a waiter whose signal aborts, and lets the next one through', async () => {
    const b = new MemoryBudget(1000 * MB);
    const r1 = await b.acquire(800 * MB);
    const ac = new AbortController();
    const aborted = b.acquire(900 * MB, ac.signal);
    const next = b.acquire(100 * MB);
    ac.abort(new Error('shutdown'));
    await expect(aborted).rejects.toThrow('shutdown');
    (await next)();
    r1();
    expect(b.inUseBytes).toBe(0);
  });
});
