/**
 * Smoothed probability map of weighted drifting particles: a Gaussian kernel density estimate on a
 * grid aligned with the cloud's principal axes (in the equal-area local frame of frame.ts). Pure.
 *
 * Bandwidth: Scott's rule along each principal axis, h = σ_axis · n_eff^(−1/(d+4)) with d = 2, i.e.
 * n_eff^(−1/6) (Silverman's factor (4/(d+2))^(1/(d+4)) is exactly 1 for d = 2, so both rules agree),
 * n_eff = 1/Σw² for normalised weights. Because the grid axes are the principal axes, the kernel's
 * covariance diag(h_u², h_v²) is separable on it: the density is the linearly binned weights blurred by
 * one 1-D Gaussian along u, then one along v, each truncated at 4 h (mass beyond: 6e-5).
 *
 * Grid: cells of h/2 along each axis (so the kernel spans 17 taps), covering the central 99.9 % of the
 * particles along each axis (0.05 % trimmed each side so one stray particle cannot blow up the grid)
 * plus 4 h of margin; at most MAX_CELLS_PER_AXIS per axis (cells grow beyond that). Cost:
 * O(n) binning + O(n_u · n_v · 17 · 2) blur: ~0.5 M cells × 34 taps ≈ 17 M multiply-adds worst case.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { weightedCloud, type Cloud } from './datum.js';
import { kthFromEachEnd } from './select.js';

export const MAX_CELLS_PER_AXIS = 700;
/** Kernel truncation, bandwidths. */
const TRUNCATE_H = 4;
/** Cells per bandwidth. */
const CELLS_PER_H = 2;
/** Trimmed tail on each side of each axis when sizing the grid. */
const TRIM_FRACTION = 0.0005;

export interface KdeOptions {
  /** Smallest bandwidth, metres: a cloud seeded at one point has σ = 0 at t = 0. Default 50 m. */
  minBandwidthM?: number;
  /** Multiplies Scott's bandwidth (1 = Scott). */
  bandwidthFactor?: number;
  maxCellsPerAxis?: number;
}

/**
 * Cell (i, j) spans u ∈ [u0 + i·cellU, +cellU), v ∈ [v0 + j·cellV, +cellV), index j·nu + i, where
 * u = x cos θ + y sin θ, v = −x sin θ + y cos θ in the cloud's local frame (θ = angleRad).
 */
export interface ProbabilityMap {
  cloud: Cloud;
  angleRad: number;
  u0M: number;
  v0M: number;
  cellUM: number;
  cellVM: number;
  nu: number;
  nv: number;
  /** Smoothed probability per cell (Σ = share of the drifting weight that the grid holds, ≈ 1). */
  density: Float64Array;
  /** Raw weight per cell, nearest cell, normalised by the cloud's total weight (no smoothing). */
  mass: Float64Array;
  /**
   * Per cell, the smoothed density that one of its own particles puts on it (the mass-weighted mean over
   * the cell's particles of w_i · k_i, k_i the particle's own kernel value at its nearest cell after
   * linear binning), in the units of `density`; 0 for an empty cell. `density − selfDensity` is the
   * leave-one-out density of the cell's particles (see areas.ts, "held-out counting").
   */
  selfDensity: Float64Array;
  bandwidthUM: number;
  bandwidthVM: number;
  nEff: number;
}

/** The trim and 1 − trim order statistics of `values` (what a sorted copy holds at k and n − 1 − k). */
function quantileRange(values: Float64Array, trim: number): [number, number] {
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  return kthFromEachEnd(values, Math.min(n - 1, Math.floor(trim * n)));
}

function gaussianTaps(hCells: number): Float64Array {
  const r = Math.max(1, Math.ceil(TRUNCATE_H * hCells));
  const taps = new Float64Array(2 * r + 1);
  let s = 0;
  for (let k = -r; k <= r; k++) {
    const v = Math.exp(-0.5 * (k / hCells) ** 2);
    taps[k + r] = v;
    s += v;
  }
  for (let k = 0; k < taps.length; k++) taps[k] = (taps[k] ?? NaN) / s;
  return taps;
}

/** Tap at offset k (cells) from the centre of a symmetric kernel, 0 beyond its truncation. */
function tapAt(taps: Float64Array, k: number): number {
  return taps[(taps.length - 1) / 2 + k] ?? 0;
}

/** Blur each row (length nu, nv rows) in place via a scratch line; an all-zero row stays as it is. */
function blurRows(a: Float64Array, nu: number, nv: number, taps: Float64Array): void {
  const r = (taps.length - 1) / 2;
  const src = new Float64Array(nu);
  for (let l = 0; l < nv; l++) {
    const base = l * nu;
    let any = false;
    for (let k = 0; k < nu; k++) {
      const v = a[base + k] as number;
      src[k] = v;
      if (v !== 0) any = true;
    }
    if (!any) continue;
    for (let k = 0; k < nu; k++) {
      let s = 0;
      const lo = Math.max(0, k - r);
      const hi = Math.min(nu - 1, k + r);
      for (let q = lo; q <= hi; q++) s += (src[q] as number) * (taps[q - k + r] as number);
      a[base + k] = s;
    }
  }
}

/**
 * Blur along the columns of `src` into `out` (zeros on entry): out[j, i] = Σ_q src[q, i] · tap(q − j),
 * added row by row in ascending q, which is the order (and so the rounding) of a column-at-a-time sum,
 * but reads whole rows instead of striding over the grid, and needs no copy. A sum of zeros is 0, as an
 * all-zero column left alone was. With the binning's inside case written without tests: kdeMap 50 ->
 * 42-48 ms for the 49 times of the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs (warm, loaded machine).
 */
function blurColumnsInto(src: Float64Array, out: Float64Array, nu: number, nv: number, taps: Float64Array): void {
  const r = (taps.length - 1) / 2;
  for (let j = 0; j < nv; j++) {
    const lo = Math.max(0, j - r);
    const hi = Math.min(nv - 1, j + r);
    const to = j * nu;
    for (let q = lo; q <= hi; q++) {
      const t = taps[q - j + r] as number;
      const from = q * nu;
      for (let i = 0; i < nu; i++) out[to + i] = (out[to + i] as number) + (src[from + i] as number) * t;
    }
  }
}

/** u = x cos θ + y sin θ, v = −x sin θ + y cos θ. */
function rotate(xM: Float64Array, yM: Float64Array, c: number, s: number, u: Float64Array, v: Float64Array): void {
  for (let i = 0; i < xM.length; i++) {
    u[i] = (xM[i] ?? NaN) * c + (yM[i] ?? NaN) * s;
    v[i] = -(xM[i] ?? NaN) * s + (yM[i] ?? NaN) * c;
  }
}

interface BinGrid {
  uStart: number;
  uCell: number;
  nu: number;
  vStart: number;
  vCell: number;
  nv: number;
}

/**
 * Linear binning of the weights to cell centres (mass-conserving, second-order accurate) into `binned`
 * (nu × nv cells and a sink after them),
 * the nearest-cell raw mass into `mass`, and Σ w·(w·k) into `selfDensity` (k: the particle's own kernel
 * value at its nearest cell; divided by the cell's mass in meanSelfDensity). Each pass of kdeMap is a
 * function of its own: V8 compiles a long loop on its own while it runs (on-stack replacement), and a
 * single kdeMap was compiled before its later loops had run, then thrown away for want of their type
 * feedback (--trace-deopt: 5 deoptimisations of kdeMap in the first mission of a process).
 * `taps`: the u kernel's centre tap and its neighbour, then the v kernel's.
 */
function binParticles(
  u: Float64Array,
  v: Float64Array,
  weight: Float64Array,
  invW: number,
  grid: BinGrid,
  taps: [number, number, number, number],
  binned: Float64Array,
  mass: Float64Array,
  selfDensity: Float64Array,
): void {
  const { uStart, uCell, nu, vStart, vCell, nv } = grid;
  // A particle at offset a (|a| ≤ ½ cell) from its nearest cell centre puts (1 − |a|)·tap₀ + |a|·tap₁
  // of its weight on that cell along each axis (linear binning, then the blur).
  const [tapU0, tapU1, tapV0, tapV1] = taps;
  // binned has one cell more than the grid: where the corners off the grid add their weight, unread.
  const sink = nu * nv;
  for (let i = 0; i < u.length; i++) {
    const w = (weight[i] as number) * invW;
    const fu = ((u[i] as number) - uStart) / uCell - 0.5;
    const fv = ((v[i] as number) - vStart) / vCell - 0.5;
    const iu = Math.floor(fu);
    const iv = Math.floor(fv);
    const au = fu - iu;
    const av = fv - iv;
    const cu = Math.floor(fu + 0.5);
    const cv = Math.floor(fv + 0.5);
    if (cu >= 0 && cu < nu && cv >= 0 && cv < nv) {
      const c = cv * nu + cu;
      const eu = Math.abs(fu - cu);
      const ev = Math.abs(fv - cv);
      mass[c] = (mass[c] as number) + w;
      // Σ w·(w·k) here, divided by Σ w below: the cell's mass-weighted mean self-density.
      selfDensity[c] = (selfDensity[c] as number) + w * w * ((1 - eu) * tapU0 + eu * tapU1) * ((1 - ev) * tapV0 + ev * tapV1);
    }
    // The four cells around the particle, each the sink when off the grid. Every test here runs for
    // every particle, so none meets V8's optimised code without type feedback: the particles off the
    // grid's edge (a few a time) were a branch of their own, and each first visit to one of its tests
    // threw the compiled binParticles away (5 deoptimisations in a process's first mission). kdeMap's
    // first 3 calls on the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs, fresh process:
    // 49-57 + 10-13 + 18-31 ms -> 50-56 + 3-5 + 3-5 ms. Each cell gets the same additions, in the same order.
    const c00 = iv * nu + iu;
    const inU0 = iu >= 0 && iu < nu;
    const inU1 = iu >= -1 && iu + 1 < nu;
    const inV0 = iv >= 0 && iv < nv;
    const inV1 = iv >= -1 && iv + 1 < nv;
    const k00 = inU0 && inV0 ? c00 : sink;
    const k10 = inU1 && inV0 ? c00 + 1 : sink;
    const k01 = inU0 && inV1 ? c00 + nu : sink;
    const k11 = inU1 && inV1 ? c00 + nu + 1 : sink;
    binned[k00] = (binned[k00] as number) + w * (1 - au) * (1 - av);
    binned[k10] = (binned[k10] as number) + w * au * (1 - av);
    binned[k01] = (binned[k01] as number) + w * (1 - au) * av;
    binned[k11] = (binned[k11] as number) + w * au * av;
  }
}

/** selfDensity ÷ mass where the cell has mass: the mass-weighted mean self-density of its particles. */
function meanSelfDensity(selfDensity: Float64Array, mass: Float64Array): void {
  for (let c = 0; c < mass.length; c++) {
    const m = mass[c] as number;
    if (m > 0) selfDensity[c] = (selfDensity[c] as number) / m;
  }
}

/** The smoothed map of a cloud (see the module header for bandwidth, grid and cost). */
export function kdeMap(cloud: Cloud, opts: KdeOptions = {}): ProbabilityMap {
  const minH = opts.minBandwidthM ?? 50;
  const factor = opts.bandwidthFactor ?? 1;
  const maxCells = opts.maxCellsPerAxis ?? MAX_CELLS_PER_AXIS;
  const theta = cloud.majorAxisRad;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const n = cloud.xM.length;
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  rotate(cloud.xM, cloud.yM, c, s, u, v);
  const scott = Math.pow(Math.max(1, cloud.nEff), -1 / 6) * factor;
  const hu = Math.max(minH, cloud.sigmaMajorM * scott);
  const hv = Math.max(minH, cloud.sigmaMinorM * scott);
  const [uLo, uHi] = quantileRange(u, TRIM_FRACTION);
  const [vLo, vHi] = quantileRange(v, TRIM_FRACTION);
  const layout = (lo: number, hi: number, h: number): { start: number; cell: number; count: number } => {
    const a = lo - TRUNCATE_H * h;
    const b = hi + TRUNCATE_H * h;
    let cell = h / CELLS_PER_H;
    if ((b - a) / cell > maxCells) cell = (b - a) / maxCells;
    const count = Math.max(1, Math.ceil((b - a) / cell));
    return { start: (a + b) / 2 - (count * cell) / 2, cell, count };
  };
  const lu = layout(uLo, uHi, hu);
  const lv = layout(vLo, vHi, hv);
  const nu = lu.count;
  const nv = lv.count;
  // Linear binning goes into `binned`, blurred along u in place, then along v into `density`; its
  // last element is binParticles' sink, beyond the nu × nv cells the blurs read.
  const binned = new Float64Array(nu * nv + 1);
  const density = new Float64Array(nu * nv);
  const mass = new Float64Array(nu * nv);
  const selfDensity = new Float64Array(nu * nv);
  const tapsU = gaussianTaps(hu / lu.cell);
  const tapsV = gaussianTaps(hv / lv.cell);
  const grid: BinGrid = { uStart: lu.start, uCell: lu.cell, nu, vStart: lv.start, vCell: lv.cell, nv };
  binParticles(u, v, cloud.weight, 1 / cloud.totalWeight, grid, [tapAt(tapsU, 0), tapAt(tapsU, 1), tapAt(tapsV, 0), tapAt(tapsV, 1)], binned, mass, selfDensity);
  blurRows(binned, nu, nv, tapsU);
  blurColumnsInto(binned, density, nu, nv, tapsV);
  meanSelfDensity(selfDensity, mass);
  return {
    cloud,
    angleRad: theta,
    u0M: lu.start,
    v0M: lv.start,
    cellUM: lu.cell,
    cellVM: lv.cell,
    nu,
    nv,
    density,
    mass,
    selfDensity,
    bandwidthUM: hu,
    bandwidthVM: hv,
    nEff: cloud.nEff,
  };
}

/** Convenience: cloud + map from lon/lat/weights; null when there is no weight. */
export function kdeFromParticles(lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, weight: ArrayLike<number>, opts: KdeOptions = {}): ProbabilityMap | null {
  const cloud = weightedCloud(lonDeg, latDeg, weight);
  return cloud === null ? null : kdeMap(cloud, opts);
}

/** Cell index of a point given in the cloud's local frame, or −1 outside the grid. */
export function cellOfXY(map: ProbabilityMap, xM: number, yM: number): number {
  const c = Math.cos(map.angleRad);
  const s = Math.sin(map.angleRad);
  const i = Math.floor((xM * c + yM * s - map.u0M) / map.cellUM);
  const j = Math.floor((-xM * s + yM * c - map.v0M) / map.cellVM);
  return i >= 0 && i < map.nu && j >= 0 && j < map.nv ? j * map.nu + i : -1;
}
