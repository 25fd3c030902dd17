/**
 * Gridded vector fields on a regular lon/lat grid (the common layout the hot-path sampler reads), latitude
 * ascending, u and v in m/s laid out [t][y][x] in SharedArrayBuffers (shared, not copied, between the
 * simulation threads). Every lon/lat file ends here; projected files keep their own grid (read.ts,
 * lookup.ts).
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { lookupGridIndex } from './lookup.js';
import type { GridData, GridField, LonLatGridData } from './types.js';

/**
 * Tolerance on axis spacing: 1e-3 of a step (~10 m on a 0.1° grid, far below any forcing error) plus
 * the rounding of float32 coordinates (one float32 ulp at 360° is 3e-5°, 0.3 % of a 0.01° step).
 */
const REGULAR_TOLERANCE = 1e-3;
const FLOAT32_EPS = 2 ** -23;

function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}

/** Start and step of an axis that must be regular (evenly spaced); throws naming the axis otherwise. */
export function regularAxis(values: ArrayLike<number>, name: string): { start: number; step: number } {
  const n = values.length;
  if (n < 1) throw new Error(`${name} axis is empty`);
  if (n === 1) return { start: values[0] ?? NaN, step: 0 };
  const step = ((values[n - 1] ?? NaN) - (values[0] ?? NaN)) / (n - 1);
  if (!(Math.abs(step) > 0) || !Number.isFinite(step)) throw new Error(`${name} axis is not monotonic`);
  const maxAbs = Math.max(Math.abs(values[0] ?? NaN), Math.abs(values[n - 1] ?? NaN));
  const tol = Math.abs(step) * REGULAR_TOLERANCE + 4 * maxAbs * FLOAT32_EPS;
  for (let i = 1; i < n; i++) {
    const d = (values[i] ?? NaN) - (values[i - 1] ?? NaN);
    if (Math.abs(d - step) > tol) {
      throw new Error(`${name} axis is not evenly spaced (step ${d} at index ${i}, mean ${step})`);
    }
  }
  return { start: values[0] ?? NaN, step };
}

/**
 * Build a gridded field from 1-D lon and lat axes and u/v laid out [t][y][x] (y along `latDeg`, x along
 * `lonDeg`). Data are copied into SharedArrayBuffers (or adopted when they already are shared and need
 * no reordering). Latitude may be descending (rows are flipped),
 * longitude may be 0..360 or -180..180 or cross the antimeridian (positions are wrapped at sampling).
 * A grid that spans the whole globe in longitude gets its first column repeated after the last, so a
 * particle between the last and first meridian is interpolated rather than lost.
 */
export function lonLatGridField(opts: {
  lonDeg: ArrayLike<number>;
  latDeg: ArrayLike<number>;
  timesSec: ArrayLike<number>;
  uMps: Float32Array;
  vMps: Float32Array;
  /** Ensemble members: u/v hold nt·members planes, record t's member m at plane t·members + m. */
  members?: number;
}): GridField {
  const nxIn = opts.lonDeg.length;
  const ny = opts.latDeg.length;
  const members = opts.members ?? 1;
  const nt = opts.timesSec.length;
  const planes = nt * members;
  if (nxIn < 2 || ny < 2) throw new Error(`grid needs at least 2×2 points (got ${nxIn}×${ny})`);
  if (nt < 1) throw new Error('grid needs at least one time');
  const cells = nxIn * ny * planes;
  if (opts.uMps.length !== cells || opts.vMps.length !== cells) {
    throw new Error(`u/v have ${opts.uMps.length}/${opts.vMps.length} values, expected ${planes}×${ny}×${nxIn} = ${cells}`);
  }
  for (let k = 1; k < nt; k++) {
    if (!((opts.timesSec[k] ?? NaN) > (opts.timesSec[k - 1] ?? NaN))) throw new Error('times are not strictly increasing');
  }
  const lon = regularAxis(opts.lonDeg, 'longitude');
  const lat = regularAxis(opts.latDeg, 'latitude');
  const flipX = lon.step < 0;
  const flipY = lat.step < 0;
  const dLonDeg = Math.abs(lon.step);
  const dLatDeg = Math.abs(lat.step);
  const lon0Deg = flipX ? (opts.lonDeg[nxIn - 1] ?? NaN) : lon.start;
  const lat0Deg = flipY ? (opts.latDeg[ny - 1] ?? NaN) : lat.start;
  if (dLonDeg * (nxIn - 1) > 360 + 1e-6) throw new Error('longitude axis spans more than 360°');
  // Global when one more step closes the circle (e.g. 0..359.9 by 0.1).
  const periodic = Math.abs(dLonDeg * nxIn - 360) < dLonDeg * 1e-3;
  const nx = periodic ? nxIn + 1 : nxIn;

  // Already in the sampler's layout and shared (the readers build it so): adopted, not copied.
  const shared = opts.uMps.buffer instanceof SharedArrayBuffer && opts.vMps.buffer instanceof SharedArrayBuffer;
  const adopt = shared && !flipX && !flipY && !periodic && opts.uMps.byteOffset === 0 && opts.vMps.byteOffset === 0;
  const u = adopt ? opts.uMps : sharedF32(nx * ny * planes);
  const v = adopt ? opts.vMps : sharedF32(nx * ny * planes);
  for (let k = 0; k < planes && !adopt; k++) {
    for (let j = 0; j < ny; j++) {
      const src = (k * ny + (flipY ? ny - 1 - j : j)) * nxIn;
      const dst = (k * ny + j) * nx;
      if (!flipX) {
        // Row copy (memcpy) in the usual orientation: 9 M cells per field in ~10 ms.
        u.set(opts.uMps.subarray(src, src + nxIn), dst);
        v.set(opts.vMps.subarray(src, src + nxIn), dst);
        if (periodic) {
          u[dst + nxIn] = opts.uMps[src] ?? NaN;
          v[dst + nxIn] = opts.vMps[src] ?? NaN;
        }
        continue;
      }
      for (let i = 0; i < nx; i++) {
        const ii = i === nxIn ? 0 : i;
        const s = src + nxIn - 1 - ii;
        u[dst + i] = opts.uMps[s] ?? NaN;
        v[dst + i] = opts.vMps[s] ?? NaN;
      }
    }
  }
  const timesSec = sharedF64(nt);
  for (let k = 0; k < nt; k++) timesSec[k] = opts.timesSec[k] ?? NaN;

  const grid: LonLatGridData = {
    layout: 'lonlat',
    nx,
    ny,
    nt,
    lon0Deg,
    dLonDeg,
    lat0Deg,
    dLatDeg,
    periodic,
    timesSec,
    uMps: u,
    vMps: v,
    ...(members > 1 ? { members } : {}),
  };
  return { kind: 'grid', grid };
}

/** Longitude/latitude bounds actually covered by a grid (east may exceed 180 for 0..360 grids). */
export function gridBounds(g: LonLatGridData): { westDeg: number; eastDeg: number; southDeg: number; northDeg: number } {
  return {
    westDeg: g.lon0Deg,
    eastDeg: g.lon0Deg + g.dLonDeg * (g.nx - 1),
    southDeg: g.lat0Deg,
    northDeg: g.lat0Deg + g.dLatDeg * (g.ny - 1),
  };
}

/** True when the grid covers (lon, lat): the same test the samplers make before they interpolate. */
export function gridCovers(g: GridData, lonDeg: number, latDeg: number): boolean {
  if (g.layout === 'projected') {
    // NaN outside the lattice or where the projection is undefined: fails the comparisons.
    const { fx, fy } = lookupGridIndex(g, lonDeg, latDeg);
    return fx >= 0 && fx <= g.nx - 1 && fy >= 0 && fy <= g.ny - 1;
  }
  let dLon = lonDeg - g.lon0Deg;
  dLon -= 360 * Math.floor(dLon / 360);
  const fx = dLon / g.dLonDeg;
  const fy = (latDeg - g.lat0Deg) / g.dLatDeg;
  return fx <= g.nx - 1 && fy >= 0 && fy <= g.ny - 1;
}
