import { describe, expect, it } from 'vitest';
import { BodyCache, StatusReads } from '../../src/api/status-reads.js';

/** A loader that records each call and answers when told to. */
function recordingLoader() {
  const calls: string[][] = [];
  const answers: Array<(bodies: Map<string, string | null>) => void> = [];
  const fails: Array<(err: Error) => void> = [];
  const load = (ids: string[]) =>
    new Promise<Map<string, string | null>>((resolve, reject) => {
      calls.push([...ids]);
      answers.push(resolve);
      fails.push(reject);
    });
  return { calls, answers, fails, load };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('StatusReads', () => {
  it('reads every id asked for in one event-loop turn with one load, and each caller gets its own body', async () => {
    const l = recordingLoader();
    const reads = new StatusReads(l.load);
    const a = reads.get('a');
    const b = reads.get('b');
    const a2 = reads.get('a');
    await turn();
    expect(l.calls).toEqual([['a', 'b']]);
    l.answers[0]?.(new Map([['a', '{"id":"a"}'], ['b', null]]));
    expect(await a).toBe('{"id":"a"}');
    expect(await a2).toBe('{"id":"a"}');
    expect(await b).toBeNull();
  });

  it('joins a read already running for the same id, and starts a new load for an id asked after it finished', async () => {
    const l = recordingLoader();
    const reads = new StatusReads(l.load);
    const first = reads.get('m');
    await turn();
    const joined = reads.get('m');
    await turn();
    expect(l.calls).toHaveLength(1);
    l.answers[0]?.(new Map([['m', 'v1']]));
    expect(await first).toBe('v1');
    expect(await joined).toBe('v1');
    const later = reads.get('m');
    await turn();
    expect(l.calls).toHaveLength(2);
    l.answers[1]?.(new Map([['m', 'v2']]));
    expect(await later).toBe('v2');
  });

  it('passes a failed load to every caller of that batch and keeps working after it', async () => {
    const l = recordingLoader();
    const reads = new StatusReads(l.load);
    const a = reads.get('a');
    const b = reads.get('b');
    await turn();
    l.fails[0]?.(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    const again = reads.get('a');
    await turn();
    l.answers[1]?.(new Map([['a', 'ok']]));
    expect(await again).toBe('ok');
  });

  it('splits a burst of 1200 ids into loads of at most 500', async () => {
    const l = recordingLoader();
    const reads = new StatusReads(l.load);
    const all = Array.from({ length: 1200 }, (_, i) => reads.get(`m${i}`));
    await turn();
    expect(l.calls.map((c) => c.length)).toEqual([500, 500, 200]);
    l.calls.forEach((ids, k) => l.answers[k]?.(new Map(ids.map((id) => [id, id]))));
    expect(await Promise.all(all)).toEqual(Array.from({ length: 1200 }, (_, i) => `m${i}`));
  });
});

describe('BodyCache', () => {
  it('serves a body only for the version it was made from, and only before its URLs are due for renewal', () => {
    const cache = new BodyCache();
    cache.set('m1', 'v1', '{"progress":0.5}', 1_000);
    expect(cache.get('m1', 'v1', 999)).toBe('{"progress":0.5}');
    expect(cache.get('m1', 'v2', 999)).toBeUndefined(); // the row changed
    expect(cache.get('m1', 'v1', 1_000)).toBeUndefined(); // URLs due for renewal
    expect(cache.get('m2', 'v1', 0)).toBeUndefined();
    cache.set('m1', 'v2', '{"progress":0.6}', Infinity); // no products: good while the version holds
    expect(cache.get('m1', 'v2', Number.MAX_SAFE_INTEGER)).toBe('{"progress":0.6}');
    cache.delete('m1');
    expect(cache.get('m1', 'v2', 0)).toBeUndefined();
  });

  it('holds at most MAX_ENTRIES bodies', () => {
    const cache = new BodyCache();
    for (let i = 0; i <= BodyCache.MAX_ENTRIES; i++) cache.set(`m${i}`, 'v', 'b', Infinity);
    // Full at m0..m9999: adding one more started again, so the first is gone and the last is there.
    expect(cache.get('m0', 'v', 0)).toBeUndefined();
    expect(cache.get(`m${BodyCache.MAX_ENTRIES}`, 'v', 0)).toBe('b');
  });
});
