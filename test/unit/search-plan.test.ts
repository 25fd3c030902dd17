/**
 * Several units, greedy: non-overlapping rectangles, each on the probability the earlier ones leave;
 * the pattern (S = W/C, tracks, creep) and the numbers a coordinator reads, in NM.
 */
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { weightedCloud } from '../../src/search/datum.js';
import { M_PER_NM, pod } from '../../src/search/detection.js';
import { planSearch, type SearchUnit } from '../../src/search/plan.js';
import { evaluateRect, rectsOverlap } from '../../src/search/rectangle.js';
import { gaussianCloud } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

const g = gaussianCloud(20_000, 51, { lon0: 4.6, lat0: 59.3, sxM: 6000, syM: 2500, rotRad: 0.3 });
const cloud = weightedCloud(g.lon, g.lat, g.w)!;
// Effort Z = V·T·W: 90·2·1 = 180 NM², 12·4·0.5 = 24 NM², 15·3·0.8 = 36 NM² (the cloud's 1σ ellipse is ~14 NM²).
const units: SearchUnit[] = [
  { name: 'helo', speedKn: 90, enduranceH: 2, sweepWidthNm: 1 },
  { name: 'lifeboat', speedKn: 12, enduranceH: 4, sweepWidthNm: 0.5 },
  { name: 'cutter', speedKn: 15, enduranceH: 3, sweepWidthNm: 0.8, trackSpacingNm: 1 },
];

describe('planSearch', () => {
  const plan = planSearch(cloud, units, 'exponential', { creepTowardsBearingDeg: 0 });

  it('gives every unit a rectangle, none overlapping', () => {
    expect(plan.units.map((u) => u.unit)).toEqual(['helo', 'lifeboat', 'cutter']);
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) expect(rectsOverlap(at(plan.units, a).rect, at(plan.units, b).rect)).toBe(false);
  });

  it('POS = POC × POD with POD(C = Z/A); cumulative POS = Σ POS', () => {
    let sum = 0;
    for (const u of plan.units) {
      expect(u.pos).toBeCloseTo(u.poc * u.pod, 14);
      expect(u.pod).toBeCloseTo(pod('exponential', u.coverage), 14);
      if (u.unit !== 'cutter') expect(u.coverage).toBeCloseTo(u.effortNm2 / u.areaNm2, 9);
      sum += u.pos;
    }
    expect(plan.cumulativePos).toBeCloseTo(sum, 14);
    expect(at(plan.units, 0).effortNm2).toBeCloseTo(180, 12);
  });

  it('with a fixed track spacing: C = W/S = 0.8, area ≤ Z/C = 45 NM²', () => {
    const c = at(plan.units, 2);
    expect(c.coverage).toBeCloseTo(0.8, 14);
    expect(c.trackSpacingNm).toBe(1);
    expect(c.areaNm2).toBeLessThanOrEqual(45 * (1 + 1e-9));
  });

  it('pattern: S = W/C, tracks = ⌈width/S⌉, creep across the tracks towards the given bearing', () => {
    for (const u of plan.units) {
      if (u.unit !== 'cutter') expect(u.trackSpacingNm).toBeCloseTo(u.sweepWidthNm / u.coverage, 12);
      expect(u.nTracks).toBe(Math.ceil(u.widthNm / u.trackSpacingNm - 1e-9));
      expect(u.lengthNm).toBeGreaterThanOrEqual(u.widthNm);
      expect(u.areaNm2).toBeCloseTo(u.lengthNm * u.widthNm, 9);
      expect(u.lengthNm).toBeCloseTo(u.rect.lengthM / M_PER_NM, 12);
      const across = Math.abs(((u.creepBearingDeg - u.trackBearingDeg + 540) % 360) - 180);
      expect(across).toBeCloseTo(90, 9);
      // Creep towards north (bearing 0): the creep bearing is within 90° of it.
      expect(Math.abs(((u.creepBearingDeg + 180) % 360) - 180)).toBeLessThanOrEqual(90);
      expect(u.ring.length).toBe(5);
      expect(u.ring[0]).toEqual(u.ring[4]);
    }
  });

  it('posterior: the weight in each rectangle × (1 − POD), the rest unchanged', () => {
    const prior = { xM: cloud.xM, yM: cloud.yM, weight: cloud.weight };
    const post = { xM: cloud.xM, yM: cloud.yM, weight: plan.posteriorWeight };
    for (const u of plan.units) {
      const o = { effortM2: 1, law: 'exponential' as const };
      expect(evaluateRect(post, u.rect, o).poc).toBeCloseTo(evaluateRect(prior, u.rect, o).poc * (1 - u.pod), 12);
    }
    const removed = cloud.weight.reduce((a, b) => a + b, 0) - plan.posteriorWeight.reduce((a, b) => a + b, 0);
    expect(removed).toBeCloseTo(plan.cumulativePos, 12);
  });

  it('the lead unit gets the best rectangle: a second identical unit finds less', () => {
    const two = planSearch(cloud, [at(units, 0), { ...at(units, 0), name: 'helo-2' }], 'exponential');
    expect(at(two.units, 1).pos).toBeLessThan(at(two.units, 0).pos);
  });

  it('names the field of a bad unit', () => {
    let err: unknown;
    try {
      planSearch(cloud, [at(units, 0), { ...at(units, 1), enduranceH: 0 }], 'exponential');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DriftlineError);
    expect((err as DriftlineError).message).toBe('params.search.plan.units[1].endurance_h: must be a positive finite number, got 0');
    expect((err as DriftlineError).field).toBe('params.search.plan.units[1].endurance_h');
  });
});
