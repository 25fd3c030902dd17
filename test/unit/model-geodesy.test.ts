import geodesic from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { wrapLonDeg } from '../../src/model/geo.js';
import { GeodesicSegment, moveGeodesic } from '../../src/model/geodesy.js';
import { distanceM } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

const WGS84 = geodesic.Geodesic.WGS84;

/** Distance between our move and Karney's direct solution (geographiclib), metres. */
function moveErrorM(lonDeg: number, latDeg: number, azDeg: number, distM: number): number {
  const lon = Float64Array.of(lonDeg);
  const lat = Float64Array.of(latDeg);
  const az = (azDeg * Math.PI) / 180;
  moveGeodesic(lon, lat, 0, distM * Math.sin(az), distM * Math.cos(az));
  const r = WGS84.Direct(latDeg, lonDeg, azDeg, distM);
  return distanceM(r.lon2!, r.lat2!, at(lon, 0), at(lat, 0));
}

describe('moveGeodesic against Karney (geographiclib) on WGS84', () => {
  // Steps of a Leeway run: 0.05–2 m/s × 60–3600 s, i.e. 3 m to 7 km; radii and long steps go further.
  it.each([10, 300, 1000, 5000, 10_000, 20_000, 100_000, 1_000_000])('error per step below 1 mm for %d m at every latitude and azimuth', (distM) => {
    let worst = 0;
    for (let lat = -89.75; lat <= 89.75; lat += 0.5) {
      for (let az = 0; az < 360; az += 7.5) worst = Math.max(worst, moveErrorM(-30.3, lat, az, distM));
    }
    // Requirement: < 1 cm per step. The series is used up to 10 km (and 100 km·cos²φ), where its worst
    // case is 0.36 mm; beyond, the move is Karney's own solution.
    expect(worst).toBeLessThan(1e-3);
  });

  it('crosses the antimeridian and the poles like geod.fwd (lon in [-180, 180))', () => {
    const lon = Float64Array.of(179.999);
    const lat = Float64Array.of(10);
    moveGeodesic(lon, lat, 0, 1000, 0);
    expect(lon[0]).toBeLessThan(-179.99);
    expect(lon[0]).toBeGreaterThanOrEqual(-180);
    // 20 km due north from 89.9° N: over the pole and down the other side (180° away in longitude).
    const plon = Float64Array.of(10);
    const plat = Float64Array.of(89.9);
    moveGeodesic(plon, plat, 0, 0, 20_000);
    const r = WGS84.Direct(89.9, 10, 0, 20_000);
    expect(distanceM(r.lon2!, r.lat2!, at(plon, 0), at(plat, 0))).toBeLessThan(1e-6);
    expect(plon[0]).toBeCloseTo(-170, 6);
  });

  it('does nothing for a zero displacement', () => {
    const lon = Float64Array.of(12.3456789);
    const lat = Float64Array.of(-45.6789);
    moveGeodesic(lon, lat, 0, 0, 0);
    expect([lon[0], lat[0]]).toEqual([12.3456789, -45.6789]);
  });

  it('wraps longitudes into [-180, 180)', () => {
    expect(wrapLonDeg(180)).toBe(-180);
    expect(wrapLonDeg(-180)).toBe(-180);
    expect(wrapLonDeg(359.5)).toBe(-0.5);
    expect(wrapLonDeg(-540.25)).toBe(179.75);
    expect(wrapLonDeg(12)).toBe(12);
  });
});

describe('GeodesicSegment (pyproj npts)', () => {
  it('puts n points strictly between the ends, equally spaced along the geodesic', () => {
    const seg = new GeodesicSegment(4.5, 60.1, 4.7, 60);
    const n = 100;
    const out = new Float64Array(2);
    const pts: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) {
      seg.intermediatePoint(k, n, out);
      pts.push([at(out, 0), at(out, 1)]);
    }
    const spacing = seg.lengthM / (n + 1);
    // 1e-6 m: geographiclib's own round-off at these distances.
    expect(distanceM(4.5, 60.1, at(pts, 0)[0], at(pts, 0)[1])).toBeCloseTo(spacing, 6);
    expect(distanceM(at(pts, n - 1)[0], at(pts, n - 1)[1], 4.7, 60)).toBeCloseTo(spacing, 6);
    for (let k = 1; k < n; k++) expect(distanceM(at(pts, k - 1)[0], at(pts, k - 1)[1], at(pts, k)[0], at(pts, k)[1])).toBeCloseTo(spacing, 6);
  });
});
