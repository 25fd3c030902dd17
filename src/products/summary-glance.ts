/**
 * summary.json members a coordinator reads first (issue 14): when the first particle stranded, and the
 * most likely cell at the last output time. Pure: computed from the trajectory and the density grid.
 */
import { wrapLonDeg } from '../model/geo.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { isoTime } from './acdd.js';

export interface FirstStranding {
  time: string;
  /** Output records since the start of the run (record index; a backward run counts back in time). */
  record: number;
  /** Particles stranded at that record. */
  stranded: number;
}

/** The first output record (in run order) with a stranded particle, or null when none stranded. */
export function firstStranding(result: TrajectoryResult): FirstStranding | null {
  const { nParticles, nTimes, status } = result;
  for (let t = 0; t < nTimes; t++) {
    let n = 0;
    for (let p = 0; p < nParticles; p++) if (status[p * nTimes + t] === STATUS.STRANDED) n++;
    const timeSec = result.timesSec[t];
    if (n > 0 && timeSec !== undefined) return { time: isoTime(timeSec), record: t, stranded: n };
  }
  return null;
}

export interface MostLikelyCell {
  time: string;
  /** Cell centre, degrees (lon wrapped to [-180, 180)). */
  lon: number;
  lat: number;
  cell_m: number;
  /** Particles in the cell (drifting and stranded) and their share of those released at that time. */
  particles: number;
  fraction: number;
}

/** The cell holding most particles at the last output time (the first such cell on a tie), or null. */
export function mostLikelyCell(grid: DensityGrid, timesSec: Float64Array): MostLikelyCell | null {
  const t = grid.nTimes - 1;
  const n = grid.nx * grid.ny;
  const released = grid.releasedPerTime[t] ?? 0;
  const timeSec = timesSec[t];
  if (t < 0 || released === 0 || timeSec === undefined) return null;
  let best = -1;
  let bestCount = 0;
  for (let c = 0; c < n; c++) {
    const v = (grid.counts[t * n + c] ?? 0) + (grid.stranded[t * n + c] ?? 0);
    if (v > bestCount) {
      bestCount = v;
      best = c;
    }
  }
  if (best < 0) return null;
  const x = best % grid.nx;
  const y = (best - x) / grid.nx;
  return {
    time: isoTime(timeSec),
    lon: Number(wrapLonDeg(grid.westDeg + (x + 0.5) * grid.dLonDeg).toFixed(6)),
    lat: Number((grid.southDeg + (y + 0.5) * grid.dLatDeg).toFixed(6)),
    cell_m: Number(grid.cellM.toFixed(1)),
    particles: bestCount,
    fraction: Number((bestCount / released).toFixed(4)),
  };
}
