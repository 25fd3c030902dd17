/**
 * The best search rectangle for one unit: maximise POS = POC × POD(Z / A) over the centre, length,
 * width and orientation of a rectangle, on weighted particles in a local metric frame. Pure.
 *
 * Fast optimiser (optimiseRectangle). The search runs on a systematic resample of at most 6 000
 * equally weighted points (POC to ±0.65 %), the last moves and the reported POS on every particle:
 *  1. Coarse: 18 orientations (every 10°, starting at the cloud's major axis); per orientation the
 *     weights are binned on a 32 × 32 lattice over the disc holding 99.9 % of the points (radius R, so
 *     one stray particle cannot stretch it); a summed-area table gives the weight of any lattice-aligned
 *     rectangle in O(1), and all 278 784 of them are scored (POD from a table by cell count; a
 *     rectangle whose weight alone is below the best POS is skipped, as POD ≤ 1).
 *  2. Refine the best 2: each edge moves within ±1.5 coarse cells in 11 positions on a lattice built
 *     from the candidate edge lines (every point binned, nothing trimmed); all 11⁴ = 14 641 edge
 *     combinations are scored, at the current orientation and ±δ (δ = 5° first).
 *  3. Repeat 2, staying at a scale while an edge moves and otherwise shrinking the window 4× and δ 2×,
 *     down to steps of 2 % of a coarse cell (≤ 8 rounds); then ≤ 8 rounds on every particle, edges
 *     only, from ¼ cell down to 1 m steps.
 * Cost: 18 × (n_s + 0.3 M) for stage 1, ≤ 2 × 8 × 3 × (n_s + 14 641) for 2–3 and ≤ 8 × (n + 14 641)
 * on every particle (n_s = 6 000): ~50–80 ms CPU per unit at n = 100 000 (bench/search.bench.mjs).
 *
 * Brute force (bruteForceRectangle, the reference in the tests): every orientation on a step (2°),
 * every rectangle with edges on a G × G lattice (G = 40) spanning the particles' full extent in that
 * orientation: (G(G+1)/2)² = 672 400 rectangles per orientation, exact weights.
 *
 * With a fixed track spacing S the coverage is fixed (C = W/S) and so is the area the unit can cover
 * (A = Z/C); the rectangle then maximises POC under area ≤ A (a smaller one is covered at the same S,
 * finishing early).
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { pod, type DetectionLaw } from './detection.js';

export interface Points {
  xM: Float64Array;
  yM: Float64Array;
  weight: Float64Array;
}

/** A rectangle in the local frame: centre, long-axis direction (radians ccw from east), sides. */
export interface Rect {
  cxM: number;
  cyM: number;
  angleRad: number;
  /** Along angleRad. */
  lengthM: number;
  /** Across. */
  widthM: number;
}

export interface RectObjective {
  /** Z = V·T·W, m². */
  effortM2: number;
  law: DetectionLaw;
  /** When set: coverage fixed at this value and area capped at effortM2 / fixedCoverage. */
  fixedCoverage?: number;
  /** Rectangles the result must not overlap (earlier units of the plan). */
  blocked?: Rect[];
}

export interface RectResult {
  rect: Rect;
  /** Σ weights inside. */
  poc: number;
  pod: number;
  pos: number;
  coverage: number;
  areaM2: number;
}

const DEG = Math.PI / 180;
/** Edge positions each side of the current edge in a refinement round (11 per edge, 11⁴ = 14 641 scores). */
const REFINE_STEPS = 5;
/** Points the search runs on (a 6 000-point sample gives POC to ±0.65 %; the last moves use every particle). */
export const SEARCH_POINTS = 6_000;

/** Corners of a rectangle, counter-clockwise, [x, y] metres. */
export function rectCorners(r: Rect): [number, number][] {
  const c = Math.cos(r.angleRad);
  const s = Math.sin(r.angleRad);
  const hl = r.lengthM / 2;
  const hw = r.widthM / 2;
  const pts: [number, number][] = [];
  for (const [a, b] of [
    [-hl, -hw],
    [hl, -hw],
    [hl, hw],
    [-hl, hw],
  ] as const) {
    pts.push([r.cxM + a * c - b * s, r.cyM + a * s + b * c]);
  }
  return pts;
}

/** Weight of the points inside the rectangle (half-open along each axis, as the lattices bin). */
export function rectWeight(p: Points, r: Rect): number {
  const c = Math.cos(r.angleRad);
  const s = Math.sin(r.angleRad);
  const ac = r.cxM * c + r.cyM * s;
  const bc = -r.cxM * s + r.cyM * c;
  const a0 = ac - r.lengthM / 2;
  const a1 = ac + r.lengthM / 2;
  const b0 = bc - r.widthM / 2;
  const b1 = bc + r.widthM / 2;
  let m = 0;
  const n = p.xM.length;
  for (let i = 0; i < n; i++) {
    const x = p.xM[i] ?? NaN;
    const y = p.yM[i] ?? NaN;
    const a = x * c + y * s;
    const b = -x * s + y * c;
    if (a >= a0 && a < a1 && b >= b0 && b < b1) m += p.weight[i] ?? NaN;
  }
  return m;
}

/** POD of a rectangle of this area under the objective (0 if a fixed spacing cannot cover it). */
function podForArea(o: RectObjective, areaM2: number): { pod: number; coverage: number } {
  if (!(areaM2 > 0)) return { pod: 0, coverage: 0 };
  if (o.fixedCoverage !== undefined) {
    if (areaM2 > (o.effortM2 / o.fixedCoverage) * (1 + 1e-9)) return { pod: 0, coverage: 0 };
    return { pod: pod(o.law, o.fixedCoverage), coverage: o.fixedCoverage };
  }
  const coverage = o.effortM2 / areaM2;
  return { pod: pod(o.law, coverage), coverage };
}

/** Exact POS of a rectangle on the points. */
export function evaluateRect(p: Points, r: Rect, o: RectObjective): RectResult {
  const areaM2 = r.lengthM * r.widthM;
  const poc = rectWeight(p, r);
  const { pod: d, coverage } = podForArea(o, areaM2);
  return { rect: r, poc, pod: d, pos: poc * d, coverage, areaM2 };
}

/** A rectangle as centre, unit long axis, half sides and circumradius (no allocation in the overlap test). */
interface Shape {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  hl: number;
  hw: number;
  radius: number;
}

function shapeOf(r: Rect): Shape {
  const hl = r.lengthM / 2;
  const hw = r.widthM / 2;
  return { cx: r.cxM, cy: r.cyM, ux: Math.cos(r.angleRad), uy: Math.sin(r.angleRad), hl, hw, radius: Math.hypot(hl, hw) };
}

/** Half-extent of a shape projected on the unit axis (ax, ay). */
function halfExtent(q: Shape, ax: number, ay: number): number {
  return q.hl * Math.abs(q.ux * ax + q.uy * ay) + q.hw * Math.abs(-q.uy * ax + q.ux * ay);
}

/** Overlap by more than 1 mm on all four separating axes (touching edges do not count). */
function shapesOverlap(p: Shape, q: Shape): boolean {
  const dx = q.cx - p.cx;
  const dy = q.cy - p.cy;
  if (Math.hypot(dx, dy) >= p.radius + q.radius) return false; // circumcircles apart: the common case
  const axes = [p.ux, p.uy, -p.uy, p.ux, q.ux, q.uy, -q.uy, q.ux];
  for (let k = 0; k < 8; k += 2) {
    const ax = axes[k] ?? NaN;
    const ay = axes[k + 1] ?? NaN;
    const gap = Math.abs(dx * ax + dy * ay) - halfExtent(p, ax, ay) - halfExtent(q, ax, ay);
    if (gap >= -1e-3) return false;
  }
  return true;
}

/** Two rectangles overlap by more than 1 mm (touching edges do not count). Separating-axis test. */
export function rectsOverlap(r1: Rect, r2: Rect): boolean {
  return shapesOverlap(shapeOf(r1), shapeOf(r2));
}

/**
 * Best rectangle whose edges lie on the lines of a lattice in orientation theta: edges a0 ∈ A0,
 * a1 ∈ A1, b0 ∈ B0, b1 ∈ B1 (index lists into the sorted line arrays la, lb). Exact weights from a
 * summed-area table of the points binned between consecutive lines.
 */
interface LatticeBest {
  f: number;
  a0: number;
  a1: number;
  b0: number;
  b1: number;
}

function bestOnLattice(
  p: Points,
  theta: number,
  la: Float64Array,
  lb: Float64Array,
  a0s: Int32Array,
  a1s: Int32Array,
  b0s: Int32Array,
  b1s: Int32Array,
  o: RectObjective,
  floorF: number,
): LatticeBest | null {
  const na = la.length;
  const nb = lb.length;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  // sat[(j)*(na) + i] = weight with a < la[i] and b < lb[j] (bins between consecutive lines).
  const grid = new Float64Array(na * nb);
  const n = p.xM.length;
  const aMin = la[0] ?? NaN;
  const aMax = la[na - 1] ?? NaN;
  const bMin = lb[0] ?? NaN;
  const bMax = lb[nb - 1] ?? NaN;
  const uniformA = isUniform(la);
  const uniformB = isUniform(lb);
  const twoA = uniformA ? null : twoWindows(la);
  const twoB = uniformB ? null : twoWindows(lb);
  for (let k = 0; k < n; k++) {
    const x = p.xM[k] ?? NaN;
    const y = p.yM[k] ?? NaN;
    const a = x * c + y * s;
    if (a < aMin || a >= aMax) continue;
    const b = -x * s + y * c;
    if (b < bMin || b >= bMax) continue;
    const i = uniformA ? Math.min(na - 2, Math.floor(((a - aMin) / (aMax - aMin)) * (na - 1))) : twoA ? twoIndex(twoA, la, a) : upperIndex(la, a);
    const j = uniformB ? Math.min(nb - 2, Math.floor(((b - bMin) / (bMax - bMin)) * (nb - 1))) : twoB ? twoIndex(twoB, lb, b) : upperIndex(lb, b);
    grid[(j + 1) * na + (i + 1)] = (grid[(j + 1) * na + (i + 1)] ?? NaN) + (p.weight[k] ?? NaN);
  }
  for (let j = 1; j < nb; j++) {
    let row = 0;
    for (let i = 1; i < na; i++) {
      row += grid[j * na + i] ?? NaN;
      grid[j * na + i] = (grid[(j - 1) * na + i] ?? NaN) + row;
    }
  }
  // Blocked bins (any overlap with an earlier rectangle), as a second summed-area table.
  let blockedSat: Float64Array | null = null;
  if (o.blocked && o.blocked.length > 0) {
    const shapes = o.blocked.map(shapeOf);
    const binShape: Shape = { cx: 0, cy: 0, ux: c, uy: s, hl: 0, hw: 0, radius: 0 };
    blockedSat = new Float64Array(na * nb);
    for (let j = 0; j + 1 < nb; j++) {
      for (let i = 0; i + 1 < na; i++) {
        const am = ((la[i] ?? NaN) + (la[i + 1] ?? NaN)) / 2;
        const bm = ((lb[j] ?? NaN) + (lb[j + 1] ?? NaN)) / 2;
        binShape.cx = am * c - bm * s;
        binShape.cy = am * s + bm * c;
        binShape.hl = ((la[i + 1] ?? NaN) - (la[i] ?? NaN)) / 2;
        binShape.hw = ((lb[j + 1] ?? NaN) - (lb[j] ?? NaN)) / 2;
        binShape.radius = Math.hypot(binShape.hl, binShape.hw);
        for (const r of shapes) {
          if (shapesOverlap(binShape, r)) {
            blockedSat[(j + 1) * na + i + 1] = 1;
            break;
          }
        }
      }
    }
    for (let j = 1; j < nb; j++) {
      let row = 0;
      for (let i = 1; i < na; i++) {
        row += blockedSat[j * na + i] ?? NaN;
        blockedSat[j * na + i] = (blockedSat[(j - 1) * na + i] ?? NaN) + row;
      }
    }
  }
  let best: LatticeBest | null = null;
  let bestF = floorF;
  const fixed = o.fixedCoverage;
  const maxArea = fixed !== undefined ? o.effortM2 / fixed : Infinity;
  const fixedPod = fixed !== undefined ? pod(o.law, fixed) : 0;
  const expo = o.law === 'exponential';
  // On a uniform lattice the area is (cells) × cell area: POD from a table instead of an exp per score.
  let podTable: Float64Array | null = null;
  const cellA = uniformA ? (aMax - aMin) / (na - 1) : 0;
  const cellB = uniformB ? (bMax - bMin) / (nb - 1) : 0;
  if (uniformA && uniformB) {
    podTable = new Float64Array((na - 1) * (nb - 1) + 1);
    for (let m = 1; m < podTable.length; m++) {
      const area = m * cellA * cellB;
      podTable[m] = fixed !== undefined ? (area > maxArea * (1 + 1e-12) ? 0 : fixedPod) : pod(o.law, o.effortM2 / area);
    }
  }
  if (podTable && isRange(a0s, na) && isRange(a1s, na) && isRange(b0s, nb) && isRange(b1s, nb)) {
    const hit = scanUniform(grid, na, nb, podTable, blockedSat, bestF);
    return hit === null ? null : { f: hit.f, a0: la[hit.i0] ?? NaN, a1: la[hit.i1] ?? NaN, b0: lb[hit.j0] ?? NaN, b1: lb[hit.j1] ?? NaN };
  }
  const nA0 = a0s.length;
  const nA1 = a1s.length;
  const nB0 = b0s.length;
  const nB1 = b1s.length;
  for (let q0 = 0; q0 < nA0; q0++) {
    const i0 = a0s[q0] ?? NaN;
    for (let q1 = 0; q1 < nA1; q1++) {
      const i1 = a1s[q1] ?? NaN;
      if (i1 <= i0) continue;
      const len = (la[i1] ?? NaN) - (la[i0] ?? NaN);
      const di = podTable ? Math.round(len / cellA) : 0;
      for (let s0 = 0; s0 < nB0; s0++) {
        const j0 = b0s[s0] ?? NaN;
        const r0 = j0 * na;
        const g00 = grid[r0 + i0] ?? NaN;
        const g01 = grid[r0 + i1] ?? NaN;
        for (let s1 = 0; s1 < nB1; s1++) {
          const j1 = b1s[s1] ?? NaN;
          if (j1 <= j0) continue;
          const r1 = j1 * na;
          const mass = (grid[r1 + i1] ?? NaN) - g01 - (grid[r1 + i0] ?? NaN) + g00;
          if (mass <= bestF) continue;
          let d: number;
          if (podTable) d = podTable[di * Math.round(((lb[j1] ?? NaN) - (lb[j0] ?? NaN)) / cellB)] ?? NaN;
          else {
            const area = len * ((lb[j1] ?? NaN) - (lb[j0] ?? NaN));
            if (fixed !== undefined) {
              if (area > maxArea) continue;
              d = fixedPod;
            } else d = expo ? -Math.expm1(-o.effortM2 / area) : pod(o.law, o.effortM2 / area);
          }
          const f = mass * d;
          if (f <= bestF) continue;
          if (blockedSat && (blockedSat[r1 + i1] ?? NaN) - (blockedSat[r0 + i1] ?? NaN) - (blockedSat[r1 + i0] ?? NaN) + (blockedSat[r0 + i0] ?? NaN) > 0.5) continue;
          bestF = f;
          best = { f, a0: la[i0] ?? NaN, a1: la[i1] ?? NaN, b0: lb[j0] ?? NaN, b1: lb[j1] ?? NaN };
        }
      }
    }
  }
  return best;
}

/** Full uniform lattice (the coarse stage and the brute force): every rectangle, POD by table. */
function scanUniform(grid: Float64Array, na: number, nb: number, podTable: Float64Array, blockedSat: Float64Array | null, floorF: number): { f: number; i0: number; i1: number; j0: number; j1: number } | null {
  let bestF = floorF;
  let b0 = -1;
  let b1 = -1;
  let c0 = -1;
  let c1 = -1;
  for (let i0 = 0; i0 < na - 1; i0++) {
    for (let i1 = i0 + 1; i1 < na; i1++) {
      const di = i1 - i0;
      for (let j0 = 0; j0 < nb - 1; j0++) {
        const r0 = j0 * na;
        const g00 = grid[r0 + i0] ?? NaN;
        const g01 = grid[r0 + i1] ?? NaN;
        for (let j1 = j0 + 1; j1 < nb; j1++) {
          const r1 = j1 * na;
          const mass = (grid[r1 + i1] ?? NaN) - g01 - (grid[r1 + i0] ?? NaN) + g00;
          if (mass <= bestF) continue;
          const f = mass * (podTable[di * (j1 - j0)] ?? NaN);
          if (f <= bestF) continue;
          if (blockedSat !== null && (blockedSat[r1 + i1] ?? NaN) - (blockedSat[r0 + i1] ?? NaN) - (blockedSat[r1 + i0] ?? NaN) + (blockedSat[r0 + i0] ?? NaN) > 0.5) continue;
          bestF = f;
          b0 = i0;
          b1 = i1;
          c0 = j0;
          c1 = j1;
        }
      }
    }
  }
  return b0 < 0 ? null : { f: bestF, i0: b0, i1: b1, j0: c0, j1: c1 };
}

function isRange(ix: Int32Array, n: number): boolean {
  if (ix.length !== n) return false;
  for (let k = 0; k < n; k++) if (ix[k] !== k) return false;
  return true;
}

function isUniform(l: Float64Array): boolean {
  const n = l.length;
  if (n < 3) return true;
  const step = ((l[n - 1] ?? NaN) - (l[0] ?? NaN)) / (n - 1);
  for (let k = 1; k < n; k++) if (Math.abs((l[k] ?? NaN) - ((l[0] ?? NaN) + k * step)) > 1e-9 * Math.max(1, Math.abs(step))) return false;
  return true;
}

/** Lines made of two disjoint uniform runs of equal step and length (the refinement lattices). */
interface TwoWindows {
  half: number;
  step: number;
}

function twoWindows(l: Float64Array): TwoWindows | null {
  const n = l.length;
  if (n % 2 !== 0 || n < 4) return null;
  const half = n / 2;
  const step = (l[1] ?? NaN) - (l[0] ?? NaN);
  if (!(step > 0)) return null;
  for (let k = 1; k < half; k++) {
    if (Math.abs((l[k] ?? NaN) - (l[k - 1] ?? NaN) - step) > 1e-9 * step) return null;
    if (Math.abs((l[half + k] ?? NaN) - (l[half + k - 1] ?? NaN) - step) > 1e-9 * step) return null;
  }
  return (l[half] ?? NaN) > (l[half - 1] ?? NaN) ? { half, step } : null;
}

/** upperIndex for TwoWindows lines, in O(1) (falls back to the search at rounding edges). */
function twoIndex(w: TwoWindows, l: Float64Array, v: number): number {
  const hi0 = l[w.half - 1] ?? NaN;
  let i: number;
  if (v < hi0) i = Math.floor((v - (l[0] ?? NaN)) / w.step);
  else if (v < (l[w.half] ?? NaN)) return w.half - 1;
  else i = w.half + Math.floor((v - (l[w.half] ?? NaN)) / w.step);
  if (i < 0 || i >= l.length - 1 || !((l[i] ?? NaN) <= v && v < (l[i + 1] ?? NaN))) return upperIndex(l, v);
  return i;
}

/** Index i with l[i] <= v < l[i+1] (l sorted, l[0] <= v < l[last]). */
function upperIndex(l: Float64Array, v: number): number {
  let lo = 0;
  let hi = l.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((l[mid] ?? NaN) <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let k = 0; k < n; k++) r[k] = k;
  return r;
}

function toRect(theta: number, b: LatticeBest): Rect {
  const am = (b.a0 + b.a1) / 2;
  const bm = (b.b0 + b.b1) / 2;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  return { cxM: am * c - bm * s, cyM: am * s + bm * c, angleRad: theta, lengthM: b.a1 - b.a0, widthM: b.b1 - b.b0 };
}

/** Long side first, angle folded into (−π/2, π/2]. */
export function normaliseRect(r: Rect): Rect {
  let { angleRad, lengthM, widthM } = r;
  if (widthM > lengthM) {
    [lengthM, widthM] = [widthM, lengthM];
    angleRad += Math.PI / 2;
  }
  angleRad = Math.atan2(Math.sin(angleRad), Math.cos(angleRad));
  if (angleRad <= -Math.PI / 2) angleRad += Math.PI;
  else if (angleRad > Math.PI / 2) angleRad -= Math.PI;
  return { cxM: r.cxM, cyM: r.cyM, angleRad, lengthM, widthM };
}

/** Edge refinement around a rectangle in orientation theta: each edge within ±windowM in 2·steps+1 positions. */
function refineAt(p: Points, r: Rect, theta: number, windowM: number, steps: number, o: RectObjective, floorF: number): { f: number; rect: Rect } | null {
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const ac = r.cxM * c + r.cyM * s;
  const bc = -r.cxM * s + r.cyM * c;
  // Keep the rectangle's area when rotating: the sides are those of r in its own frame.
  const hl = r.lengthM / 2;
  const hw = r.widthM / 2;
  const build = (lo: number, hi: number) => {
    const lines: number[] = [];
    const step = windowM / steps;
    for (let k = -steps; k <= steps; k++) lines.push(lo + k * step, hi + k * step);
    const sorted = Float64Array.from(new Set(lines)).sort();
    const lowIdx: number[] = [];
    const highIdx: number[] = [];
    for (let k = -steps; k <= steps; k++) {
      lowIdx.push(sorted.indexOf(lo + k * step));
      highIdx.push(sorted.indexOf(hi + k * step));
    }
    return { lines: sorted, low: Int32Array.from(lowIdx), high: Int32Array.from(highIdx) };
  };
  const A = build(ac - hl, ac + hl);
  const B = build(bc - hw, bc + hw);
  const best = bestOnLattice(p, theta, A.lines, B.lines, A.low, A.high, B.low, B.high, o, floorF);
  return best ? { f: best.f, rect: toRect(theta, best) } : null;
}

export interface OptimiseOptions {
  /** Coarse lattice size (default 32) and orientations (default 18, every 10°). */
  coarseCells?: number;
  coarseAngles?: number;
  /** Coarse candidates refined (default 2). */
  starts?: number;
  /** The search runs on a systematic resample of at most this many points (default SEARCH_POINTS). */
  searchPoints?: number;
}

/** Weighted radius holding 99.9 % of the points around the origin (the cloud's datum). */
function coreRadius(p: Points): number {
  const n = p.xM.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.hypot(p.xM[i] ?? NaN, p.yM[i] ?? NaN);
  r.sort();
  return (r[Math.min(n - 1, Math.floor(0.999 * n))] ?? NaN) * 1.0001 + 1;
}

/**
 * Systematic resample to at most m equally weighted points (deterministic: offsets (k + ½)/m of the
 * cumulative weight), so that the search cost does not grow with the particle count.
 */
export function resample(p: Points, m: number): Points {
  const n = p.xM.length;
  if (n <= m) return p;
  let total = 0;
  for (let i = 0; i < n; i++) total += p.weight[i] ?? NaN;
  const xM = new Float64Array(m);
  const yM = new Float64Array(m);
  const weight = new Float64Array(m).fill(total / m);
  let cum = 0;
  let i = 0;
  for (let k = 0; k < m; k++) {
    const target = ((k + 0.5) / m) * total;
    while (i < n - 1 && cum + (p.weight[i] ?? NaN) < target) cum += p.weight[i++] ?? NaN;
    xM[k] = p.xM[i] ?? NaN;
    yM[k] = p.yM[i] ?? NaN;
  }
  return { xM, yM, weight };
}

interface Candidate {
  f: number;
  rect: Rect;
}

/** Refinement rounds (module header, stage 2–3) from one start, until the edge step is below minStepM. */
function polish(p: Points, start: Candidate, o: RectObjective, windowM: number, dAng: number, minStepM: number, maxRounds: number): Candidate {
  let cur = start;
  for (let round = 0; round < maxRounds && windowM / REFINE_STEPS > minStepM; round++) {
    let roundBest = cur;
    const angles = dAng > 0 ? [cur.rect.angleRad, cur.rect.angleRad - dAng, cur.rect.angleRad + dAng] : [cur.rect.angleRad];
    for (const theta of angles) {
      const r = refineAt(p, cur.rect, theta, windowM, REFINE_STEPS, o, roundBest.f);
      if (r && r.f > roundBest.f) roundBest = r;
    }
    const moved = roundBest !== cur;
    cur = roundBest;
    // Stay at this scale while an edge still moves; otherwise zoom in.
    if (!moved) {
      windowM /= 4;
      dAng /= 2;
    }
  }
  return cur;
}

/** The fast optimiser (module header). Returns null when no rectangle holds any weight (or all are blocked). */
export function optimiseRectangle(all: Points, o: RectObjective, majorAxisRad = 0, opts: OptimiseOptions = {}): RectResult | null {
  if (all.xM.length === 0) return null;
  const G = opts.coarseCells ?? 32;
  const nAng = opts.coarseAngles ?? 18;
  const starts = opts.starts ?? 2;
  const p = resample(all, opts.searchPoints ?? SEARCH_POINTS);
  const R = coreRadius(p);
  const cell = (2 * R) / G;
  const lines = new Float64Array(G + 1);
  for (let k = 0; k <= G; k++) lines[k] = -R + k * cell;
  const full = range(G + 1);
  const coarse: Candidate[] = [];
  for (let k = 0; k < nAng; k++) {
    const theta = majorAxisRad + (k * Math.PI) / nAng;
    const b = bestOnLattice(p, theta, lines, lines, full, full, full, full, o, 0);
    if (b) coarse.push({ f: b.f, rect: toRect(theta, b) });
  }
  coarse.sort((a, b) => b.f - a.f);
  let best: Candidate | null = null;
  for (const start of coarse.slice(0, starts)) {
    // Down to steps of 2 % of a coarse cell on the sample (its noise is coarser than that).
    const cur = polish(p, start, o, 1.5 * cell, Math.PI / nAng / 2, cell / 50, 8);
    if (!best || cur.f > best.f) best = cur;
  }
  if (!best) return null;
  if (p !== all) {
    // Finish on every particle: the sample's optimum, re-scored exactly, then edge moves of up to ¼ cell
    // (the sample can miss a thin edge row of particles), down to 1 m steps; the orientation stays.
    const exact = evaluateRect(all, best.rect, o);
    best = polish(all, { f: exact.pos, rect: best.rect }, o, cell / 4, 0, 1, 8);
  }
  return evaluateRect(all, normaliseRect(best.rect), o);
}

/** Brute-force reference (module header): orientations every angleStepDeg, G × G lattice per orientation. */
export function bruteForceRectangle(p: Points, o: RectObjective, angleStepDeg = 2, G = 40): RectResult | null {
  if (p.xM.length === 0) return null;
  let best: { f: number; rect: Rect } | null = null;
  const all = range(G + 1);
  for (let deg = 0; deg < 180; deg += angleStepDeg) {
    const theta = deg * DEG;
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    let aMin = Infinity;
    let aMax = -Infinity;
    let bMin = Infinity;
    let bMax = -Infinity;
    for (let i = 0; i < p.xM.length; i++) {
      const a = (p.xM[i] ?? NaN) * c + (p.yM[i] ?? NaN) * s;
      const b = -(p.xM[i] ?? NaN) * s + (p.yM[i] ?? NaN) * c;
      aMin = Math.min(aMin, a);
      aMax = Math.max(aMax, a);
      bMin = Math.min(bMin, b);
      bMax = Math.max(bMax, b);
    }
    // Nudge the far edges out so the extreme particles are inside the half-open lattice.
    const la = new Float64Array(G + 1);
    const lb = new Float64Array(G + 1);
    const da = (aMax - aMin) * (1 + 1e-9) + 1e-6;
    const db = (bMax - bMin) * (1 + 1e-9) + 1e-6;
    for (let k = 0; k <= G; k++) {
      la[k] = aMin + (k * da) / G;
      lb[k] = bMin + (k * db) / G;
    }
    const b = bestOnLattice(p, theta, la, lb, all, all, all, all, o, best?.f ?? 0);
    if (b && (!best || b.f > best.f)) best = { f: b.f, rect: toRect(theta, b) };
  }
  return best ? evaluateRect(p, normaliseRect(best.rect), o) : null;
}
