/**
 * Land look-ups of a run, pure functions over a LandSampler (OPENDRIFT_LEEWAY.md §4.4, §8).
 *
 *  - `coastlineCrossing`: where a stranded particle is put. OpenDrift (`interact_with_coastline`, with
 *    `general:coastline_approximation_precision`, default 0.001°) spans a lon/lat lattice from the
 *    previous (water) position to the landed position, nx = floor(|Δlon|/precision) columns (1 if
 *    |Δlon| <= precision) by ny rows likewise, both through numpy linspace from the previous to the
 *    new coordinate, and takes the first land node in row-major order (rows from the previous latitude).
 *  - `nearestWater`: OpenDrift `closest_ocean_points`, for particles seeded on land: the nearest water
 *    node, by Euclidean distance in degrees, of a 0.01° lattice starting 0.1° west/south of the seeded
 *    particles' bounding box and ending 0.1° east/north of it (numpy arange). Particles with no water node
 *    on the lattice stay where they are.
 */
import type { LandSampler } from './types.js';

/** numpy linspace(a, b, n)[i]: a + i·(b − a)/(n − 1), the last value exactly b. */
function linspaceAt(a: number, b: number, n: number, i: number): number {
  if (n === 1) return a;
  if (i === n - 1) return b;
  return a + i * ((b - a) / (n - 1));
}

/**
 * First land node between the previous and the landed position (see above); writes [lon, lat] into out
 * and returns true, or returns false (the particle keeps its landed position).
 */
export function coastlineCrossing(
  land: LandSampler,
  prevLonDeg: number,
  prevLatDeg: number,
  lonDeg: number,
  latDeg: number,
  precisionDeg: number,
  out: Float64Array,
  /**
   * true: the first land node (OpenDrift's land_side=True, coastline action 'stranding'); false: the node
   * before it in the same row-major order, or the first node if that is land (land_side=False, action
   * 'previous').
   */
  landSide = true,
): boolean {
  const dLon = Math.abs(prevLonDeg - lonDeg);
  const dLat = Math.abs(prevLatDeg - latDeg);
  const nx = dLon > precisionDeg ? Math.floor(dLon / precisionDeg) : 1;
  const ny = dLat > precisionDeg ? Math.floor(dLat / precisionDeg) : 1;
  let beforeX = prevLonDeg;
  let beforeY = prevLatDeg;
  for (let j = 0; j < ny; j++) {
    const y = linspaceAt(prevLatDeg, latDeg, ny, j);
    for (let i = 0; i < nx; i++) {
      const x = linspaceAt(prevLonDeg, lonDeg, nx, i);
      if (land.isLand(x, y)) {
        out[0] = landSide || (i === 0 && j === 0) ? x : beforeX;
        out[1] = landSide || (i === 0 && j === 0) ? y : beforeY;
        return true;
      }
      beforeX = x;
      beforeY = y;
    }
  }
  return false;
}

/** A regular lon/lat lattice of candidate water points. */
export interface WaterSearchGrid {
  lon0Deg: number;
  lat0Deg: number;
  stepDeg: number;
  nx: number;
  ny: number;
}

/** OpenDrift's lattice step and margin for `closest_ocean_points`. */
export const WATER_GRID_STEP_DEG = 0.01;
export const WATER_GRID_MARGIN_CELLS = 10;

/** The lattice over [west, east] × [south, north] grown by the margin (numpy arange from the lower end). */
export function waterSearchGrid(westDeg: number, eastDeg: number, southDeg: number, northDeg: number): WaterSearchGrid {
  const step = WATER_GRID_STEP_DEG;
  const margin = WATER_GRID_MARGIN_CELLS * step;
  const lon0 = westDeg - margin;
  const lat0 = southDeg - margin;
  return {
    lon0Deg: lon0,
    lat0Deg: lat0,
    stepDeg: step,
    nx: Math.max(1, Math.ceil((eastDeg + margin - lon0) / step)),
    ny: Math.max(1, Math.ceil((northDeg + margin - lat0) / step)),
  };
}

/** OpenDrift's lattice for the seeded positions [i0, i1): their bounding box plus the margin. */
export function waterSearchGridFor(lonDeg: Float64Array, latDeg: Float64Array, i0: number, i1: number): WaterSearchGrid {
  let w = Infinity;
  let e = -Infinity;
  let s = Infinity;
  let n = -Infinity;
  for (let k = i0; k < i1; k++) {
    const lo = lonDeg[k];
    const la = latDeg[k];
    if (lo === undefined || la === undefined) break; // past the end: compared false before, changing nothing
    if (lo < w) w = lo;
    if (lo > e) e = lo;
    if (la < s) s = la;
    if (la > n) n = la;
  }
  return waterSearchGrid(w, e, s, n);
}

/**
 * Nearest water node of `grid` to (lonDeg, latDeg), searched ring by ring around the nearest node until
 * no farther ring can hold a closer one. Writes [lon, lat] into out; false when the lattice has no water.
 */
export function nearestWater(land: LandSampler, lonDeg: number, latDeg: number, grid: WaterSearchGrid, out: Float64Array): boolean {
  const { lon0Deg, lat0Deg, stepDeg, nx, ny } = grid;
  const gx = (lonDeg - lon0Deg) / stepDeg;
  const gy = (latDeg - lat0Deg) / stepDeg;
  const ix = Math.min(nx - 1, Math.max(0, Math.round(gx)));
  const iy = Math.min(ny - 1, Math.max(0, Math.round(gy)));
  // Every node of ring R is at least (R − offset) steps from the particle (offset: particle to node (ix, iy)).
  const offset = Math.max(Math.abs(ix - gx), Math.abs(iy - gy));
  const maxRing = Math.max(ix, nx - 1 - ix, iy, ny - 1 - iy);
  let best = Infinity;
  const visit = (i: number, j: number) => {
    const lo = lon0Deg + i * stepDeg;
    const la = lat0Deg + j * stepDeg;
    const dx = lo - lonDeg;
    const dy = la - latDeg;
    const d2 = dx * dx + dy * dy;
    if (d2 < best && !land.isLand(lo, la)) {
      best = d2;
      out[0] = lo;
      out[1] = la;
    }
  };
  for (let r = 0; r <= maxRing; r++) {
    if (best < Infinity && (r - offset) * stepDeg > Math.sqrt(best)) break;
    const iLo = Math.max(0, ix - r);
    const iHi = Math.min(nx - 1, ix + r);
    for (let j = Math.max(0, iy - r); j <= Math.min(ny - 1, iy + r); j++) {
      if (j === iy - r || j === iy + r) {
        for (let i = iLo; i <= iHi; i++) visit(i, j);
      } else {
        if (ix - r >= 0) visit(ix - r, j);
        if (r > 0 && ix + r <= nx - 1) visit(ix + r, j);
      }
    }
  }
  return best < Infinity;
}

/**
 * Moves every particle in [i0, i1) that is on land to its nearest water node (in place). Returns how
 * many were moved; particles with no water on the lattice are left on land.
 */
export function moveSeededToWater(land: LandSampler, lonDeg: Float64Array, latDeg: Float64Array, i0: number, i1: number, grid: WaterSearchGrid): number {
  const out = new Float64Array(2);
  let moved = 0;
  for (let k = i0; k < i1; k++) {
    const lon = lonDeg[k];
    const lat = latDeg[k];
    if (lon === undefined || lat === undefined) break;
    if (!land.isLand(lon, lat)) continue;
    if (nearestWater(land, lon, lat, grid, out)) {
      // out has length 2: in range, `?? NaN` only satisfies the type.
      lonDeg[k] = out[0] ?? NaN;
      latDeg[k] = out[1] ?? NaN;
      moved++;
    }
  }
  return moved;
}
