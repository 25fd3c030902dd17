// driftingTimes/driftingBlock read several records per pass over the particle-major tracks; each time's
// result must be exactly driftingAt's reading of that time alone (same particles, order, sums).
import { describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { driftingAt, driftingBlock, driftingTimes, type Tracks } from '../../src/search/weights.js';

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

  it('refuses a block outside the record range', () => {
    const tr = tracks(10, 5);
    expect(() => driftingBlock(tr, new Float64Array(10).fill(1), 3, 3)).toThrow(RangeError);
    expect(() => driftingAt(tr, new Float64Array(10).fill(1), 5)).toThrow(RangeError);
  });
});
