/**
 * Bayesian update after unsuccessful searches, checked by hand, and the polygon checks behind it:
 * validation errors that name the field, and point-in-polygon against @turf/boolean-point-in-polygon.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { STATUS } from '../../src/model/types.js';
import { bayesUpdate, recordsInWindow, type CompletedSearch } from '../../src/search/bayes.js';
import { indexRing, ringContains, validateRing } from '../../src/search/polygon.js';
import { handTrajectory, lcg } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

const A = STATUS.ACTIVE;
const T0 = Date.UTC(2024, 2, 1) / 1000;
// Four particles, three hourly records; the searched box is 4.0–4.2 °E × 60.0–60.2 °N.
const traj = handTrajectory(
  [T0, T0 + 3600, T0 + 7200],
  [
    { lon: [4.1, 4.1, 4.5], lat: [60.1, 60.1, 60.1], status: [A, A, A] }, // inside at both records of the window
    { lon: [4.1, 4.5, 4.1], lat: [60.1, 60.1, 60.1], status: [A, A, A] }, // inside at 1 of 2
    { lon: [4.5, 4.5, 4.5], lat: [60.1, 60.1, 60.1], status: [A, A, A] }, // never inside
    { lon: [4.1, 4.1, 4.1], lat: [60.1, 60.1, 60.1], status: [STATUS.STRANDED, STATUS.STRANDED, STATUS.STRANDED] }, // on the coast
  ],
);
const box = [
  [4.0, 60.0],
  [4.2, 60.0],
  [4.2, 60.2],
  [4.0, 60.2],
  [4.0, 60.0],
];
const search = (o: Partial<CompletedSearch> = {}): CompletedSearch => ({
  name: 'helo-1',
  startTimeSec: T0,
  endTimeSec: T0 + 7200,
  polygon: box,
  sweepWidthNm: 1,
  trackSpacingNm: 0.5,
  ...o,
});

describe('bayesUpdate', () => {
  it('weights × (1 − POD·f), renormalised: by hand for four particles', () => {
    // C = W/S = 2, POD = 1 − e^(−2) = 0.8646647167633873; window [T0, T0+2h) holds records 0 and 1.
    // Unnormalised: 0.25·(1 − POD) = 0.0338338208, 0.25·(1 − POD/2) = 0.1419169104, 0.25, 0.25 (stranded: f = 0).
    // Sum 0.6757507312; removed 0.3242492688.
    const r = bayesUpdate(traj, new Float64Array(4).fill(0.25), [search()], 'exponential');
    expect(at(r.updates, 0).pod).toBeCloseTo(0.8646647167633873, 15);
    expect(at(r.updates, 0).records).toEqual([0, 1]);
    expect(at(r.updates, 0).removed).toBeCloseTo(0.32424926878627025, 14);
    expect(r.cumulativePos).toBeCloseTo(0.32424926878627025, 14);
    const expected = [0.05006849307936901, 0.21001369861587382, 0.3699589041523786, 0.3699589041523786];
    expected.forEach((v, i) => expect(r.weight[i]).toBeCloseTo(v, 14));
  });

  it('two searches: the second removes from the posterior of the first; cumulative POS = 1 − Π survival', () => {
    const second = search({ name: 'ship-2', startTimeSec: T0 + 7200, endTimeSec: T0 + 9000, sweepWidthNm: 0.5, trackSpacingNm: 0.5 });
    const r = bayesUpdate(traj, new Float64Array(4).fill(0.25), [search(), second], 'exponential');
    // Second window [2h, 2.5h) holds record 2: particle 1 is inside (f = 1), POD = 1 − e^(−1).
    const pod2 = 1 - Math.exp(-1);
    const w1 = [0.05006849307936901, 0.21001369861587382, 0.3699589041523786, 0.3699589041523786];
    const removed2 = at(w1, 1) * pod2;
    const post = w1.map((v, i) => (i === 1 ? v * (1 - pod2) : v) / (1 - removed2));
    post.forEach((v, i) => expect(r.weight[i]).toBeCloseTo(v, 14));
    expect(at(r.updates, 1).records).toEqual([2]);
    expect(at(r.updates, 1).removed).toBeCloseTo(removed2 * 0.6757507312137297, 14);
    expect(r.cumulativePos).toBeCloseTo(1 - 0.6757507312137297 * (1 - removed2), 14);
    expect(r.weight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('the inverse-cube law gives POD = erf(√π/2 · C)', () => {
    const r = bayesUpdate(traj, new Float64Array(4).fill(0.25), [search()], 'inverse_cube');
    expect(at(r.updates, 0).pod).toBeCloseTo(0.9878111178151971, 14); // erf(√π/2 · 2) = erf(1.7724539)
  });

  it('a window shorter than the output step uses the record nearest its middle', () => {
    expect(recordsInWindow([0, 3600, 7200], 3000, 3300)).toEqual([1]);
    expect(recordsInWindow([7200, 3600, 0], 0, 3601)).toEqual([1, 2]); // backward run: times descending
  });

  it.each([
    [{ endTimeSec: T0 - 10 }, 'params.search.completed[0].end_time: must be after start_time'],
    [{ startTimeSec: T0 - 3600 }, 'params.search.completed[0].start_time: 2024-02-29T23:00:00.000Z is outside the run [2024-03-01T00:00:00.000Z, 2024-03-01T02:00:00.000Z]'],
    [{ endTimeSec: T0 + 4 * 3600 }, 'params.search.completed[0].end_time: 2024-03-01T04:00:00.000Z is outside the run [2024-03-01T00:00:00.000Z, 2024-03-01T02:00:00.000Z]'],
    [{ trackSpacingNm: 0 }, 'params.search.completed[0].track_spacing_nm: must be a positive finite number, got 0'],
    [{ polygon: box.slice(0, 4) }, 'params.search.completed[0].polygon: ring is not closed: the last position [4,60.2] must repeat the first [4,60]'],
  ] as [Partial<CompletedSearch>, string][])('rejects %j', (o, message) => {
    let err: unknown = null;
    try {
      bayesUpdate(traj, new Float64Array(4).fill(0.25), [search(o)], 'exponential');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DriftlineError);
    expect((err as DriftlineError).code).toBe('E_JOB_INVALID');
    expect((err as DriftlineError).message).toBe(message);
    expect((err as DriftlineError).retryable).toBe(false);
  });
});

describe('validateRing', () => {
  const f = 'params.search.completed[0].polygon';
  it.each([
    ['a non-array', 'x', `${f}: must be an array of [lon, lat] positions`],
    ['3 points', [[0, 0], [1, 0], [0, 0]], `${f}: a closed ring needs at least 4 positions, got 3`],
    ['a bow tie', [[0, 0], [3, 1], [3, 0], [0, 2], [0, 0]], `${f}: ring crosses itself at (2.000000, 0.666667) (edges 0 and 2)`],
    ['a figure of eight touching at a vertex', [[0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 1], [0, 0]], `${f}: ring crosses itself at (1.000000, 1.000000) (edges 1 and 4)`],
    ['a NaN', [[0, 0], [1, 0], [NaN, 1], [0, 0]], `${f}[2]: coordinates must be finite, got [NaN, 1]`],
    ['a latitude of 91', [[0, 0], [1, 0], [1, 91], [0, 0]], `${f}[2]: latitude 91 is not in [-90, 90]`],
    ['a repeated point', [[0, 0], [1, 0], [1, 0], [0, 1], [0, 0]], `${f}: positions 1 and 2 repeat the same point`],
    ['a fold-back', [[0, 0], [2, 0], [1, 0], [1, 1], [0, 0]], `${f}: ring folds back on itself at position 1`],
    ['a flat ring', [[0, 0], [1, 0], [2, 0], [0, 0]], `${f}: ring encloses no area`],
  ])('rejects %s', (_name, ring, message) => {
    expect(() => validateRing(ring, f)).toThrow(message);
  });
  it('accepts a closed simple ring, in either direction and across the antimeridian', () => {
    expect(validateRing(box, f).lonDeg.length).toBe(4);
    expect(validateRing([...box].reverse(), f).lonDeg.length).toBe(4);
    const am = validateRing([[179.5, 0], [-179.5, 0], [-179.5, 1], [179.5, 1], [179.5, 0]], f);
    expect(Array.from(am.lonDeg)).toEqual([179.5, 180.5, 180.5, 179.5]);
  });
});

describe('ringContains', () => {
  it('agrees with @turf/boolean-point-in-polygon on 20 000 random points around a 40-vertex star', () => {
    const ring: number[][] = [];
    for (let k = 0; k < 40; k++) {
      const a = (2 * Math.PI * k) / 40;
      const r = k % 2 === 0 ? 0.3 : 0.12;
      ring.push([4 + r * Math.cos(a), 60 + r * Math.sin(a)]);
    }
    ring.push([...at(ring, 0)]);
    const ix = indexRing(validateRing(ring, 'star'));
    const poly = { type: 'Polygon' as const, coordinates: [ring] };
    const rnd = lcg(7);
    let inside = 0;
    for (let i = 0; i < 20_000; i++) {
      const lon = 3.6 + 0.8 * rnd();
      const lat = 59.6 + 0.8 * rnd();
      const mine = ringContains(ix, lon, lat);
      expect(mine).toBe(booleanPointInPolygon([lon, lat], poly));
      if (mine) inside++;
    }
    expect(inside).toBeGreaterThan(1000); // the test exercised both answers
  });
  it('works across the antimeridian', () => {
    const ix = indexRing(validateRing([[179.5, 0], [-179.5, 0], [-179.5, 1], [179.5, 1], [179.5, 0]], 'am'));
    expect(ringContains(ix, 179.9, 0.5)).toBe(true);
    expect(ringContains(ix, -179.9, 0.5)).toBe(true);
    expect(ringContains(ix, 0, 0.5)).toBe(false);
    expect(ringContains(ix, 179.9, 1.5)).toBe(false);
  });
});
