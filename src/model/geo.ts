/**
 * Earth figures and longitude arithmetic shared by the model, forcing, land and products: one home for
 * each constant, so they cannot drift apart. Pure (no imports).
 */

/** WGS84 semi-major axis, metres. */
export const WGS84_A_M = 6378137;
/** WGS84 flattening. */
export const WGS84_F = 1 / 298.257223563;
/** First eccentricity squared, e² = f(2 − f) = 0.0066943799901413. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);

/** Prime-vertical radius of curvature N = a / √(1 − e² sin²φ), metres, from sin φ (east-west: N·cos φ per radian of longitude). */
export function primeVerticalRadiusM(sinPhi: number): number {
  const w = 1 - WGS84_E2 * sinPhi * sinPhi;
  return WGS84_A_M / Math.sqrt(w);
}

/** Meridional radius of curvature M = a(1 − e²) / (1 − e² sin²φ)^(3/2), metres, from sin φ (north-south, per radian of latitude). */
export function meridionalRadiusM(sinPhi: number): number {
  const w = 1 - WGS84_E2 * sinPhi * sinPhi;
  return (WGS84_A_M * (1 - WGS84_E2)) / (w * Math.sqrt(w));
}

/**
 * Metres per degree of latitude on the WGS-84 ellipsoid, averaged (111 320 m; 111 132 at the equator,
 * 111 694 at the poles): for sizing windows, lattices and grids, where the ~0.3 % error is irrelevant.
 * Never for moving particles (src/model/geodesy.ts does that on the ellipsoid).
 */
export const M_PER_DEG_LAT = 111_320;

/** Longitude into [-180, 180); a longitude already inside is returned unchanged (to the bit). */
export function wrapLonDeg(lonDeg: number): number {
  if (lonDeg >= 180 || lonDeg < -180) lonDeg -= 360 * Math.floor((lonDeg + 180) / 360);
  return lonDeg;
}

/** Longitude moved by whole turns to within [ref - 180, ref + 180). */
export function unwrapLonDeg(lonDeg: number, refLonDeg: number): number {
  let d = lonDeg - refLonDeg;
  while (d >= 180) d -= 360;
  while (d < -180) d += 360;
  return refLonDeg + d;
}

/**
 * A regular lon/lat grid of cells: cell (x, y) spans [westDeg + x·dLonDeg, + dLonDeg) ×
 * [southDeg + y·dLatDeg, + dLatDeg); x runs east (and may pass 180), y north.
 */
export interface LonLatCellGrid {
  /** West edge of column 0. */
  westDeg: number;
  /** South edge of row 0. */
  southDeg: number;
  dLonDeg: number;
  dLatDeg: number;
  nx: number;
  ny: number;
}
