/**
 * Search areas from the smoothed map.
 *
 * The target on independent runs: with 5 000 particles, areas built from one seed hold p ± 2
 * points on average (worst ± 5) of another seed's drifting particles at every output time after the
 * first hour, in at most 3 pieces per level for a single cloud. Measured on the real model (constant
 * 10 m/s wind, PIW-1 and a life raft, 24 h), over 4 seeds paired both ways (1→2, 2→1, 3→4, 4→3):
 * the sampling noise of one 5 000-particle run moves the held-out share of the 50 % area by about
 * ±1.5 points (σ), so a single pair can sit near ±2.5 while the average over pairs stays near 0.
 * "Average" here is the mean absolute deviation over pairs and hours, the stricter reading. The level
 * is counted held-out (areas.ts), which removed a bias of −0.3 points at every level; the signed mean
 * is checked too.
 */
import { area as turfArea } from '@turf/area';
import { describe, expect, it } from 'vitest';
import { searchAreas, type SearchAreaLevel } from '../../src/search/areas.js';
import { weightedCloud } from '../../src/search/datum.js';
import { kdeFromParticles, kdeMap } from '../../src/search/kde.js';
import { shareInside } from '../../src/search/polygon.js';
import { driftingAt, equalWeights } from '../../src/search/weights.js';
import { gaussianCloud, modelRun } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

const PERCENTS = [50, 90, 95];

describe.each(['a_wind10E_piw1_dt3600', 'a_wind10E_liferaft_nb1_dt3600'])('held-out coverage on the real model: %s, 5 000 particles × 24 h', (scenario) => {
  const runs = [1, 2, 3, 4].map((seed) => modelRun(scenario, { numParticles: 5000, seed, durationSec: 24 * 3600 }));
  const pairs = [
    [0, 1],
    [1, 0],
    [2, 3],
    [3, 2],
  ] as const;
  const w = equalWeights(5000);

  it('holds p ± 2 points on average (worst ± 5) of another seed, in ≤ 3 pieces, at every hour ≥ 1', () => {
    const dev = PERCENTS.map(() => [] as number[]);
    for (const [a, b] of pairs) {
      const ra = at(runs, a);
      const rb = at(runs, b);
      for (let t = 1; t < ra.nTimes; t++) {
        const da = driftingAt(ra, w, t);
        const db = driftingAt(rb, w, t);
        const levels = searchAreas(kdeFromParticles(da.lonDeg, da.latDeg, da.weight)!, PERCENTS);
        levels.forEach((l, k) => {
          expect(l.nPieces, `t=${t} p=${l.percent}`).toBeLessThanOrEqual(3);
          expect(l.fractionInside).toBeGreaterThanOrEqual(l.percent / 100 - 1e-9);
          at(dev, k).push(100 * shareInside(l.polygons, db.lonDeg, db.latDeg) - l.percent);
        });
      }
    }
    dev.forEach((d, k) => {
      const meanAbs = d.reduce((s, x) => s + Math.abs(x), 0) / d.length;
      const worst = Math.max(...d.map(Math.abs));
      const mean = d.reduce((s, x) => s + x, 0) / d.length;
      expect(meanAbs, `${PERCENTS[k]} %: mean |deviation|`).toBeLessThanOrEqual(2);
      expect(worst, `${PERCENTS[k]} %: worst |deviation|`).toBeLessThanOrEqual(5);
      // Bias: a→b and b→a carry opposite sampling errors, so the signed mean over both directions is
      // mostly the rule's bias. Counting the sample's own particles (before held-out counting) gave
      // −0.26 to −0.34 points here at every level; held-out counting gives −0.08 to +0.25. Bounds:
      // 0.5 points at 50 % (per-seed σ there is 0.8 points), 0.2 at 90/95 % (σ 0.4 and 0.25).
      expect(Math.abs(mean), `${PERCENTS[k]} %: signed mean deviation`).toBeLessThanOrEqual(PERCENTS[k] === 50 ? 0.5 : 0.2);
    });
  });
});

function levelsOf(lon: Float64Array, lat: Float64Array, w: Float64Array): SearchAreaLevel[] {
  return searchAreas(kdeFromParticles(lon, lat, w)!, PERCENTS);
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('pieces', () => {
  it('a split cloud (two groups 50 km apart, 50/50) gives two pieces at every level', () => {
    const g1 = gaussianCloud(2500, 21, { lon0: 5, lat0: 58, sxM: 3000, syM: 2000 });
    const g2 = gaussianCloud(2500, 22, { lon0: 5, lat0: 58, sxM: 3000, syM: 2000, dxM: 50_000 });
    const levels = levelsOf(concat(g1.lon, g2.lon), concat(g1.lat, g2.lat), new Float64Array(5000).fill(1 / 5000));
    for (const l of levels) expect(l.nPieces, `${l.percent} %`).toBe(2);
  });

  it('a 70/30 split by weight: the 50 % area is the heavy group alone, 90 % and 95 % take both', () => {
    const g1 = gaussianCloud(2500, 23, { lon0: 5, lat0: 58, sxM: 3000, syM: 2000 });
    const g2 = gaussianCloud(2500, 24, { lon0: 5, lat0: 58, sxM: 3000, syM: 2000, dxM: 50_000 });
    const w = new Float64Array(5000);
    w.fill(0.7 / 2500, 0, 2500);
    w.fill(0.3 / 2500, 2500);
    const levels = levelsOf(concat(g1.lon, g2.lon), concat(g1.lat, g2.lat), w);
    expect(levels.map((l) => l.nPieces)).toEqual([1, 2, 2]);
    // The heavy group sits at 5°E; the 50 % area lies within ~20 km of it.
    expect(at(levels, 0).bbox[2]).toBeLessThan(5 + 20_000 / (111_320 * Math.cos((58 * Math.PI) / 180)));
  });

  it('a single cloud gives ≤ 3 pieces, nested levels, no holes', () => {
    const g = gaussianCloud(5000, 25, { lon0: -70, lat0: 41, sxM: 6000, syM: 2500, rotRad: 1 });
    const levels = levelsOf(g.lon, g.lat, g.w);
    for (const l of levels) {
      expect(l.nPieces).toBeLessThanOrEqual(3);
      for (const poly of l.polygons) expect(poly.length).toBe(1); // outer ring only
    }
    for (let k = 1; k < levels.length; k++) {
      const inner = at(levels, k - 1).mask;
      const outer = at(levels, k).mask;
      for (let c = 0; c < inner.length; c++) if (inner[c]) expect(outer[c]).toBe(1);
    }
  });
});

describe('geometry', () => {
  const g = gaussianCloud(5000, 26, { lon0: 4.6, lat0: 59.3, sxM: 5000, syM: 2000, rotRad: -0.5 });
  const map = kdeMap(weightedCloud(g.lon, g.lat, g.w)!);
  const levels = searchAreas(map, PERCENTS);

  it('closed rings, counter-clockwise, 6 decimals, bbox around every vertex', () => {
    for (const l of levels) {
      for (const polygon of l.polygons) {
        const ring = at(polygon, 0);
        expect(ring.length).toBeGreaterThanOrEqual(5);
        expect(ring[0]).toEqual(ring[ring.length - 1]);
        let a2 = 0;
        for (let k = 0; k + 1 < ring.length; k++) {
          const [x0 = NaN, y0 = NaN] = at(ring, k);
          const [x1 = NaN, y1 = NaN] = at(ring, k + 1);
          a2 += x0 * y1 - x1 * y0;
          expect(Math.round(x0 * 1e6) / 1e6).toBe(x0);
          expect(Math.round(y0 * 1e6) / 1e6).toBe(y0);
          expect(x0).toBeGreaterThanOrEqual(l.bbox[0]);
          expect(x0).toBeLessThanOrEqual(l.bbox[2]);
          expect(y0).toBeGreaterThanOrEqual(l.bbox[1]);
          expect(y0).toBeLessThanOrEqual(l.bbox[3]);
        }
        expect(a2).toBeGreaterThan(0);
      }
    }
  });

  it('area_km2 agrees with the polygons\' geodesic area (±1 %: turf uses a sphere of 6 371 km) and area_nm2 = km2 / 1.852²', () => {
    for (const l of levels) {
      const turf = turfArea({ type: 'MultiPolygon', coordinates: l.polygons }) / 1e6;
      expect(Math.abs(l.areaKm2 / turf - 1)).toBeLessThan(0.01);
      expect(l.areaNm2).toBeCloseTo(l.areaKm2 / 1.852 ** 2, 9);
    }
  });

  it('holds the level of its own particles, counted through the lon/lat polygons', () => {
    for (const l of levels) {
      const share = shareInside(l.polygons, g.lon, g.lat);
      expect(share).toBeCloseTo(l.fractionInside, 3);
      // The level is reached on the held-out count; overshoot at most a few cells' worth of particles
      // (cells of h/2 hold < 1 % each here).
      expect(l.heldOutFraction).toBeGreaterThanOrEqual(l.percent / 100 - 1e-9);
      expect(l.heldOutFraction).toBeLessThan(l.percent / 100 + 0.01);
      // The own-sample share exceeds it by the particles' own kernels: under 2 points for n = 5 000
      // (the self share of the density at the 50 % contour is ~1 %, and the area grows until the
      // held-out count catches up).
      expect(share).toBeGreaterThanOrEqual(l.heldOutFraction - 1e-9);
      expect(share).toBeLessThan(l.heldOutFraction + 0.02);
    }
  });
});
