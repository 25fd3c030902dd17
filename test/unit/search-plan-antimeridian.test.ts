/**
 * A search plan on a cloud straddling the antimeridian (issue 8 item 4: the files agree across ±180).
 * Particles as particles.nc stores them (longitudes wrapped into [-180, 180)). Reference: the same
 * cloud 10° west, away from the antimeridian. The local frame is the same metric plane whatever the
 * longitude, so the rectangles must be the same ones moved by exactly 10° (to the 6-decimal rounding
 * of the products), and the GeoJSON geometry, cut at ±180, must hold the unit's POC.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { wrapLonDeg } from '../../src/model/geo.js';
import { weightedCloud } from '../../src/search/datum.js';
import { planSearch } from '../../src/search/plan.js';
import { formatDdm, searchPlanGeoJson, searchPlanKml, splitConvexRingAtAntimeridian } from '../../src/products/search-plan-format.js';
import { gaussianCloud } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

const UNITS = [
  { name: 'helo', speedKn: 90, enduranceH: 1, sweepWidthNm: 0.5 },
  { name: 'boat', speedKn: 12, enduranceH: 4, sweepWidthNm: 0.5 },
];
const WIN = [{ startTimeSec: Date.UTC(2024, 2, 1, 6) / 1000, endTimeSec: Date.UTC(2024, 2, 1, 8) / 1000, law: 'exponential' as const }];
const N = 4000;

interface Feature {
  bbox: number[];
  geometry: Polygon | MultiPolygon;
  properties: { unit: string; poc: number; corners: number[][]; corners_ddm: string[] };
}

function planAt(lon0: number) {
  // 8 × 3 km cloud centred on lon0 (−17°S, Fiji's latitude), rotated 30°; longitudes wrapped as the model writes them.
  const g = gaussianCloud(N, 7, { lon0, lat0: -17, sxM: 8000, syM: 3000, rotRad: Math.PI / 6 });
  const lon = g.lon.map(wrapLonDeg);
  const plan = planSearch(weightedCloud(lon, g.lat, g.w)!, UNITS, 'exponential');
  const fc = searchPlanGeoJson(plan, WIN) as { features: Feature[] };
  return { lon, lat: g.lat, w: g.w, plan, fc };
}

/** Weight of the particles inside a (Multi)Polygon, point in polygon by turf. */
function weightIn(geom: Polygon | MultiPolygon, lon: Float64Array, lat: Float64Array, w: Float64Array): number {
  let m = 0;
  for (let i = 0; i < lon.length; i++) if (booleanPointInPolygon([at(lon, i), at(lat, i)], geom)) m += at(w, i);
  return m;
}

describe('search plan across the antimeridian', () => {
  const across = planAt(180);
  const west = planAt(170);

  it('the cloud really straddles ±180 in the input (particles on both sides)', () => {
    expect(across.lon.some((x) => x > 179.9)).toBe(true);
    expect(across.lon.some((x) => x < -179.9)).toBe(true);
  });

  it('gives the same rectangles and POS as the cloud 10° west, moved by 10° (corners to 1e-6°)', () => {
    expect(across.plan.units.map((u) => u.unit)).toEqual(['helo', 'boat']);
    across.plan.units.forEach((u, k) => {
      const ref = at(west.plan.units, k);
      expect(u.pos).toBeCloseTo(ref.pos, 12);
      expect(u.poc).toBeCloseTo(ref.poc, 12);
      expect(u.areaNm2).toBeCloseTo(ref.areaNm2, 9);
      expect(u.centreLonDeg).toBeGreaterThanOrEqual(-180);
      expect(u.centreLonDeg).toBeLessThan(180);
      // 2e-6°: both sides are rounded to 1e-6° (0.1 m) independently.
      expect(Math.abs(wrapLonDeg(u.centreLonDeg - ref.centreLonDeg - 10))).toBeLessThanOrEqual(2e-6);
      const f = at(across.fc.features, k).properties;
      const g = at(west.fc.features, k).properties;
      f.corners.forEach(([lon, lat], c) => {
        const [rlon, rlat] = at(g.corners, c);
        expect(lon).toBeGreaterThanOrEqual(-180);
        expect(lon).toBeLessThan(180);
        expect(Math.abs(wrapLonDeg(lon! - rlon! - 10))).toBeLessThanOrEqual(2e-6);
        expect(lat).toBeCloseTo(rlat!, 6);
        expect(f.corners_ddm[c]).toBe(formatDdm(lon!, lat!));
      });
    });
  });

  it('GeoJSON: the straddling rectangle is a MultiPolygon cut at ±180, every longitude in [-180, 180], holding the unit\'s POC', () => {
    const helo = at(across.fc.features, 0);
    expect(helo.geometry.type).toBe('MultiPolygon'); // the best rectangle sits on the datum, at 180°
    const coords = (helo.geometry as MultiPolygon).coordinates.flat(2);
    for (const [lon] of coords) {
      expect(lon).toBeGreaterThanOrEqual(-180);
      expect(lon).toBeLessThanOrEqual(180);
    }
    expect(coords.some(([lon]) => lon === 180)).toBe(true);
    expect(coords.some(([lon]) => lon === -180)).toBe(true);
    expect(helo.bbox[0]).toBeGreaterThan(at(helo.bbox, 2)); // west > east across the antimeridian (RFC 7946 §5.2)
    for (const [k, f] of across.fc.features.entries()) {
      // A particle within the 6-decimal rounding (0.1 m) of an edge could flip: one particle's weight.
      expect(Math.abs(weightIn(f.geometry, across.lon, across.lat, across.w) - at(across.plan.units, k).poc)).toBeLessThanOrEqual(1 / N + 1e-12);
    }
    // Away from ±180: one Polygon each.
    expect(west.fc.features.map((f) => f.geometry.type)).toEqual(['Polygon', 'Polygon']);
  });

  it('KML: every coordinate wrapped into [-180, 180)', () => {
    const kml = searchPlanKml(across.plan, WIN);
    const lons = [...kml.matchAll(/<coordinates>([^<]+)<\/coordinates>/g)].flatMap((m) => at(m, 1).split(' ').map((p) => Number(p.split(',')[0])));
    expect(lons.length).toBe(10);
    for (const lon of lons) {
      expect(lon).toBeGreaterThanOrEqual(-180);
      expect(lon).toBeLessThan(180);
    }
    expect(lons.some((x) => x > 179)).toBe(true);
    expect(lons.some((x) => x < -179)).toBe(true);
  });

  it('splitConvexRingAtAntimeridian: a unit square over 180° in two halves of equal area, shifted to -180', () => {
    const parts = splitConvexRingAtAntimeridian([[179.5, 0], [180.5, 0], [180.5, 1], [179.5, 1], [179.5, 0]]);
    expect(parts).toHaveLength(2);
    const area = (r: number[][]) => Math.abs(r.slice(0, -1).reduce((s, [x = NaN, y = NaN], i) => s + x * at(at(r, i + 1), 1) - at(at(r, i + 1), 0) * y, 0)) / 2;
    expect(parts.map(area)).toEqual([0.5, 0.5]);
    expect(Math.min(...at(parts, 1).map((p) => at(p, 0)))).toBe(-180);
    expect(Math.max(...at(parts, 1).map((p) => at(p, 0)))).toBe(-179.5);
    expect(splitConvexRingAtAntimeridian([[10, 0], [11, 0], [11, 1], [10, 0]])).toHaveLength(1);
  });
});
