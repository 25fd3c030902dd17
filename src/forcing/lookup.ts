/**
 * The lon/lat -> grid-index lattice of a projected forcing grid (see GridIndexLookup in types.ts).
 *
 * OpenDrift projects every particle into the reader's x/y and interpolates there. A proj4 call costs
 * ~0.16 µs (measured here for stere, lcc and ob_tran), about the whole per-particle-step budget of the
 * model (15 M particle-steps/s on 2 threads = 133 ns), so the projection is done once per lattice node
 * at load time and the sampler interpolates (fx, fy) and α bilinearly in the lattice, (fx, fy) with a
 * curvature term (curvatureCorrection). The lattice is built at the source resolution and checked
 * against exact projections at scattered points; where the check fails (strongly curved mappings) its
 * spacing is halved. The tolerance, LATTICE_MAX_INDEX_ERROR, keeps the particle's position in the source
 * grid within 1/10 000 of a cell (0.4 m on a 4 km grid) of OpenDrift's, and its rotation within
 * LATTICE_MAX_ALPHA_ERROR_RAD.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { gridYAzimuthFromForwardRad, type Projection } from './projection.js';
import type { GridIndexLookup, LonLatLattice, ProjectedGridData } from './types.js';

/**
 * Largest accepted lattice error of the fractional grid index, in cells. Measured at the source
 * resolution with the curvature term, no refinement: 1.5e-5 (300 × 300 cells of 4 km, polar
 * stereographic) to 1.9e-5 (Arctic20, 20 km); without it 1.5e-4 and 1.5e-3, so that this was 1e-3 and
 * Arctic20 took 4× the nodes for 3.7e-4. Below ~2e-5 the float32 fx of a 300-cell grid (ulp 1.5e-5)
 * keeps a large lattice from converging: 1e-5 refined the 4 km case to 3.2 M nodes in 6 s.
 */
export const LATTICE_MAX_INDEX_ERROR = 1e-4;
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
  return { ...lat, fx, fy, cosAlpha, sinAlpha, curvature: secondDifferences(lat, fx, fy) };
}

/**
 * fx_ii, fx_jj, fy_ii, fy_jj per node: f(i+1) − 2 f(i) + f(i−1) along each lattice axis (at an edge
 * node, its inner neighbour's). Computed in float64 from the float32 nodes, whose rounding (4e-6 cells
 * at fx ≈ 40) is far below the curvature term they correct (up to 4e-4 cells on Arctic20).
 * 0 where a neighbour's projection is undefined (NaN): plain bilinear there, so a NaN node makes no more
 * cells uncovered than before.
 */
function secondDifferences(lat: LonLatLattice, fx: Float32Array, fy: Float32Array): Float32Array {
  const { nLon, nLat } = lat;
  const out = sharedF32(4 * nLon * nLat);
  const clampI = (i: number, n: number) => Math.min(n - 2, Math.max(1, i));
  for (let j = 0; j < nLat; j++) {
    for (let i = 0; i < nLon; i++) {
      const c = j * nLon + i;
      // A lattice of 2 nodes along an axis has no curvature to measure.
      const ci = nLon >= 3 ? j * nLon + clampI(i, nLon) : -1;
      const cj = nLat >= 3 ? clampI(j, nLat) * nLon + i : -1;
      const d2 = (A: Float32Array, m: number, step: number) => {
        const d = m < 0 ? 0 : (A[m + step] ?? NaN) - 2 * (A[m] ?? NaN) + (A[m - step] ?? NaN);
        return Number.isFinite(d) ? d : 0;
      };
      out[4 * c] = d2(fx, ci, 1);
      out[4 * c + 1] = d2(fx, cj, nLon);
      out[4 * c + 2] = d2(fy, ci, 1);
      out[4 * c + 3] = d2(fy, cj, nLon);
    }
  }
  return out;
}

/**
 * Bilinear interpolation of (fx, fy) between lattice nodes errs by the mapping's curvature:
 * −½·w(1−w)·f'' along each axis (the cross term is exact). On Arctic20's polar stereographic grid
 * (20 km cells at 75° N) that error reached 3.7e-4 cells = 7 m of position in the grid on a lattice of
 * 4 071 nodes, which turned into current differences from OpenDrift of up to 2.2e-5 m/s and 2.2 m after
 * 48 h (test/unit/model-opendrift-d2.test.ts). Adding the term back with the corner node's second
 * differences leaves a third-order error: 1.9e-5 cells on 1 050 nodes, 2.7e-6 on 4 071, where halving
 * the plain lattice's spacing twice (16× the nodes) still left 2.2e-5. Returns the corrections to add
 * to fx and fy.
 */
export function curvatureCorrection(K: Float32Array, li: number, lwx: number, lwy: number): [number, number] {
  const ax = -0.5 * lwx * (1 - lwx);
  const ay = -0.5 * lwy * (1 - lwy);
  return [ax * (K[4 * li] ?? NaN) + ay * (K[4 * li + 1] ?? NaN), ax * (K[4 * li + 2] ?? NaN) + ay * (K[4 * li + 3] ?? NaN)];
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
  const [cx, cy] = curvatureCorrection(L.curvature, c, wx, wy);
  return { fx: bil(L.fx) + cx, fy: bil(L.fy) + cy, cosAlpha: bil(L.cosAlpha), sinAlpha: bil(L.sinAlpha) };
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
