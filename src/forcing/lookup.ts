/**
 * The lon/lat -> grid-index lattice of a projected forcing grid (see GridIndexLookup in types.ts).
 *
 * OpenDrift projects every particle into the reader's x/y and interpolates there. A proj4 call costs
 * ~0.16 µs (measured here for stere, lcc and ob_tran), about the whole per-particle-step budget of the
 * model (15 M particle-steps/s on 2 threads = 133 ns), so the projection is done once per lattice node
 * at load time and the sampler interpolates (fx, fy) and α bilinearly in the lattice. The lattice is
 * built at the source resolution and checked against exact projections at scattered points; where the
 * check fails (strongly curved mappings) its spacing is halved. The tolerance, LATTICE_MAX_INDEX_ERROR,
 * keeps the particle's position in the source grid within 1/1000 of a cell (4 m on a 4 km grid) of
 * OpenDrift's, and its rotation within LATTICE_MAX_ALPHA_ERROR_RAD.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { gridYAzimuthFromForwardRad, type Projection } from './projection.js';
import type { GridIndexLookup, LonLatLattice, ProjectedGridData } from './types.js';

/** Largest accepted lattice error of the fractional grid index, in cells. */
export const LATTICE_MAX_INDEX_ERROR = 1e-3;
/** Largest accepted lattice error of α: 1e-4 rad turns a 20 m/s wind by 2 mm/s. */
export const LATTICE_MAX_ALPHA_ERROR_RAD = 1e-4;

/** Grid axes of the subset read: x = x0 + fx·dx, y = y0 + fy·dy (projection units). */
export interface SubsetAxes {
  x0: number;
  dx: number;
  y0: number;
  dy: number;
}

const sharedF32 = (n: number) => new Float32Array(new SharedArrayBuffer(n * 4));

function build(proj: Projection, axes: SubsetAxes, lat: LonLatLattice): GridIndexLookup {
  const n = lat.nLon * lat.nLat;
  const fx = sharedF32(n);
  const fy = sharedF32(n);
  const cosAlpha = sharedF32(n);
  const sinAlpha = sharedF32(n);
  for (let j = 0; j < lat.nLat; j++) {
    // Nodes beyond the poles (a lattice row at ±90° plus rounding) are clamped onto the pole.
    const la = Math.max(-90, Math.min(90, lat.lat0Deg + j * lat.dLatDeg));
    for (let i = 0; i < lat.nLon; i++) {
      const lo = lat.lon0Deg + i * lat.dLonDeg;
      const c = j * lat.nLon + i;
      const [x, y] = proj.forward(lo, la);
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        fx[c] = fy[c] = cosAlpha[c] = sinAlpha[c] = NaN;
        continue;
      }
      fx[c] = (x - axes.x0) / axes.dx;
      fy[c] = (y - axes.y0) / axes.dy;
      // At a pole the grid's +y direction has no azimuth; the row next to it is used instead.
      const laA = Math.abs(la) > 89.9999 ? la - Math.sign(la) * 1e-4 : la;
      const [xa, ya] = laA === la ? [x, y] : proj.forward(lo, laA);
      const alpha = gridYAzimuthFromForwardRad(proj, lo, laA, xa, ya);
      cosAlpha[c] = Math.cos(alpha);
      sinAlpha[c] = Math.sin(alpha);
    }
  }
  return { ...lat, fx, fy, cosAlpha, sinAlpha };
}

interface LatticeValues {
  fx: number;
  fy: number;
  cosAlpha: number;
  sinAlpha: number;
}

/** (fx, fy, cos α, sin α) bilinear at the fractional lattice index (gx, gy), which lies in the lattice. */
function interpolateAt(L: GridIndexLookup, gx: number, gy: number): LatticeValues {
  const i = Math.min(Math.floor(gx), L.nLon - 2);
  const j = Math.min(Math.floor(gy), L.nLat - 2);
  const wx = gx - i;
  const wy = gy - j;
  const c = j * L.nLon + i;
  const bil = (A: Float32Array) => (1 - wy) * ((1 - wx) * (A[c] ?? NaN) + wx * (A[c + 1] ?? NaN)) + wy * ((1 - wx) * (A[c + L.nLon] ?? NaN) + wx * (A[c + L.nLon + 1] ?? NaN));
  return { fx: bil(L.fx), fy: bil(L.fy), cosAlpha: bil(L.cosAlpha), sinAlpha: bil(L.sinAlpha) };
}

/**
 * The fractional source-grid index and cos/sin α of one position, from the lattice (NaN outside it).
 * Off the hot path (the samplers inline the same interpolation); used to check coverage at load time.
 */
export function lookupGridIndex(g: ProjectedGridData, lonDeg: number, latDeg: number): LatticeValues {
  const L = g.lookup;
  let dLon = lonDeg - L.lon0Deg;
  dLon -= 360 * Math.floor(dLon / 360);
  const gx = dLon / L.dLonDeg;
  const gy = (latDeg - L.lat0Deg) / L.dLatDeg;
  if (!(gx <= L.nLon - 1 && gy >= 0 && gy <= L.nLat - 1)) return { fx: NaN, fy: NaN, cosAlpha: NaN, sinAlpha: NaN };
  return interpolateAt(L, gx, gy);
}

/**
 * Largest lattice error, in cells and radians, at `samples` scattered points of the lattice (a fixed
 * low-discrepancy sequence, so a build is reproducible), against exact projections.
 */
export function latticeError(proj: Projection, axes: SubsetAxes, L: GridIndexLookup, samples = 400): { indexCells: number; alphaRad: number } {
  let indexCells = 0;
  let alphaRad = 0;
  for (let s = 0; s < samples; s++) {
    const gx = ((s * 0.6180339887) % 1) * (L.nLon - 1);
    const gy = ((s * 0.7548776662 + 0.5) % 1) * (L.nLat - 1);
    const lo = L.lon0Deg + gx * L.dLonDeg;
    const la = L.lat0Deg + gy * L.dLatDeg;
    if (Math.abs(la) > 89.9) continue; // α is undefined at the pole itself
    const at = interpolateAt(L, gx, gy);
    const lx = at.fx;
    const ly = at.fy;
    if (!Number.isFinite(lx) || !Number.isFinite(ly)) continue;
    const [x, y] = proj.forward(lo, la);
    indexCells = Math.max(indexCells, Math.abs(lx - (x - axes.x0) / axes.dx), Math.abs(ly - (y - axes.y0) / axes.dy));
    const exact = gridYAzimuthFromForwardRad(proj, lo, la, x, y);
    let d = Math.atan2(at.sinAlpha, at.cosAlpha) - exact;
    d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
    alphaRad = Math.max(alphaRad, Math.abs(d));
  }
  return { indexCells, alphaRad };
}

/**
 * Builds the lattice over `lattice`, halving its spacing (at most `maxRefinements` times, and never past
 * `maxNodes`) until the sampled error is within LATTICE_MAX_INDEX_ERROR and LATTICE_MAX_ALPHA_ERROR_RAD.
 * Returns the last lattice and its measured error (the caller logs it).
 */
export function buildGridIndexLookup(
  proj: Projection,
  axes: SubsetAxes,
  lattice: LonLatLattice,
  opts: { maxNodes: number; maxRefinements?: number },
): { lookup: GridIndexLookup; error: { indexCells: number; alphaRad: number } } {
  let lat = lattice;
  let lookup = build(proj, axes, lat);
  let error = latticeError(proj, axes, lookup);
  for (let r = 0; r < (opts.maxRefinements ?? 3); r++) {
    if (error.indexCells <= LATTICE_MAX_INDEX_ERROR && error.alphaRad <= LATTICE_MAX_ALPHA_ERROR_RAD) break;
    const next: LonLatLattice = {
      lon0Deg: lat.lon0Deg,
      dLonDeg: lat.dLonDeg / 2,
      nLon: 2 * lat.nLon - 1,
      lat0Deg: lat.lat0Deg,
      dLatDeg: lat.dLatDeg / 2,
      nLat: 2 * lat.nLat - 1,
    };
    if (next.nLon * next.nLat > opts.maxNodes) break;
    lat = next;
    lookup = build(proj, axes, lat);
    error = latticeError(proj, axes, lookup);
  }
  return { lookup, error };
}
