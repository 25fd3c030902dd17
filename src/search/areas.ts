/**
 * Search areas from the smoothed probability map: for each level p, the smallest set of
 * highest-density cells that holds p of the drifting weight, with holes filled and negligible pieces
 * dropped, traced along the cell edges into lon/lat polygons. Pure.
 *
 * Rule (why it generalises): the cells are ranked by the SMOOTHED density (a smooth ranking gives
 * compact shapes that do not follow one sample's noise), but the level is reached by counting the
 * particles' own weight in the cells (the `mass` grid), not the smoothed mass. Counting the smoothed mass
 * would inflate the areas: the smoothed density of a Gaussian cloud has variance σ² + h², and its 50 %
 * region holds 52 % of the cloud at n = 5 000 (h = 0.24 σ), a bias of +2 points.
 *
 * Held-out counting (leave-one-out): a cell is ranked high partly BECAUSE of its own particles (each
 * adds its kernel to the density where it sits), so counting those same particles is optimistic: the
 * region holds p of the sample it was cut from but less of another run's particles. A particle is
 * therefore counted only where its leave-one-out density, density − selfDensity (kde.ts: the cell's
 * own kernel share of one particle, exact for the linear binning and blur), still clears the
 * threshold; the level is reached on that held-out count. No free parameter. Measured on the real
 * model (constant 10 m/s wind, PIW-1 and life raft, 24 h, hours 1–24), areas from 12 seeds of 5 000
 * particles against a 50 000-particle run of a 13th seed (sampling noise ±0.2 points), mean
 * deviation ± its standard error over seeds, 50/90/95 % (bench/search-bias.bench.mjs):
 *   plain in-sample count   PIW −0.57±0.24, −0.31±0.11, −0.36±0.07   raft −0.32±0.19, −0.31±0.12, −0.21±0.09
 *   held-out count          PIW −0.07±0.24, +0.02±0.11, −0.09±0.07   raft +0.26±0.19, −0.03±0.12, +0.04±0.09
 * The alternative of widening Scott's bandwidth (×1.25, ×1.5) only halved the bias (×1.5: PIW −0.27,
 * −0.11, −0.19; raft −0.04, −0.15, −0.06) and blurs split clouds, so the bandwidth stays Scott's.
 * The rest of a pair's deviation is sampling noise: per seed the 50 % area's share of the population
 * varies by σ ≈ 0.8 points (binomial alone: √(0.25/5 000) = 0.71), and a second 5 000-particle run
 * adds its own 0.71, so one seed pair differs by σ ≈ 1.1 points whatever the rule. Filled holes count
 * no held-out weight (their cells are below the threshold), which errs on the large side.
 *
 * For the top-k cells: (1) fill holes (unchosen cells not 4-connected to the grid border); (2) split
 * into 4-connected pieces and drop every piece holding less than MIN_PIECE_SHARE of the level (5 %:
 * tail islands of a single cloud hold well under that, while a truly split cloud, e.g. a 70/30 pair
 * of scenarios, has pieces far above it). The weight kept by these two steps never decreases as k
 * grows (a kept piece only grows or merges; filling is monotone), so the smallest k that keeps ≥ p is
 * found by bisection ("re-grow to keep the level"). Levels are nested: the 50 % area lies inside 90 %.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { traceMask } from './trace.js';
import { M2_PER_NM2 } from './detection.js';
import { round6, toLonLat } from './frame.js';
import type { ProbabilityMap } from './kde.js';

export const MIN_PIECE_SHARE = 0.05;

export interface SearchAreaLevel {
  percent: number;
  /** MultiPolygon coordinates: one polygon per piece, each [outer ring] closed, counter-clockwise, lon/lat to 6 decimals. */
  polygons: number[][][][];
  nPieces: number;
  /** Area of the chosen cells, exact in the equal-area local frame. */
  areaM2: number;
  areaKm2: number;
  areaNm2: number;
  /** [west, south, east, north] degrees (west/east unwrapped about the datum). */
  bbox: [number, number, number, number];
  /** Share of the map's drifting weight inside the area (≥ percent/100 unless the grid holds less). */
  fractionInside: number;
  /** Held-out (leave-one-out) share that set the level: ≤ fractionInside, ≥ percent/100 unless the grid holds less. */
  heldOutFraction: number;
  nCells: number;
  /** Chosen cells of the map's grid (index j·nu + i). */
  mask: Uint8Array;
}

interface Processed {
  mask: Uint8Array;
  /** Held-out weight kept (sets the level). */
  mass: number;
  /** Plain weight kept. */
  rawMass: number;
  pieces: number;
  nCells: number;
}

/** Mask of cells with density ≥ tau, holes filled, pieces under minMass dropped. */
function processLevel(map: ProbabilityMap, tau: number, minMass: number, stack: Int32Array, label: Int32Array, heldOut: boolean): Processed {
  const { nu, nv, density, mass, selfDensity } = map;
  const nCells = nu * nv;
  const mask = new Uint8Array(nCells);
  for (let c = 0; c < nCells; c++) if ((density[c] ?? NaN) >= tau && (density[c] ?? NaN) > 0) mask[c] = 1;
  // (1) Fill holes: flood the unchosen cells from the border (value 2 = reached), the rest become chosen.
  let sp = 0;
  const push = (c: number) => {
    if (mask[c] === 0) {
      mask[c] = 2;
      stack[sp++] = c;
    }
  };
  for (let i = 0; i < nu; i++) {
    push(i);
    push((nv - 1) * nu + i);
  }
  for (let j = 0; j < nv; j++) {
    push(j * nu);
    push(j * nu + nu - 1);
  }
  while (sp > 0) {
    const c = stack[--sp] ?? NaN;
    const i = c % nu;
    if (i > 0) push(c - 1);
    if (i < nu - 1) push(c + 1);
    if (c >= nu) push(c - nu);
    if (c < nCells - nu) push(c + nu);
  }
  for (let c = 0; c < nCells; c++) mask[c] = mask[c] === 2 ? 0 : 1;
  // (2) 4-connected pieces and their weight.
  label.fill(-1);
  const pieceMass: number[] = [];
  const pieceRaw: number[] = [];
  for (let c0 = 0; c0 < nCells; c0++) {
    if (mask[c0] === 0 || label[c0] !== -1) continue;
    const id = pieceMass.length;
    let m = 0;
    let raw = 0;
    sp = 0;
    label[c0] = id;
    stack[sp++] = c0;
    while (sp > 0) {
      const c = stack[--sp] ?? NaN;
      raw += mass[c] ?? NaN;
      if (!heldOut || (density[c] ?? NaN) - (selfDensity[c] ?? NaN) >= tau) m += mass[c] ?? NaN;
      const i = c % nu;
      const visit = (d: number) => {
        if (mask[d] === 1 && label[d] === -1) {
          label[d] = id;
          stack[sp++] = d;
        }
      };
      if (i > 0) visit(c - 1);
      if (i < nu - 1) visit(c + 1);
      if (c >= nu) visit(c - nu);
      if (c < nCells - nu) visit(c + nu);
    }
    pieceMass.push(m);
    pieceRaw.push(raw);
  }
  let kept = 0;
  let keptRaw = 0;
  let pieces = 0;
  const keep = pieceMass.map((m) => m >= minMass);
  pieceMass.forEach((m, id) => {
    if (keep[id]) {
      kept += m;
      keptRaw += pieceRaw[id] ?? 0;
      pieces++;
    }
  });
  let n = 0;
  for (let c = 0; c < nCells; c++) {
    if (mask[c] === 1 && !keep[label[c] ?? NaN]) mask[c] = 0;
    n += mask[c] ?? NaN;
  }
  return { mask, mass: kept, rawMass: keptRaw, pieces, nCells: n };
}

/**
 * Held-out weight of the cells at density ≥ tau: an upper bound of processLevel(tau).mass, since filled
 * holes add no held-out weight (their density is below tau) and dropping pieces only removes weight.
 * One plain pass, several times cheaper than processLevel's floods.
 */
function heldOutBound(map: ProbabilityMap, tau: number): number {
  const { density, mass, selfDensity } = map;
  let m = 0;
  for (let c = 0; c < density.length; c++) {
    const d = density[c] ?? 0;
    if (d >= tau && d > 0 && d - (selfDensity[c] ?? 0) >= tau) m += mass[c] ?? 0;
  }
  return m;
}

/**
 * The processed region of the smallest k (top-k cells by density) that keeps ≥ target; its mass is
 * monotone in k. With held-out counting the search starts at the smallest k whose heldOutBound reaches
 * the target (no smaller k can), then gallops up and bisects: 1–4 processLevel passes per level instead of
 * log2(cells) ≈ 15 (1 000 particles × 25 times × 3 levels: search areas 140 ms -> see CHANGELOG).
 * When no k reaches the target, the region of every positive cell (as before).
 */
function smallestLevel(
  map: ProbabilityMap,
  sorted: Float64Array,
  nPositive: number,
  target: number,
  minMass: number,
  stack: Int32Array,
  label: Int32Array,
  heldOut: boolean,
): Processed {
  const at = (k: number) => processLevel(map, sorted[k - 1] ?? 0, minMass, stack, label, heldOut);
  const kMax = Math.max(1, nPositive);
  let lo = 1;
  if (heldOut) {
    let hi = kMax;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (heldOutBound(map, sorted[mid - 1] ?? 0) >= target) hi = mid;
      else lo = mid + 1;
    }
  }
  // Gallop from lo: k values known to fail are below `failed + 1`.
  let failed = lo - 1;
  let k = lo;
  let step = 1;
  let best = at(k);
  while (best.mass < target && k < kMax) {
    failed = k;
    k = Math.min(kMax, k + step);
    step *= 2;
    best = at(k);
  }
  if (best.mass < target) return best;
  let a = failed + 1;
  let b = k;
  while (a < b) {
    const mid = (a + b) >> 1;
    const p = at(mid);
    if (p.mass >= target) {
      b = mid;
      best = p;
    } else a = mid + 1;
  }
  return best;
}

/**
 * Search areas for the given percents (each in (0, 100]), on one map. `heldOut: false` reaches the level
 * on the plain own-sample count instead (the biased rule, kept so bench/search-bias.bench.mjs can show
 * the difference).
 */
export function searchAreas(map: ProbabilityMap, percents: number[], minPieceShare = MIN_PIECE_SHARE, heldOut = true): SearchAreaLevel[] {
  const { nu, nv, density } = map;
  const nCells = nu * nv;
  const sorted = Float64Array.from(density).sort().reverse();
  let nPositive = 0;
  while (nPositive < nCells && (sorted[nPositive] ?? NaN) > 0) nPositive++;
  const stack = new Int32Array(nCells);
  const label = new Int32Array(nCells);
  const out: SearchAreaLevel[] = [];
  for (const percent of [...percents].sort((a, b) => a - b)) {
    if (!(percent > 0 && percent <= 100)) throw new RangeError(`search area percent ${percent} is not in (0, 100]`);
    const target = percent / 100 - 1e-12;
    const minMass = minPieceShare * (percent / 100);
    out.push(levelGeometry(map, percent, smallestLevel(map, sorted, nPositive, target, minMass, stack, label, heldOut)));
  }
  return out;
}

function levelGeometry(map: ProbabilityMap, percent: number, p: Processed): SearchAreaLevel {
  const c = Math.cos(map.angleRad);
  const s = Math.sin(map.angleRad);
  const frame = map.cloud.frame;
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  const polygons = traceMask(p.mask, map.nu, map.nv).map((poly) => {
    const ring: number[][] = [];
    for (let k = 0; k < poly.outer.length; k += 2) {
      const u = map.u0M + (poly.outer[k] ?? NaN) * map.cellUM;
      const v = map.v0M + (poly.outer[k + 1] ?? NaN) * map.cellVM;
      const [lon, lat] = toLonLat(frame, u * c - v * s, u * s + v * c);
      const pt = [round6(lon), round6(lat)] as [number, number];
      ring.push(pt);
      west = Math.min(west, pt[0]);
      east = Math.max(east, pt[0]);
      south = Math.min(south, pt[1]);
      north = Math.max(north, pt[1]);
    }
    const first = ring[0];
    if (first) ring.push([first[0] ?? NaN, first[1] ?? NaN]);
    return [ring];
  });
  const areaM2 = p.nCells * map.cellUM * map.cellVM;
  return {
    percent,
    polygons,
    nPieces: polygons.length,
    areaM2,
    areaKm2: areaM2 / 1e6,
    areaNm2: areaM2 / M2_PER_NM2,
    bbox: [west, south, east, north],
    fractionInside: p.rawMass,
    heldOutFraction: p.mass,
    nCells: p.nCells,
    mask: p.mask,
  };
}
