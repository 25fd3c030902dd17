// RecordBlocks (src/products/record-blocks.ts) hands each time's records as contiguous arrays; they must be
// the trajectory's own values at p · nTimes + t, across block edges and when read out of order.
import { describe, expect, it } from 'vitest';
import { RecordBlocks } from '../../src/products/record-blocks.js';

describe('RecordBlocks', () => {
  it('gives every record of every time, in order and out of order, with blocks smaller than the run', () => {
    const nParticles = 37;
    const nTimes = 23;
    const n = nParticles * nTimes;
    const result = {
      nParticles,
      nTimes,
      lonDeg: Float32Array.from({ length: n }, (_, i) => i * 0.5),
      latDeg: Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? NaN : -i)),
      status: Uint8Array.from({ length: n }, (_, i) => i % 4),
      capsized: Uint8Array.from({ length: n }, (_, i) => i % 2),
    };
    // 9 bytes × 37 particles × 5 times: blocks of 5 records.
    const blocks = new RecordBlocks(result, 9 * nParticles * 5);
    const order = [...Array.from({ length: nTimes }, (_, t) => t), 22, 0, 11, 4, 5];
    for (const t of order) {
      const r = blocks.at(t);
      const want = (a: ArrayLike<number>) => Array.from({ length: nParticles }, (_, p) => a[p * nTimes + t]);
      expect(Array.from(r.lonDeg)).toEqual(want(result.lonDeg));
      expect(Array.from(r.latDeg)).toEqual(want(result.latDeg));
      expect(Array.from(r.status)).toEqual(want(result.status));
      expect(Array.from(r.capsized)).toEqual(want(result.capsized));
    }
    expect(() => blocks.at(nTimes)).toThrow(RangeError);
  });
});
