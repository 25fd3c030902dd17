/**
 * Moving a point by a displacement on the WGS84 ellipsoid, as OpenDrift does with
 * `pyproj.Geod(ellps='WGS84').fwd` (Karney's solution of the direct geodesic problem).
 *
 * Every move (`moveGeodesic`, and `moveParticleTwice` in the model's step) uses the third-order Taylor expansion of the geodesic in the distance s,
 * derived from the geodesic equations dφ/ds = cos α / M, dλ/ds = sin α / (N cos φ),
 * dα/ds = sin α tan φ / N: the first- and second-order terms are exact for the ellipsoid, the third-order
 * terms use a sphere of radius³ M·N². Against Karney (geographiclib) its error is below 1 µm for 1 km
 * steps and at most 0.36 mm at the limits where it is used (s ≤ 10 km and s ≤ 100 km·cos²φ, which keeps the
 * tan φ growth near the poles in check); beyond them, and across a pole, the exact solution is used
 * (test/unit/model-geodesy.test.ts measures the error over latitudes, azimuths and distances).
 */
import geodesic from 'geographiclib-geodesic';
import { WGS84_A_M, WGS84_E2, wrapLonDeg } from './geo.js';

const DEG = Math.PI / 180;
const RAD = 180 / Math.PI;
const ONE_MINUS_E2 = 1 - WGS84_E2;
const HALF_3_E2 = 1.5 * WGS84_E2;
/** s² limits of the series (m²): s ≤ 10 km, and s ≤ 100 km · cos²φ. */
const MAX_SERIES_S2_M2 = 1e8;
const MAX_SERIES_S2_COS4_M2 = 1e10;

const WGS84 = geodesic.Geodesic.WGS84;
const LATLON = geodesic.Geodesic.LATITUDE | geodesic.Geodesic.LONGITUDE;

const INV_A = 1 / WGS84_A_M;
const INV_A_ONE_MINUS_E2 = 1 / (WGS84_A_M * ONE_MINUS_E2);

/**
 * Scratch of the series: in sin φ, cos φ, x east m, y north m; out dφ rad, dλ rad. Numbers pass
 * through this record rather than as arguments and return values: a call that V8 does not inline would
 * box every double argument into a heap object, i.e. allocate on every particle-step. A record with
 * named fields rather than a Float64Array: no indexed read, so nothing to check under
 * noUncheckedIndexedAccess. The fields start as NaN, a double, so V8 gives them the double
 * representation at once and later stores update them in place (a 0 would start them as small
 * integers and change the record's shape on the first double stored).
 */
const sv = { sinLat: NaN, cosLat: NaN, eastM: NaN, northM: NaN, dPhiRad: NaN, dLamRad: NaN };

/**
 * Third-order series of the geodesic (see the file comment), on `sv`. The caller checks `seriesFits`.
 * W = (1 − e² sin²φ)^(1/2) comes from its binomial series to u⁵ (u = e² sin²φ ≤ 0.0067: the first
 * term left out is below 3e-15 relative), so a move costs one division and no square root.
 */
function seriesStep(): void {
  const s = sv.sinLat;
  const c = sv.cosLat;
  const x = sv.eastM;
  const y = sv.northM;
  const u = WGS84_E2 * s * s;
  const w = 1 - u * (0.5 + u * (0.125 + u * (0.0625 + u * (0.0390625 + u * 0.02734375))));
  const invW2 = 1 + u * (1 + u * (1 + u)); // 1/W², only in a term 1e-5 of the move: u⁴ error is nothing
  const invC = 1 / c;
  const invN = w * INV_A; // 1/N, N = a/W: prime-vertical radius of curvature
  const invM = w * w * w * INV_A_ONE_MINUS_E2; // 1/M, M = a(1 − e²)/W³: meridional radius
  const t = s * invC;
  const xx = x * x;
  const tt = 1 + 3 * t * t;
  const inv6R3 = invM * invN * invN * (1 / 6);
  sv.dPhiRad = y * invM - 0.5 * xx * t * invM * invN - HALF_3_E2 * s * c * y * y * invW2 * invM * invM - xx * y * tt * inv6R3;
  sv.dLamRad = (x * invN + x * y * t * invN * invN + 2 * x * (y * y * tt - xx * t * t) * inv6R3) * invC;
}

/** Whether a move of s² = x² + y² (m²) from a latitude with cos² φ = c2 is within the series limits. */
function seriesFits(s2: number, c2: number): boolean {
  return s2 <= MAX_SERIES_S2_M2 && s2 <= MAX_SERIES_S2_COS4_M2 * c2 * c2;
}

function exactMove(lonDeg: Float64Array, latDeg: Float64Array, i: number, x: number, y: number): void {
  const s2 = x * x + y * y;
  if (s2 === 0) return;
  const lat = latDeg[i];
  const lon = lonDeg[i];
  if (lat === undefined || lon === undefined) return;
  const r = WGS84.Direct(lat, lon, Math.atan2(x, y) * RAD, Math.sqrt(s2), LATLON);
  // LATLON asks geographiclib for lat2/lon2: always present (its types mark every output optional).
  latDeg[i] = r.lat2 ?? NaN;
  lonDeg[i] = wrapLonDeg(r.lon2 ?? NaN);
}

/** Longitude after a small move: at most one wrap. */
function wrapSmall(lonDeg: number): number {
  return lonDeg >= 180 ? lonDeg - 360 : lonDeg < -180 ? lonDeg + 360 : lonDeg;
}

/**
 * Moves point i of (lonDeg, latDeg) in place by eastM metres east and northM metres north, i.e. along
 * the geodesic that starts with azimuth atan2(eastM, northM) for a length hypot(eastM, northM).
 * For seeding and tests; the model's step uses `moveParticleTwice`.
 */
export function moveGeodesic(lonDeg: Float64Array, latDeg: Float64Array, i: number, eastM: number, northM: number): void {
  const latD = latDeg[i];
  const lonD = lonDeg[i];
  // Out of range: nothing to move (a typed array ignores writes past its end, as it did before this check).
  if (latD === undefined || lonD === undefined) return;
  const phi = latD * DEG;
  const s = Math.sin(phi);
  const c = Math.cos(phi);
  if (!seriesFits(eastM * eastM + northM * northM, c * c)) {
    exactMove(lonDeg, latDeg, i, eastM, northM);
    return;
  }
  sv.sinLat = s;
  sv.cosLat = c;
  sv.eastM = eastM;
  sv.northM = northM;
  seriesStep();
  latDeg[i] = latD + sv.dPhiRad * RAD;
  lonDeg[i] = wrapSmall(lonD + sv.dLamRad * RAD);
}

/** Particle positions with sin φ and cos φ kept alongside, so the hot path needs no trigonometry. */
export interface TrigPositions {
  lonDeg: Float64Array;
  latDeg: Float64Array;
  sinLat: Float64Array;
  cosLat: Float64Array;
}

/** Sets sinLat/cosLat of points [i0, i1) from their latitude (after positions are set from outside). */
export function syncTrig(pos: TrigPositions, i0: number, i1: number): void {
  const latDeg = pos.latDeg;
  for (let i = i0; i < i1; i++) {
    const lat = latDeg[i];
    if (lat === undefined) return; // past the end: a typed array ignores the writes anyway
    const phi = lat * DEG;
    pos.sinLat[i] = Math.sin(phi);
    pos.cosLat[i] = Math.cos(phi);
  }
}

/** One move of point i by sv.eastM, sv.northM, updating sin φ and cos φ by the angle sum. */
function moveWithTrig(pos: TrigPositions, i: number): void {
  const x = sv.eastM;
  const y = sv.northM;
  const s = pos.sinLat[i];
  const c = pos.cosLat[i];
  const latD = pos.latDeg[i];
  const lonD = pos.lonDeg[i];
  // Out of range: nothing to move (a typed array ignores writes past its end, as it did before this check).
  if (s === undefined || c === undefined || latD === undefined || lonD === undefined) return;
  if (!seriesFits(x * x + y * y, c * c)) {
    exactMove(pos.lonDeg, pos.latDeg, i, x, y);
    syncTrig(pos, i, i + 1);
    return;
  }
  sv.sinLat = s;
  sv.cosLat = c;
  seriesStep();
  const dPhi = sv.dPhiRad;
  // sin and cos of dφ by their Taylor series: |dφ| <= 1.6e-3 rad within the series limits, so the
  // first terms left out are below 1e-16.
  const d2 = dPhi * dPhi;
  const cosD = 1 - d2 * (0.5 - d2 * (1 / 24));
  const sinD = dPhi * (1 - d2 * (1 / 6) * (1 - d2 * (1 / 20)));
  pos.sinLat[i] = s * cosD + c * sinD;
  pos.cosLat[i] = c * cosD - s * sinD;
  pos.latDeg[i] = latD + dPhi * RAD;
  pos.lonDeg[i] = wrapSmall(lonD + sv.dLamRad * RAD);
}

/**
 * Displacements for `moveParticleTwice`, metres. Set them, then call (a record, not arguments: see `sv`;
 * NaN to start the fields as doubles, as there).
 */
export const TWO_MOVES = { east1M: NaN, north1M: NaN, east2M: NaN, north2M: NaN };

/**
 * A Leeway step's two moves of point i: leeway (TWO_MOVES.east1M, north1M), then current (east2M,
 * north2M) from where the leeway left it, each as `moveGeodesic`, with sin φ and cos φ carried in `pos`.
 */
export function moveParticleTwice(pos: TrigPositions, i: number): void {
  sv.eastM = TWO_MOVES.east1M;
  sv.northM = TWO_MOVES.north1M;
  moveWithTrig(pos, i);
  sv.eastM = TWO_MOVES.east2M;
  sv.northM = TWO_MOVES.north2M;
  moveWithTrig(pos, i);
}

/** One more move of point i by (eastM, northM), as each of `moveParticleTwice`'s (Stokes drift's third move). */
export function moveParticleOnce(pos: TrigPositions, i: number, eastM: number, northM: number): void {
  sv.eastM = eastM;
  sv.northM = northM;
  moveWithTrig(pos, i);
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
    out[0] = wrapLonDeg(p.lon2 ?? NaN);
    out[1] = p.lat2 ?? NaN;
  }

  /**
   * `pyproj.Geod.npts(lon0, lat0, lon1, lat1, n)` point k (0-based): n points equally spaced strictly
   * between the two ends, point k at (k + 1)/(n + 1) of the length.
   */
  intermediatePoint(k: number, n: number, out: Float64Array): void {
    this.pointAt((k + 1) * (this.lengthM / (n + 1)), out);
  }
}
