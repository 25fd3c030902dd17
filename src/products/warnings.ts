/**
 * The warnings every product carries (summary.json, and the NetCDF files' `warnings` attribute): what
 * the products would otherwise hide.
 */
import { STATUS, type TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { LEEWAY_ASCII_MAX_RECORDS } from './leeway-ascii.js';

/** Adds `msg` unless it is there already. */
export function pushOnce(warnings: string[], msg: string): void {
  if (!warnings.includes(msg)) warnings.push(msg);
}

/**
 * Adds to `warnings` (once each) what the products would otherwise hide: particles that left the forcing,
 * a coarsened density grid, a Leeway ASCII file over its cap. Called before the animation and again
 * before the files are written, so every product (not only summary.json) carries them. `grid` needs only
 * its shape: densityGridLayout gives it without counting the particles into cells.
 */
export function addProductWarnings(
  result: TrajectoryResult,
  grid: Pick<DensityGrid, 'cellM' | 'requestedCellM' | 'nx' | 'ny' | 'nTimes'>,
  warnings: string[],
): void {
  let outside = 0;
  const last = result.nTimes - 1;
  for (let p = 0; p < result.nParticles; p++) if (result.status[p * result.nTimes + last] === STATUS.OUTSIDE) outside++;
  if (outside > 0) {
    pushOnce(
      warnings,
      `${outside} of ${result.nParticles} particles left the forcing area and stopped there (not drifting); their positions say nothing about the object`,
    );
  }
  if (grid.cellM > grid.requestedCellM * 1.001) {
    pushOnce(
      warnings,
      `density grid coarsened from ${grid.requestedCellM} m to ${Math.round(grid.cellM)} m cells to cap memory (${grid.nx} × ${grid.ny} cells × ${grid.nTimes} times)`,
    );
  }
  if (result.nParticles * result.nTimes > LEEWAY_ASCII_MAX_RECORDS) {
    pushOnce(
      warnings,
      `products/leeway.txt not written: ${result.nParticles} particles × ${result.nTimes} records exceed ${LEEWAY_ASCII_MAX_RECORDS} (about 40 bytes each in that format)`,
    );
  }
}
