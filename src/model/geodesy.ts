/**
 * Moving a point by a displacement on the WGS84 ellipsoid, as OpenDrift does with
 * `pyproj.Geod(ellps='WGS84').fwd` (Karney's solution of the direct geodesic problem).
 *
 * The hot path (`moveGeodesic`) uses the third-order Taylor expansion of the geodesic in the distance s,
 * derived from the geodesic equations dφ/ds = cos α / M, dλ/ds = sin α / (N cos φ),
 * dα/ds = sin α tan φ / N: the first- and second-order terms are exact for the ellipsoid, the third-order
 * terms use a sphere of radius³ M·N². Against Karney (geographiclib) its error is below 0.3 µm for 1 km
 * steps and below 2 mm at the limits where it is used (s ≤ 10 km and s ≤ 100 km·cos²φ, which keeps the
 * tan φ growth near the poles in check); beyond them, and across a pole, the exact solution is used
 * (test/unit/model-geodesy.test.ts measures the error over latitudes, azimuths and distances).
 */
import geodesic from 'geographiclib-geodesic';

/** WGS84 semi-major axis, metres. */
export const WGS84_A_M = 6378137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
/** First eccentricity squared, e² = f(2 − f). */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);

const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
const ONE_MINUS_E2 = 1 - WGS84_E2;
const HALF_3_E2 = 1.5 * WGS84_E2;
/** s² limits of the series (m²): s ≤ 10 km, and s ≤ 100 km · cos²φ. */
const MAX_SERIES_S2_M2 = 1e8;
const MAX_SERIES_S2_COS4_M2 = 1e10;

const WGS84 = geodesic.Geodesic.WGS84;
const LATLON = geodesic.Geodesic.LATITUDE | geodesic.Geodesic.LONGITUDE;

/** Longitude into [-180, 180). */
export function wrapLonDeg(lonDeg: number): number {
  if (lonDeg >= 180 || lonDeg < -180) lonDeg -= 360 * Math.floor((lonDeg + 180) / 360);
  return lonDeg;
}

/**
 * Moves point i of (lonDeg, latDeg) in place by eastM metres east and northM metres north, i.e. along
 * the geodesic that starts with azimuth atan2(eastM, northM) for a length hypot(eastM, northM).
 * Allocation-free except in the rare exact fallback.
 */
export function moveGeodesic(lonDeg: Float64Array, latDeg: Float64Array, i: number, eastM: number, northM: number): void {
  const latD = latDeg[i]!;
  const phi = latD * DEG;
  const s = Math.sin(phi);
  const c = Math.cos(phi);
  const x = eastM;
  const y = northM;
  const s2 = x * x + y * y;
  const c2 = c * c;
  if (s2 <= MAX_SERIES_S2_M2 && s2 <= MAX_SERIES_S2_COS4_M2 * c2 * c2) {
    const w2 = 1 - WGS84_E2 * s * s;
    const n = WGS84_A_M / Math.sqrt(w2); // prime-vertical radius of curvature N
    const m = (n * ONE_MINUS_E2) / w2; // meridional radius of curvature M
    const t = s / c;
    const invM = 1 / m;
    const invN = 1 / n;
    const invC = 1 / c;
    const xx = x * x;
    const tt = 1 + 3 * t * t;
    const inv6R3 = invM * invN * invN * (1 / 6);
    const dPhi = y * invM - 0.5 * xx * t * invM * invN - (HALF_3_E2 * s * c * y * y) / (w2 * m * m) - xx * y * tt * inv6R3;
    const dLam = (x * invN + x * y * t * invN * invN + 2 * x * (y * y * tt - xx * t * t) * inv6R3) * invC;
    latDeg[i] = latD + dPhi * RAD;
    lonDeg[i] = wrapLonDeg(lonDeg[i]! + dLam * RAD);
    return;
  }
  if (s2 === 0) return;
  const r = WGS84.Direct(latD, lonDeg[i]!, Math.atan2(x, y) * RAD, Math.sqrt(s2), LATLON);
  latDeg[i] = r.lat2!;
  lonDeg[i] = wrapLonDeg(r.lon2!);
}

/** Karney's direct solution (geographiclib): the point at distM along azimuth azDeg. Allocates. */
export function geodesicDirect(lonDeg: number, latDeg: number, azDeg: number, distM: number): { lonDeg: number; latDeg: number } {
  const r = WGS84.Direct(latDeg, lonDeg, azDeg, distM, LATLON);
  return { lonDeg: wrapLonDeg(r.lon2!), latDeg: r.lat2! };
}

/** A geodesic between two points, for `pyproj.Geod.npts`-style points along it. */
export class GeodesicSegment {
  private readonly line: ReturnType<typeof WGS84.InverseLine>;
  readonly lengthM: number;

  constructor(lon0Deg: number, lat0Deg: number, lon1Deg: number, lat1Deg: number) {
    this.line = WGS84.InverseLine(lat0Deg, lon0Deg, lat1Deg, lon1Deg, LATLON | geodesic.Geodesic.DISTANCE_IN);
    this.lengthM = this.line.s13;
  }

  /** Writes [lonDeg, latDeg] of the point sM metres from the start into out. */
  pointAt(sM: number, out: Float64Array): void {
    const p = this.line.Position(sM, LATLON);
    out[0] = wrapLonDeg(p.lon2!);
    out[1] = p.lat2!;
  }

  /**
   * `pyproj.Geod.npts(lon0, lat0, lon1, lat1, n)` point k (0-based): n points equally spaced strictly
   * between the two ends, point k at (k + 1)/(n + 1) of the length.
   */
  intermediatePoint(k: number, n: number, out: Float64Array): void {
    this.pointAt((k + 1) * (this.lengthM / (n + 1)), out);
  }
}
