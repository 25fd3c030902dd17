// The datum's probable error is a weighted median (src/search/datum.ts): the quickselect must give what a
// walk through the sorted values gives (the smallest v with Σ_{v_i ≤ v} w_i ≥ W/2).
import { describe, expect, it } from 'vitest';
import { weightedMedian } from '../../src/search/datum.js';

function bySorting(values: Float64Array, weight: Float64Array): number {
  const order = Array.from(values.keys()).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const total = weight.reduce((s, x) => s + x, 0);
  let c = 0;
  for (const i of order) {
    c += weight[i] ?? 0;
    if (c >= total / 2) return values[i] ?? NaN;
  }
  return NaN;
}

describe('weightedMedian', () => {
  it('matches the sorted walk on random values, ties and uneven weights', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rnd() * 400);
      const ties = trial % 3 === 0;
      // Dyadic weights (multiples of 1/8) so every partial sum is exact and W/2 crossings are well defined.
      const values = Float64Array.from({ length: n }, () => (ties ? Math.floor(rnd() * 10) : rnd() * 1e4));
      const weight = Float64Array.from({ length: n }, () => (trial % 2 === 0 ? 1 : Math.floor(rnd() * 16) / 8));
      expect(weightedMedian(values, weight), `trial ${trial}, n ${n}`).toBe(bySorting(values, weight));
    }
  });

  it('handles the edges: one value, zero weights, no values', () => {
    expect(weightedMedian(Float64Array.of(3), [1])).toBe(3);
    // All weight on the largest value.
    expect(weightedMedian(Float64Array.of(5, 1, 9, 2), [0, 0, 1, 0])).toBe(9);
    // W = 0: the smallest value already holds "half" of nothing.
    expect(weightedMedian(Float64Array.of(5, 1, 9), [0, 0, 0])).toBe(1);
    expect(weightedMedian(new Float64Array(0), [])).toBeNaN();
  });
});
