// selectKth (src/search/select.ts) must give what sorting gives, for every k, with ties and small arrays.
import { describe, expect, it } from 'vitest';
import { selectKth } from '../../src/search/select.js';

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
