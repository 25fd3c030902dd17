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
import { positiveDescending } from './select.js';
import { chosenBox, traceMask, type CellBox } from './trace.js';
import { M2_PER_NM2 } from './detection.js';
import { latOfY, lonOfX, round6 } from './frame.js';
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
  /** Holds every chosen cell (the threshold's cells, before pieces were dropped); null when none is chosen. */
  box: CellBox | null;
}

/**
 * Per-map arrays the level search reads many times (1–4 processLevel passes and ~log2(cells)
 * heldOutBound passes per level): the leave-one-out density of each cell, and the key of heldOutBound.
 */
interface LevelScratch {
  stack: Int32Array;
  label: Int32Array;
  /** Held-out and plain weight of each piece (at most one piece a cell); typed, so no array grows. */
  pieceMass: Float64Array;
  pieceRaw: Float64Array;
  /** density − selfDensity, per cell (the same subtraction processLevel made per visit). */
  heldOutDensity: Float64Array;
  /**
   * heldOutBound's terms, in cell order, for the cells with weight (the others add 0): the key is
   * min(density, heldOutDensity) where density > 0, else NaN, so the test is one comparison.
   */
  boundKey: Float64Array;
  boundMass: Float64Array;
}

function levelScratch(map: ProbabilityMap): LevelScratch {
  const { density, selfDensity } = map;
  const nCells = density.length;
  const { mass } = map;
  const heldOutDensity = new Float64Array(nCells);
  let nTerms = 0;
  for (let c = 0; c < nCells; c++) {
    heldOutDensity[c] = (density[c] as number) - (selfDensity[c] as number);
    if (mass[c] !== 0) nTerms++;
  }
  const boundKey = new Float64Array(nTerms);
  const boundMass = new Float64Array(nTerms);
  nTerms = 0;
  for (let c = 0; c < nCells; c++) {
    const m = mass[c] as number;
    if (m === 0) continue;
    const d = density[c] as number;
    // d ≥ tau && d > 0 && h ≥ tau  ⇔  min(d, h) ≥ tau && d > 0 (a NaN fails both).
    boundKey[nTerms] = d > 0 ? Math.min(d, heldOutDensity[c] as number) : NaN;
    boundMass[nTerms++] = m;
  }
  return {
    stack: new Int32Array(nCells),
    label: new Int32Array(nCells),
    pieceMass: new Float64Array(nCells),
    pieceRaw: new Float64Array(nCells),
    heldOutDensity,
    boundKey,
    boundMass,
  };
}

/**
 * Mask of cells with density ≥ tau, holes filled, pieces under minMass dropped. The floods push their
 * neighbours in a fixed order (west, east, south, north), so the pieces' weights are summed in the same
 * order as before they were written without closures, and the pieces' weights go into typed scratch
 * arrays (a number[] that held a 0 and then fractions changed shape under V8's optimised code).
 */
function processLevel(map: ProbabilityMap, tau: number, minMass: number, scratch: LevelScratch, heldOut: boolean): Processed {
  const { nu, nv, density, mass } = map;
  const { stack, label, heldOutDensity } = scratch;
  const nCells = nu * nv;
  const mask = new Uint8Array(nCells);
  for (let c = 0; c < nCells; c++) {
    const d = density[c] as number;
    if (d >= tau && d > 0) mask[c] = 1;
  }
  // The box [iLo, iHi] × [jLo, jHi] of the cells the threshold chose.
  const box = chosenBox(mask, nu, nv);
  if (box === null) return { mask, mass: 0, rawMass: 0, pieces: 0, nCells: 0, box };
  const { xLo: iLo, xHi: iHi, yLo: jLo, yHi: jHi } = box;
  // (1) Fill holes: flood the unchosen cells from the border (value 2 = reached), the rest become chosen.
  // Every cell outside the box is unchosen and reached, so the flood runs in the box grown by one cell
  // (clipped to the grid) from the unchosen cells of its rim: a path from the grid's border into the box
  // enters it through one of them, so it reaches the same cells of the box as a flood of the whole grid.
  // The areas' boxes are a quarter of their KDE grids on average (1 748 of 6 975 cells over the 147 areas of
  // the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs).
  const ia = Math.max(0, iLo - 1);
  const ib = Math.min(nu - 1, iHi + 1);
  const ja = Math.max(0, jLo - 1);
  const jb = Math.min(nv - 1, jHi + 1);
  let sp = 0;
  for (let i = ia; i <= ib; i++) {
    const bottom = ja * nu + i;
    if (mask[bottom] === 0) {
      mask[bottom] = 2;
      stack[sp++] = bottom;
    }
    const top = jb * nu + i;
    if (mask[top] === 0) {
      mask[top] = 2;
      stack[sp++] = top;
    }
  }
  for (let j = ja; j <= jb; j++) {
    const west = j * nu + ia;
    if (mask[west] === 0) {
      mask[west] = 2;
      stack[sp++] = west;
    }
    const east = j * nu + ib;
    if (mask[east] === 0) {
      mask[east] = 2;
      stack[sp++] = east;
    }
  }
  const cLo = ja * nu;
  const cHi = jb * nu + nu; // one past the box's last row
  while (sp > 0) {
    const c = stack[--sp] as number;
    const i = c % nu;
    if (i > ia && mask[c - 1] === 0) {
      mask[c - 1] = 2;
      stack[sp++] = c - 1;
    }
    if (i < ib && mask[c + 1] === 0) {
      mask[c + 1] = 2;
      stack[sp++] = c + 1;
    }
    if (c - nu >= cLo && mask[c - nu] === 0) {
      mask[c - nu] = 2;
      stack[sp++] = c - nu;
    }
    if (c + nu < cHi && mask[c + nu] === 0) {
      mask[c + nu] = 2;
      stack[sp++] = c + nu;
    }
  }
  // Outside the box the mask is 0 already; the chosen cells and the filled holes lie in [iLo, iHi] × [jLo, jHi].
  for (let j = ja; j <= jb; j++) for (let c = j * nu + ia; c <= j * nu + ib; c++) mask[c] = mask[c] === 2 ? 0 : 1;
  // (2) 4-connected pieces and their weight, found in cell order as over the whole grid.
  label.fill(-1, jLo * nu, jHi * nu + nu);
  const { pieceMass, pieceRaw } = scratch;
  let nPieces = 0;
  for (let j = jLo; j <= jHi; j++) {
    for (let c0 = j * nu + iLo; c0 <= j * nu + iHi; c0++) {
      if (mask[c0] === 0 || label[c0] !== -1) continue;
      const id = nPieces;
      let m = 0;
      let raw = 0;
      sp = 0;
      label[c0] = id;
      stack[sp++] = c0;
      while (sp > 0) {
        const c = stack[--sp] as number;
        const w = mass[c] as number;
        raw += w;
        if (!heldOut || (heldOutDensity[c] as number) >= tau) m += w;
        const i = c % nu;
        if (i > 0 && mask[c - 1] === 1 && label[c - 1] === -1) {
          label[c - 1] = id;
          stack[sp++] = c - 1;
        }
        if (i < nu - 1 && mask[c + 1] === 1 && label[c + 1] === -1) {
          label[c + 1] = id;
          stack[sp++] = c + 1;
        }
        if (c >= nu && mask[c - nu] === 1 && label[c - nu] === -1) {
          label[c - nu] = id;
          stack[sp++] = c - nu;
        }
        if (c < nCells - nu && mask[c + nu] === 1 && label[c + nu] === -1) {
          label[c + nu] = id;
          stack[sp++] = c + nu;
        }
      }
      pieceMass[id] = m;
      pieceRaw[id] = raw;
      nPieces++;
    }
  }
  let kept = 0;
  let keptRaw = 0;
  let pieces = 0;
  const keep = new Uint8Array(nPieces);
  for (let id = 0; id < nPieces; id++) {
    const m = pieceMass[id] as number;
    if (m >= minMass) {
      keep[id] = 1;
      kept += m;
      keptRaw += pieceRaw[id] as number;
      pieces++;
    }
  }
  let n = 0;
  for (let j = jLo; j <= jHi; j++) {
    for (let c = j * nu + iLo; c <= j * nu + iHi; c++) {
      if (mask[c] === 1 && keep[label[c] as number] === 0) mask[c] = 0;
      n += mask[c] as number;
    }
  }
  return { mask, mass: kept, rawMass: keptRaw, pieces, nCells: n, box };
}

/**
 * Held-out weight of the cells at density ≥ tau: an upper bound of processLevel(tau).mass, since filled
 * holes add no held-out weight (their density is below tau) and dropping pieces only removes weight.
 * One plain pass over the cells with weight, several times cheaper than processLevel's floods; called
 * ~13 times a level (1 871 times against 147 processLevel passes on the 20 000 × 48 h case of
 * bench/opendrift-side-by-side.mjs).
 */
function heldOutBound(tau: number, scratch: LevelScratch): number {
  const { boundKey, boundMass } = scratch;
  let m = 0;
  for (let k = 0; k < boundKey.length; k++) if ((boundKey[k] as number) >= tau) m += boundMass[k] as number;
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
  scratch: LevelScratch,
  heldOut: boolean,
): Processed {
  const at = (k: number) => processLevel(map, sorted[k - 1] ?? 0, minMass, scratch, heldOut);
  const kMax = Math.max(1, nPositive);
  let lo = 1;
  if (heldOut) {
    let hi = kMax;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (heldOutBound(sorted[mid - 1] ?? 0, scratch) >= target) hi = mid;
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
  // Only the positive densities are ever thresholds (smallestLevel reads sorted[k − 1] for k ≤ nPositive,
  // and 0 past the end does what the zeros of a full sorted copy did: an empty mask).
  const sorted = positiveDescending(density) ?? Float64Array.from(density).sort().reverse();
  let nPositive = 0;
  while (nPositive < nCells && (sorted[nPositive] ?? NaN) > 0) nPositive++;
  const scratch = levelScratch(map);
  const out: SearchAreaLevel[] = [];
  for (const percent of [...percents].sort((a, b) => a - b)) {
    if (!(percent > 0 && percent <= 100)) throw new RangeError(`search area percent ${percent} is not in (0, 100]`);
    const target = percent / 100 - 1e-12;
    const minMass = minPieceShare * (percent / 100);
    out.push(levelGeometry(map, percent, smallestLevel(map, sorted, nPositive, target, minMass, scratch, heldOut)));
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
  const polygons = (p.box === null ? [] : traceMask(p.mask, map.nu, map.nv, 0, map.nu, p.box)).map((poly) => {
    const ring: number[][] = [];
    for (let k = 0; k < poly.outer.length; k += 2) {
      const u = map.u0M + (poly.outer[k] ?? NaN) * map.cellUM;
      const v = map.v0M + (poly.outer[k + 1] ?? NaN) * map.cellVM;
      const lat = latOfY(frame, u * s + v * c);
      const pt = [round6(lonOfX(frame, u * c - v * s, lat)), round6(lat)] as [number, number];
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
