// selectKth, kthFromEachEnd and positiveDescending (src/search/select.ts) must give what sorting gives,
// value for value, with ties and small arrays.
import { describe, expect, it } from 'vitest';
import { kthFromEachEnd, positiveDescending, selectKth } from '../../src/search/select.js';

describe('selectKth', () => {
  it('returns the k-th smallest value and splits the array around it', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 300);
      const ties = trial % 2 === 0;
      const a = Float64Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 7) : rnd() * 2e6 - 1e6));
      const sorted = Float64Array.from(a).sort();
      for (const k of [0, n - 1, Math.floor(n / 2), Math.floor(rnd() * n)]) {
        const b = Float64Array.from(a);
        const v = selectKth(b, k);
        expect(v, `trial ${trial} n ${n} k ${k}`).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(b[i]).toBeLessThanOrEqual(v);
        for (let i = k + 1; i < n; i++) expect(b[i]).toBeGreaterThanOrEqual(v);
      }
    }
  });

  it('refuses k outside the range', () => {
    expect(() => selectKth(Float64Array.of(1, 2), 2)).toThrow(RangeError);
  });
});

function lcg(seed: number): () => number {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2 ** 31), a / 2 ** 31);
}

describe('kthFromEachEnd', () => {
  it('returns what a sorted copy holds at k and n − 1 − k', () => {
    const rnd = lcg(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 400);
      const ties = trial % 3 === 0;
      // Sorted and reverse-sorted inputs too: the heaps' worst orders.
      const a = Float64Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 5) : rnd() * 2e4 - 1e4));
      if (trial % 3 === 1) a.sort();
      if (trial % 6 === 2) a.sort().reverse();
      const sorted = Float64Array.from(a).sort();
      for (const k of [0, n - 1, Math.floor(n / 2), Math.floor(rnd() * n)]) {
        const before = Float64Array.from(a);
        expect(kthFromEachEnd(a, k), `trial ${trial} n ${n} k ${k}`).toEqual([sorted[k], sorted[n - 1 - k]]);
        expect(a, 'values left as they were').toEqual(before);
      }
    }
  });

  it('refuses k outside the range', () => {
    expect(() => kthFromEachEnd(Float64Array.of(1, 2), 2)).toThrow(RangeError);
    expect(() => kthFromEachEnd(new Float64Array(0), 0)).toThrow(RangeError);
  });
});

describe('positiveDescending', () => {
  it('holds the positive values in the order of a sorted, reversed copy, bit for bit', () => {
    const rnd = lcg(5);
    for (let trial = 0; trial < 100; trial++) {
      const n = Math.floor(rnd() * 3000);
      // Zeros, ties, values equal in their high 32 bits (1 + 2^-40 apart), and a wide range of exponents.
      const a = Float64Array.from({ length: n }, (_, i) => {
        const r = rnd();
        if (r < 0.2) return 0;
        if (r < 0.3) return 1 + ((i % 4) * 2 ** -40);
        if (r < 0.4) return Math.floor(rnd() * 4) / 8;
        return rnd() * 10 ** (rnd() * 30 - 20);
      });
      const expected = Float64Array.from(a).sort().reverse().filter((x) => x > 0);
      expect(positiveDescending(a), `trial ${trial}`).toEqual(expected);
    }
  });

  it('gives null when a value is NaN (the caller then sorts as before)', () => {
    expect(positiveDescending(Float64Array.of(1, NaN, 2))).toBeNull();
    expect(positiveDescending(Float64Array.of(0, 0))).toEqual(new Float64Array(0));
  });
});
