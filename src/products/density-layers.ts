/**
 * What density.nc carries besides the raw counts (issue 8 item 3): the smoothed probability of the
 * drifting particles on the density grid, and the stranded and outside-the-forcing particles
 * accounted per time, apart from the drifting ones. Pure (no I/O).
 *
 * Smoothed layer: the KDE map the search areas are cut from (src/search/kde.ts: weighted drifting
 * particles, Scott bandwidth along the cloud's principal axes, on its own rotated grid of h/2 cells),
 * resampled onto the density grid by mass: each KDE cell's probability is split over k_u × k_v
 * sub-points (k = ceil(2 × KDE cell / density cell), at most 8, so a KDE cell coarser than the
 * density grid still spreads over the cells it covers instead of landing in one) and each sub-point
 * adds its share to the density cell that contains it. Per time it therefore sums to the drifting
 * probability (the posterior weight of the drifting particles), less what is reported in
 * `smoothedOffGrid`: the KDE's mass beyond the grid edges (the grid spans the whole run's particles
 * plus padding, the KDE's tails 4 bandwidths beyond the cloud) and what the KDE map itself leaves out
 * (its kernel truncation, ~6e-5).
 *
 * Outside the forcing: a particle that left the forcing field is frozen at its edge by the model; the
 * raw grid (density-grid.ts) counts it with the non-stranded particles, so `outsideCells` (allocated
 * only when some particle is outside) lets density.nc subtract it from the drifting count.
 */
import { latOfY, lonOfX } from '../search/frame.js';
import type { ProbabilityMap } from '../search/kde.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import { cellIndexOf, cellOf, gridCenterLonDeg, type DensityGrid } from './density-grid.js';

export interface DensityLayers {
  /** (t * ny + y) * nx + x: smoothed probability of the drifting particles in the cell. */
  smoothed: Float32Array;
  /** Per time: drifting probability the smoothed layer does not show (beyond the grid edges, kernel truncation). */
  smoothedOffGrid: Float64Array;
  /** Per time: the posterior weight of the drifting, stranded and outside-the-forcing particles. */
  driftingProbability: Float64Array;
  strandedProbability: Float64Array;
  outsideProbability: Float64Array;
  /** Per time: how many particles are drifting, stranded, outside the forcing. */
  driftingCount: Uint32Array;
  strandedCount: Uint32Array;
  outsideCount: Uint32Array;
  /** Same layout as `smoothed`: particles outside the forcing in the cell; null when there are none. */
  outsideCells: Uint32Array | null;
  /**
   * Same layout: the raw probability of containment by weight, (weight of the drifting and stranded
   * particles in the cell) / (weight released by then). Null when it would equal the count ratio
   * density.nc already writes: equal weights and no particle outside the forcing.
   */
  weightedProbability: Float32Array | null;
}

/** Weights that differ by more than this relative amount are not "equal" (float64 sums of 1/N). */
const EQUAL_WEIGHT_TOLERANCE = 1e-9;

/** Sub-points per KDE cell along one axis: 2 per density cell it spans, 1 to 8. */
const MAX_SUBPOINTS = 8;

export class DensityLayerBuilder {
  readonly layers: DensityLayers;
  private readonly cellsPerTime: number;

  constructor(
    private readonly grid: DensityGrid,
    result: TrajectoryResult,
    weights: Float64Array,
  ) {
    const nT = grid.nTimes;
    this.cellsPerTime = grid.nx * grid.ny;
    const l: DensityLayers = {
      smoothed: new Float32Array(this.cellsPerTime * nT),
      smoothedOffGrid: new Float64Array(nT),
      driftingProbability: new Float64Array(nT),
      strandedProbability: new Float64Array(nT),
      outsideProbability: new Float64Array(nT),
      driftingCount: new Uint32Array(nT),
      strandedCount: new Uint32Array(nT),
      outsideCount: new Uint32Array(nT),
      outsideCells: null,
      weightedProbability: null,
    };
    const { nParticles, nTimes, status, lonDeg, latDeg } = result;
    // t < nT (the per-time arrays' length) and i < nParticles * nTimes: the `?? 0` / `?? NaN` below only
    // satisfy the type.
    for (let p = 0; p < nParticles; p++) {
      const w = weights[p] ?? 0;
      for (let t = 0; t < nTimes && t < nT; t++) {
        const i = p * nTimes + t;
        const s = status[i];
        if (s === STATUS.ACTIVE) {
          l.driftingCount[t] = (l.driftingCount[t] ?? 0) + 1;
          l.driftingProbability[t] = (l.driftingProbability[t] ?? 0) + w;
        } else if (s === STATUS.STRANDED) {
          l.strandedCount[t] = (l.strandedCount[t] ?? 0) + 1;
          l.strandedProbability[t] = (l.strandedProbability[t] ?? 0) + w;
        } else if (s === STATUS.OUTSIDE) {
          l.outsideCount[t] = (l.outsideCount[t] ?? 0) + 1;
          l.outsideProbability[t] = (l.outsideProbability[t] ?? 0) + w;
          const c = cellOf(grid, lonDeg[i] ?? NaN, latDeg[i] ?? NaN);
          if (c !== null) {
            l.outsideCells ??= new Uint32Array(this.cellsPerTime * nT);
            const k = t * this.cellsPerTime + c.y * grid.nx + c.x;
            l.outsideCells[k] = (l.outsideCells[k] ?? 0) + 1;
          }
        }
      }
    }
    this.layers = l;
    const w0 = weights[0] ?? 0;
    const equal = weights.every((w) => Math.abs(w - w0) <= EQUAL_WEIGHT_TOLERANCE * Math.abs(w0));
    if (!equal || l.outsideCells !== null) l.weightedProbability = this.weightedRaw(result, weights);
  }

  /**
   * The raw per-cell probability by particle weight (scenario prior, completed searches), over the
   * drifting and stranded particles; outside-the-forcing particles are left out (outside_probability
   * carries them), so a time's cells sum to 1 − outside_probability / released weight.
   */
  private weightedRaw(result: TrajectoryResult, weights: Float64Array): Float32Array {
    const g = this.grid;
    const nT = g.nTimes;
    const sums = new Float64Array(this.cellsPerTime * nT);
    const released = new Float64Array(nT);
    const { nParticles, nTimes, status, lonDeg, latDeg } = result;
    // All reads below are in bounds (t < nT, i < nParticles * nTimes, cells from cellOf): `?? 0` / `?? NaN`
    // only satisfy the type.
    for (let p = 0; p < nParticles; p++) {
      const w = weights[p] ?? 0;
      for (let t = 0; t < nTimes && t < nT; t++) {
        const i = p * nTimes + t;
        const st = status[i];
        if (st !== STATUS.ACTIVE && st !== STATUS.STRANDED && st !== STATUS.OUTSIDE) continue; // not released yet
        released[t] = (released[t] ?? 0) + w;
        if (st === STATUS.OUTSIDE) continue;
        const c = cellOf(g, lonDeg[i] ?? NaN, latDeg[i] ?? NaN);
        if (c === null) continue;
        const k = t * this.cellsPerTime + c.y * g.nx + c.x;
        sums[k] = (sums[k] ?? 0) + w;
      }
    }
    const out = new Float32Array(sums.length);
    for (let t = 0; t < nT; t++) {
      const releasedW = released[t] ?? 0;
      const inv = releasedW > 0 ? 1 / releasedW : 0;
      const base = t * this.cellsPerTime;
      for (let k = 0; k < this.cellsPerTime; k++) out[base + k] = (sums[base + k] ?? 0) * inv;
    }
    return out;
  }

  /** Add the KDE map of record t, scaled to the drifting probability of that record. */
  add(t: number, map: ProbabilityMap): void {
    const g = this.grid;
    if (t < 0 || t >= g.nTimes) return;
    const scale = this.layers.driftingProbability[t] ?? 0; // t checked against nTimes above
    const c = Math.cos(map.angleRad);
    const s = Math.sin(map.angleRad);
    const frame = map.cloud.frame;
    // Density cell size in metres: north-south cellM; east-west the same by construction (density-grid.ts).
    const ku = Math.min(MAX_SUBPOINTS, Math.max(1, Math.ceil((2 * map.cellUM) / g.cellM)));
    const kv = Math.min(MAX_SUBPOINTS, Math.max(1, Math.ceil((2 * map.cellVM) / g.cellM)));
    const share = scale / (ku * kv);
    const centreLonDeg = gridCenterLonDeg(g);
    const base = t * this.cellsPerTime;
    let off = 0;
    let onMap = 0;
    for (let j = 0; j < map.nv; j++) {
      for (let i = 0; i < map.nu; i++) {
        const d = map.density[j * map.nu + i] ?? 0; // in bounds: nu × nv map
        if (d <= 0) continue;
        onMap += d;
        for (let b = 0; b < kv; b++) {
          const v = map.v0M + (j + (b + 0.5) / kv) * map.cellVM;
          for (let a = 0; a < ku; a++) {
            const u = map.u0M + (i + (a + 0.5) / ku) * map.cellUM;
            const lat = latOfY(frame, u * s + v * c);
            const cell = cellIndexOf(g, lonOfX(frame, u * c - v * s, lat), lat, centreLonDeg);
            // `off` adds −0 for a point on the grid: x + −0 = x for every x (+0 too), the same sum. A sum made
            // only off the grid, by a few points, had no type feedback when V8 compiled this loop, and threw it
            // away in a process's first mission; −0 is a double, so the sum is compiled for doubles from the
            // first point. The 49 maps of the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs, fresh
            // process, 4 alternating runs: 62-80 -> 52-57 ms.
            const part = d * share;
            off += cell < 0 ? part : -0;
            if (cell >= 0) {
              const k = base + cell; // a cell of this record: in bounds
              this.layers.smoothed[k] = (this.layers.smoothed[k] ?? 0) + part;
            }
          }
        }
      }
    }
    // Plus what the KDE map itself does not hold (kernel truncated at 4 bandwidths: ~6e-5; particles
    // binned beyond its trimmed grid), so that smoothed + off-grid = drifting probability.
    this.layers.smoothedOffGrid[t] = off + scale * Math.max(0, 1 - onMap);
  }
}
