// driftingTimes/driftingBlock read several records per pass over the particle-major tracks; each time's
// result must be exactly driftingAt's reading of that time alone (same particles, order, sums).
import { describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { blockBuffers, driftingAt, driftingBlock, driftingTimes, type Tracks } from '../../src/search/weights.js';

function tracks(nParticles: number, nTimes: number): Tracks {
  let a = 99;
  const rnd = () => ((a = (a * 1103515245 + 12345) % 2 ** 31), a / 2 ** 31);
  const n = nParticles * nTimes;
  const lonDeg = new Float32Array(n);
  const latDeg = new Float32Array(n);
  const status = new Uint8Array(n);
  const codes = [STATUS.ACTIVE, STATUS.ACTIVE, STATUS.STRANDED, STATUS.OUTSIDE, STATUS.NOT_RELEASED];
  for (let i = 0; i < n; i++) {
    const s = codes[Math.floor(rnd() * codes.length)] ?? STATUS.ACTIVE;
    status[i] = s;
    const unreleased = s === STATUS.NOT_RELEASED || rnd() < 0.05;
    lonDeg[i] = unreleased ? NaN : 4 + rnd();
    latDeg[i] = unreleased ? NaN : 60 + rnd();
  }
  return { nParticles, nTimes, lonDeg, latDeg, status, timesSec: Float64Array.from({ length: nTimes }, (_, t) => 3600 * t) };
}

describe('driftingTimes', () => {
  it('gives driftingAt of every time, with the stranded and released counts of that time', () => {
    const tr = tracks(700, 23);
    const weights = Float64Array.from({ length: 700 }, (_, p) => (p % 11 === 0 ? 0 : 1 + (p % 3)));
    const next = driftingTimes(tr, weights);
    for (let t = 0; t < tr.nTimes; t++) {
      const d = next(t);
      expect(d).toEqual(driftingAt(tr, weights, t));
      let stranded = 0;
      let released = 0;
      for (let p = 0; p < tr.nParticles; p++) {
        if (tr.status[p * tr.nTimes + t] === STATUS.STRANDED) stranded++;
        if (!Number.isNaN(tr.latDeg[p * tr.nTimes + t])) released++;
      }
      expect([d.strandedCount, d.releasedCount]).toEqual([stranded, released]);
    }
  });

  it('reads every block into one set of buffers, allocated once', () => {
    const tr = tracks(700, 40);
    const weights = new Float64Array(700).fill(1);
    const next = driftingTimes(tr, weights);
    // 700 particles: 16 records a block, so records 0, 16 and 32 open the three blocks.
    const buffers = [0, 16, 32].map((t) => next(t).lonDeg.buffer);
    expect(new Set(buffers).size).toBe(1);
    // Read after its block was overwritten twice, record 32 is still driftingAt's reading of it.
    expect(next(32)).toEqual(driftingAt(tr, weights, 32));
  });

  it('refuses buffers too small for the block', () => {
    const tr = tracks(10, 5);
    const weights = new Float64Array(10).fill(1);
    expect(() => driftingBlock(tr, weights, 0, 3, blockBuffers(10, 2))).toThrow(RangeError);
    expect(() => driftingBlock(tr, weights, 0, 2, blockBuffers(9, 2))).toThrow(RangeError);
    expect(driftingBlock(tr, weights, 1, 2, blockBuffers(10, 2))).toEqual([driftingAt(tr, weights, 1), driftingAt(tr, weights, 2)]);
  });

  it('refuses a block outside the record range', () => {
    const tr = tracks(10, 5);
    expect(() => driftingBlock(tr, new Float64Array(10).fill(1), 3, 3)).toThrow(RangeError);
    expect(() => driftingAt(tr, new Float64Array(10).fill(1), 5)).toThrow(RangeError);
  });
});
