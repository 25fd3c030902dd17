import { describe, expect, it } from 'vitest';
import { coastlineLandRaster } from '../../src/land/coastline.js';
import { DEFAULT_MAX_SEARCH_M, nearestWater, OPENDRIFT_LATTICE_DEG } from '../../src/land/nearest.js';
import { createLandSampler } from '../../src/land/sampler.js';
import type { LandRaster } from '../../src/land/types.js';
import { M_PER_DEG, sourceTruth } from './land-source.fixtures.js';

function raster(
  g: { westDeg: number; southDeg: number; dDeg: number; nx: number; ny: number; outside?: 0 | 1 },
  isLand: (i: number, j: number) => boolean,
): LandRaster {
  const data = new SharedArrayBuffer(g.nx * g.ny);
  const cells = new Uint8Array(data);
  for (let j = 0; j < g.ny; j++) for (let i = 0; i < g.nx; i++) cells[j * g.nx + i] = isLand(i, j) ? 1 : 0;
  return { westDeg: g.westDeg, southDeg: g.southDeg, dLonDeg: g.dDeg, dLatDeg: g.dDeg, nx: g.nx, ny: g.ny, data, outside: g.outside ?? 0, source: 'test' };
}

const centre = (r: LandRaster, i: number, j: number) => ({ lonDeg: r.westDeg + (i + 0.5) * r.dLonDeg, latDeg: r.southDeg + (j + 0.5) * r.dLatDeg });

/** Cell centres are computed, not stored: 9 decimals (1e-9° ≈ 0.1 mm) covers rounding only. */
function expectAt(got: { lonDeg: number; latDeg: number } | null, want: { lonDeg: number; latDeg: number }) {
  expect(got).not.toBeNull();
  expect(got!.lonDeg).toBeCloseTo(want.lonDeg, 9);
  expect(got!.latDeg).toBeCloseTo(want.latDeg, 9);
}

function distanceM(a: { lonDeg: number; latDeg: number }, b: { lonDeg: number; latDeg: number }): number {
  const kx = M_PER_DEG * Math.cos((((a.latDeg + b.latDeg) / 2) * Math.PI) / 180);
  return Math.hypot((a.lonDeg - b.lonDeg) * kx, (a.latDeg - b.latDeg) * M_PER_DEG);
}

describe('nearestWater on a raster', () => {
  // 0.01° cells at the equator; land west of column 50.
  const halfLand = raster({ westDeg: 0, southDeg: 0, dDeg: 0.01, nx: 100, ny: 40 }, (i) => i < 50);

  it('a point in water is returned as it is (OpenDrift leaves ocean seeds alone)', () => {
    expect(nearestWater(halfLand, 0.7234, 0.2011)).toEqual({ lonDeg: 0.7234, latDeg: 0.2011 });
  });

  it('a land point goes to the centre of the nearest water cell', () => {
    const p = centre(halfLand, 45, 10); // 5 cells (5.6 km) from the water
    expectAt(nearestWater(halfLand, p.lonDeg, p.latDeg), centre(halfLand, 50, 10));
    // 0.3 cell north of a centre: row 10 is still nearer than row 11.
    expectAt(nearestWater(halfLand, p.lonDeg, p.latDeg + 0.003), centre(halfLand, 50, 10));
    // 0.7 cell north: now row 11.
    expectAt(nearestWater(halfLand, p.lonDeg, p.latDeg + 0.007), centre(halfLand, 50, 11));
  });

  it("metric: OpenDrift's plain degrees by default, metres on request (differ at 60° N)", () => {
    // Point at cell (20, 20); water 3 cells north (0.03° = 3.3 km) and 4 cells east (0.04° = 2.2 km at 60° N).
    const r = raster({ westDeg: 10, southDeg: 59.8, dDeg: 0.01, nx: 60, ny: 60 }, (i, j) => !(j >= 23 || i >= 24));
    const p = centre(r, 20, 20);
    expectAt(nearestWater(r, p.lonDeg, p.latDeg), centre(r, 20, 23));
    expectAt(nearestWater(r, p.lonDeg, p.latDeg, DEFAULT_MAX_SEARCH_M, { metric: 'metres' }), centre(r, 24, 20));
  });

  it('gives up beyond maxSearchM (default 0.1° of latitude = 11.1 km, OpenDrift\'s margin)', () => {
    expect(DEFAULT_MAX_SEARCH_M).toBeCloseTo(11_119.5, 0);
    // Water from column 62 on: 12 cells = 13.3 km east of a point at column 50.
    const r = raster({ westDeg: 0, southDeg: 0, dDeg: 0.01, nx: 100, ny: 40 }, (i) => i < 62);
    const p = centre(r, 50, 20);
    expect(nearestWater(r, p.lonDeg, p.latDeg)).toBeNull();
    expectAt(nearestWater(r, p.lonDeg, p.latDeg, 15_000), centre(r, 62, 20));
    const allLand = raster({ westDeg: 0, southDeg: 0, dDeg: 0.01, nx: 3000, ny: 3000, outside: 1 }, () => true);
    expect(nearestWater(allLand, 15, 15, 50_000)).toBeNull();
  });

  it('outside the raster counts as its `outside` value, as in createLandSampler', () => {
    const r = raster({ westDeg: 0, southDeg: 0, dDeg: 0.01, nx: 20, ny: 20, outside: 0 }, () => true);
    const p = centre(r, 18, 10);
    expectAt(nearestWater(r, p.lonDeg, p.latDeg), centre(r, 20, 10)); // first cell east of the raster
    const closed = { ...r, outside: 1 as const };
    expect(nearestWater(closed, p.lonDeg, p.latDeg)).toBeNull();
  });

  it('wraps round a global raster: water just west of 180° is found from just east of -180°', () => {
    const d = 0.01;
    const nx = Math.round(360 / d);
    const r = raster({ westDeg: -180, southDeg: 10, dDeg: d, nx, ny: 10, outside: 1 }, (i) => i !== nx - 1);
    const got = nearestWater(r, -180 + 1.5 * d, 10.055);
    expect(got).not.toBeNull();
    // Answer in the caller's frame: -180.005, i.e. the centre of the last column, 179.995.
    expect(got!.lonDeg).toBeCloseTo(-180 - d / 2, 9);
    expect(got!.latDeg).toBeCloseTo(10.055, 9);
    expect(createLandSampler(r).isLand(got!.lonDeg, got!.latDeg)).toBe(false);
  });
});

describe('nearestWater on a LandSampler or a coarse mask: OpenDrift\'s 0.01° lattice', () => {
  it('a coarse raster (0.1° ocean-model mask) is read at 0.01° lattice points, not at its cell centres', () => {
    const coarse = raster({ westDeg: 0, southDeg: 0, dDeg: 0.1, nx: 10, ny: 10 }, (i) => i < 5);
    // First lattice point east of the mask's coast at 0.5°: 0.434 + 7 × 0.01 = 0.504 (a cell centre would be 0.55).
    const got = nearestWater(coarse, 0.434, 0.55);
    expect(got!.lonDeg).toBeCloseTo(0.504, 12);
    expect(got!.latDeg).toBe(0.55);
  });


  it('moves to the nearest lattice point in water, anchored at the point as OpenDrift\'s is for one seed', () => {
    // OpenDrift: lattice from lon - 0.1 in 0.01° steps: 9.853 + 15 × 0.01 = 10.003 is the first in water.
    const coastAt10E = { isLand: (lonDeg: number) => lonDeg < 10 };
    const got = nearestWater(coastAt10E, 9.953, 60);
    expect(got!.lonDeg).toBeCloseTo(9.953 + 5 * OPENDRIFT_LATTICE_DEG, 12);
    expect(got!.latDeg).toBe(60);
  });
});

describe('nearestWater on the real coastline', () => {
  const window = { westDeg: 4.5, eastDeg: 11.5, southDeg: 58.6, northDeg: 60.2 };
  const r = coastlineLandRaster(window);
  const s = createLandSampler(r);
  const truth = sourceTruth('osm-seas-10m', window);
  const diagonalM = (latDeg: number) => Math.hypot(r.dLonDeg * M_PER_DEG * Math.cos((latDeg * Math.PI) / 180), r.dLatDeg * M_PER_DEG);

  /** Brute force: distance (m, same local metric as nearestWater) to the nearest water cell centre within `radiusM`. */
  function nearestWaterCentreM(lon: number, lat: number, radiusM: number): number {
    const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
    let best = Infinity;
    const cells = new Uint8Array(r.data);
    for (let j = 0; j < r.ny; j++) {
      const dy = (r.southDeg + (j + 0.5) * r.dLatDeg - lat) * M_PER_DEG;
      if (Math.abs(dy) > radiusM) continue;
      for (let i = 0; i < r.nx; i++) {
        if (cells[j * r.nx + i] === 1) continue;
        const d = Math.hypot((r.westDeg + (i + 0.5) * r.dLonDeg - lon) * kx, dy);
        if (d <= radiusM && d < best) best = d;
      }
    }
    return best;
  }

  // Inland points: Oslo centre (0.2 km from the fjord), Karmøy (1.4 km), Jæren (≈ 11 km).
  const inland: Array<[string, number, number, boolean]> = [
    // Oslo's nearest water is a harbour basin narrower than a cell: no cell centre there is water.
    ['Oslo centre', 10.75, 59.91, false],
    ['Karmøy inland', 5.22, 59.25, true],
    ['Jæren inland', 5.75, 58.75, true],
  ];
  it.each(inland)('%s: finds the nearest water cell centre, which is water in the polygons too', (_n, lon, lat, openCoast) => {
    expect(s.isLand(lon, lat)).toBe(true);
    const got = nearestWater(r, lon, lat, 20_000, { metric: 'metres' });
    expect(got).not.toBeNull();
    expect(s.isLand(got!.lonDeg, got!.latDeg)).toBe(false);
    expect(truth.isLand(got!.lonDeg, got!.latDeg)).toBe(false); // a water cell centre is water in the polygons too
    // Same metric as the brute force: 1 µm covers rounding only.
    const kx = M_PER_DEG * Math.cos((lat * Math.PI) / 180);
    const dGotM = Math.hypot((got!.lonDeg - lon) * kx, (got!.latDeg - lat) * M_PER_DEG);
    expect(dGotM).toBeCloseTo(nearestWaterCentreM(lon, lat, 20_000), 6);
    // Against the polygons: no water is nearer than the coast (−2 m: flat-Earth distances, < 0.5 %),
    // and on an open coast (water wider than a cell) a water centre lies within one cell diagonal past
    // it. (Oslo: 193 m to the basin, 546 m to the first water cell centre.)
    const dCoastM = truth.distanceToCoastM(lon, lat);
    expect(dGotM).toBeGreaterThanOrEqual(dCoastM - 2);
    if (openCoast) expect(dGotM).toBeLessThanOrEqual(dCoastM + diagonalM(lat) + 2);
  });

  it('with the default degree metric and radius: Oslo and Karmøy move to water, Jæren (11.3 km inland) is beyond 11.1 km', () => {
    for (const [lon, lat] of [
      [10.75, 59.91],
      [5.22, 59.25],
    ] as const) {
      const got = nearestWater(r, lon, lat);
      expect(got).not.toBeNull();
      expect(truth.isLand(got!.lonDeg, got!.latDeg)).toBe(false);
      expect(distanceM({ lonDeg: lon, latDeg: lat }, got!)).toBeLessThanOrEqual(DEFAULT_MAX_SEARCH_M);
    }
    expect(truth.distanceToCoastM(5.75, 58.75)).toBeGreaterThan(DEFAULT_MAX_SEARCH_M);
    expect(nearestWater(r, 5.75, 58.75)).toBeNull();
  });
});
