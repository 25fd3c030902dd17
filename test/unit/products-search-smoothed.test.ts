import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { searchAreasGeoJson } from '../../src/products/search-areas-geojson.js';
import { smoothedSearchAreas } from '../../src/products/search-smoothed.js';
import { equalWeights } from '../../src/search/index.js';
import { seededContext, syntheticCloud } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

// 2 000 particles, 30 % strand from the middle of the run, 10 % leave the forcing from 3/4 of it.
const T = 13;
const cloud = syntheticCloud({
  nParticles: 2000, nTimes: T, lon0Deg: 4.6, lat0Deg: 60.3, driftEastMPerStep: 800, sigma0M: 300, sigmaGrowthMPerStep: 250,
  strandedFraction: 0.3, outsideFraction: 0.1,
});
const weights = equalWeights(cloud.nParticles);
const set = smoothedSearchAreas(cloud, weights, [50, 90]);

function driftingShareInside(r: TrajectoryResult, t: number, g: Polygon | MultiPolygon): number {
  let n = 0;
  let inside = 0;
  for (let p = 0; p < r.nParticles; p++) {
    const i = p * r.nTimes + t;
    if (r.status[i] !== STATUS.ACTIVE) continue;
    n++;
    if (booleanPointInPolygon([at(r.lonDeg, i), at(r.latDeg, i)], g)) inside++;
  }
  return inside / n;
}

describe('smoothedSearchAreas (drifting particles only)', () => {
  it('gives one datum and one area per percent at every time, each holding ≥ p of the drifting particles', () => {
    expect(set.datums).toHaveLength(T);
    expect(set.areas).toHaveLength(2 * T);
    for (const a of set.areas) {
      const t = Array.from(cloud.timesSec).indexOf(a.timeSec);
      // −0.5 point: the polygons are rounded to 1e-6° (≈0.1 m), which can move a particle on an edge.
      expect(driftingShareInside(cloud, t, a.geometry)).toBeGreaterThanOrEqual(a.percent / 100 - 0.005);
      expect(a.pieces).toBeLessThanOrEqual(3); // one cloud: a few pieces at most
      expect(a.areaNm2! * 3.429904).toBeCloseTo(a.areaKm2, 6); // 1 NM² = 3.429904 km²
    }
  });

  it('ignores stranded and outside particles: moving them 1° away changes nothing', () => {
    const moved: TrajectoryResult = { ...cloud, lonDeg: Float32Array.from(cloud.lonDeg), latDeg: Float32Array.from(cloud.latDeg) };
    for (let i = 0; i < moved.status.length; i++) {
      if (moved.status[i] === STATUS.STRANDED || moved.status[i] === STATUS.OUTSIDE) moved.lonDeg[i] = at(moved.lonDeg, i) + 1;
    }
    const again = smoothedSearchAreas(moved, weights, [50, 90]);
    expect(again.areas.map((a) => a.geometry)).toEqual(set.areas.map((a) => a.geometry));
    expect(again.datums.map((d) => [d.lonDeg, d.latDeg])).toEqual(set.datums.map((d) => [d.lonDeg, d.latDeg]));
    const last = set.datums.at(-1)!;
    // 30 % stranded + 10 % outside at the last time, the rest drifting (equal weights 1/2000).
    expect(last.strandedMass).toBeCloseTo(0.3, 9);
    expect(last.outsideMass).toBeCloseTo(0.1, 9);
    expect(last.driftingMass).toBeCloseTo(0.6, 9);
    expect(last.probableErrorM).toBeGreaterThan(0);
  });

  it('follows the weights: all weight on the eastern half moves the datum east', () => {
    const t = T - 1;
    const east = new Float64Array(cloud.nParticles);
    let lonMid = 0;
    for (let p = 0; p < cloud.nParticles; p++) lonMid += at(cloud.lonDeg, p * T + t) / cloud.nParticles;
    for (let p = 0; p < cloud.nParticles; p++) east[p] = at(cloud.lonDeg, p * T + t) > lonMid ? 1 : 0;
    const weighted = smoothedSearchAreas(cloud, east, [50]);
    expect(weighted.datums.at(-1)!.lonDeg).toBeGreaterThan(set.datums.at(-1)!.lonDeg + 0.005); // σ ≈ 3.3 km ≈ 0.06° here
  });

  it('GeoJSON features carry time, percent, area_km2, area_nm2, bbox and the datum its probable error', () => {
    const fc = searchAreasGeoJson(set, seededContext({ lonDeg: 4.6, latDeg: 60.3 }), cloud);
    const areas = fc.features.filter((f) => f.properties?.kind === 'search_area');
    expect(areas).toHaveLength(2 * T);
    for (const f of areas) {
      for (const k of ['time', 'percent', 'area_km2', 'area_nm2', 'bbox']) expect(f.properties, k).toHaveProperty(k);
      const [w, s, e, n] = f.bbox!;
      expect(w).toBeLessThan(e!);
      expect(s).toBeLessThan(n!);
    }
    const datum = fc.features.find((f) => f.properties?.kind === 'datum');
    expect(datum?.properties?.probable_error_m).toBeGreaterThan(0);
  });

  it('cuts areas at the antimeridian: every longitude in [−180, 180], containment kept', () => {
    // Centred 0.02° (≈1 km at 60° N) west of 180°, σ growing to 3.3 km: the cloud straddles the meridian.
    const across = syntheticCloud({ nParticles: 2000, nTimes: T, lon0Deg: 179.98, lat0Deg: 60.3, sigma0M: 300, sigmaGrowthMPerStep: 250 });
    const s = smoothedSearchAreas(across, equalWeights(across.nParticles), [50, 90]);
    let split = 0;
    for (const a of s.areas) {
      const lons = JSON.stringify(a.geometry.coordinates).match(/-?\d+\.?\d*(?=,-?\d)/g)!.map(Number);
      expect(Math.max(...lons.map(Math.abs))).toBeLessThanOrEqual(180);
      if (a.geometry.type === 'MultiPolygon' && lons.some((l) => l > 0) && lons.some((l) => l < 0)) split++;
      const t = Array.from(across.timesSec).indexOf(a.timeSec);
      expect(driftingShareInside(across, t, a.geometry)).toBeGreaterThanOrEqual(a.percent / 100 - 0.005);
    }
    expect(split).toBeGreaterThan(T); // most levels at most times straddle the meridian
  });
});
