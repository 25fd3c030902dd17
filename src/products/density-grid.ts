/**
 * Particle counts on a lon/lat grid fitted to the whole run: the common input of density.nc, the
 * search areas and the animation's density shading. Pure and allocation-light: two passes over the
 * trajectory (bounding box, then binning), no I/O.
 *
 * Longitudes are unwrapped relative to the first released position, so a cloud that crosses the
 * antimeridian gets one contiguous grid whose `westDeg` may be below -180 or whose east edge may be
 * above 180 (CF allows monotonic longitudes outside [-180, 180); readers wrap them for display).
 */
import { M_PER_DEG_LAT, unwrapLonDeg, type LonLatCellGrid } from '../model/geo.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';

/** The cells (edges from westDeg / southDeg) and the counts in them. */
export interface DensityGrid extends LonLatCellGrid {
  nTimes: number;
  timesSec: Float64Array;
  /** (t * ny + y) * nx + x: released particles in the cell that are NOT stranded. */
  counts: Uint32Array;
  /** Same layout: stranded particles. */
  stranded: Uint32Array;
  /** Particles with a position (released) at each time. */
  releasedPerTime: Uint32Array;
  /** North-south cell size actually used, metres (coarser than requested when the memory cap bites). */
  cellM: number;
  /** Cell size the caller asked for, metres; `cellM / requestedCellM` is the coarsening factor (>= 1). */
  requestedCellM: number;
  /**
   * runExtent(result) of the run the grid was built from (null: nothing released), kept so the
   * animation's map view need not scan every position again (49 M at 1 M particles × 49 records).
   * Absent on grids made by hand.
   */
  extent?: Extent | null;
}

/**
 * Memory cap: cells × times for counts + stranded (8 bytes each). 8 M cell-times = 64 MB of Uint32 in
 * memory and about 96 MB in density.nc (float32 probability + two int32 counts). A typical mission
 * (100 000 particles, 48 h, a cloud of ~100 km at 1 km cells: 10 000 cells × 49 times = 0.5 M) is 16×
 * below it; a 30-day run over a 500 km cloud (250 000 cells × 721 times = 180 M) is coarsened by
 * sqrt(180/8) ≈ 4.7 to ~4.7 km cells.
 */
export const MAX_GRID_CELL_TIMES = 8_000_000;
/** Also at most 4 M cells (2000 × 2000) per time step, so a short run cannot make a huge single frame. */
export const MAX_GRID_CELLS_PER_TIME = 4_000_000;
/** cos(latitude) is clamped at 0.01 (89.4°) so the east-west cell size stays finite near the poles. */
const MIN_COS_LAT = 0.01;

/** Centre longitude of the grid: unwrap positions relative to it to land in the grid's columns. */
export function gridCenterLonDeg(grid: DensityGrid): number {
  return grid.westDeg + (grid.nx * grid.dLonDeg) / 2;
}

/** Extent of a cloud, longitudes unwrapped relative to `refLonDeg` (the first released position). */
export interface Extent {
  refLonDeg: number;
  minLonDeg: number;
  maxLonDeg: number;
  minLatDeg: number;
  maxLatDeg: number;
}

/** Bounding box of every finite position over the whole run (unwrapped), or null if none is released. */
export function runExtent(result: TrajectoryResult): Extent | null {
  const { lonDeg, latDeg } = result;
  const n = lonDeg.length;
  let i0 = 0;
  let ref = NaN;
  for (; i0 < n; i0++) {
    const lon = lonDeg[i0];
    if (lon !== undefined && Number.isFinite(lon) && Number.isFinite(latDeg[i0])) {
      ref = lon;
      break;
    }
  }
  if (i0 === n) return null;
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (let i = i0; i < n; i++) {
    // i < n: the reads are in bounds; `?? NaN` only satisfies the type (a missing value = not released).
    const lat = latDeg[i] ?? NaN;
    let d = (lonDeg[i] ?? NaN) - ref;
    if (!(d === d) || !(lat === lat)) continue; // NaN: not released
    if (d >= 180) d -= 360;
    else if (d < -180) d += 360;
    if (d < minLon) minLon = d;
    if (d > maxLon) maxLon = d;
    if (lat < minLat) minLat = lat;
    if (lat > maxLat) maxLat = lat;
  }
  return { refLonDeg: ref, minLonDeg: ref + minLon, maxLonDeg: ref + maxLon, minLatDeg: minLat, maxLatDeg: maxLat };
}

/**
 * Cells spanning [min, max] along one axis, plus one padding cell each side; the spare margin is
 * split evenly so that no point sits within 1e-6 cell of a padding cell (robust to rounding).
 */
function axisLayout(minDeg: number, maxDeg: number, dDeg: number): { startDeg: number; n: number } {
  const inner = Math.floor((maxDeg - minDeg) / dDeg + 1e-6) + 1;
  const marginDeg = inner * dDeg - (maxDeg - minDeg);
  return { startDeg: minDeg - dDeg - marginDeg / 2, n: inner + 2 };
}

/** Grid of ~cellM cells covering the extent with one empty cell of padding on every side. */
function layoutFor(ext: Extent, cellM: number): LonLatCellGrid {
  const dLatDeg = cellM / M_PER_DEG_LAT;
  const midLatRad = ((ext.minLatDeg + ext.maxLatDeg) / 2) * (Math.PI / 180);
  const dLonDeg = Math.min(360, dLatDeg / Math.max(MIN_COS_LAT, Math.cos(midLatRad)));
  const lon = axisLayout(ext.minLonDeg, ext.maxLonDeg, dLonDeg);
  const lat = axisLayout(ext.minLatDeg, ext.maxLatDeg, dLatDeg);
  // Keep the grid between the poles (lat_bnds beyond ±90 would not be valid CF).
  const southDeg = Math.max(-90, lat.startDeg);
  let ny = lat.n;
  while (ny > 1 && southDeg + ny * dLatDeg > 90 + 1e-9) ny--;
  return { westDeg: lon.startDeg, southDeg, dLonDeg, dLatDeg, nx: lon.n, ny };
}

function fits(l: LonLatCellGrid, nTimes: number): boolean {
  const perTime = l.nx * l.ny;
  return perTime <= MAX_GRID_CELLS_PER_TIME && perTime * nTimes <= MAX_GRID_CELL_TIMES;
}

/** Where a density grid's cells lie and how large they are, before any particle is counted. */
export interface DensityGridLayout extends LonLatCellGrid {
  /** Bounding box of the released positions (runExtent), or null when none is released. */
  extent: Extent | null;
  /** Cell size used, metres: `requestedCellM`, or larger when the grid would exceed its cell caps. */
  cellM: number;
  requestedCellM: number;
  nTimes: number;
}

/**
 * The grid buildDensityGrid fills, without filling it: one pass over the positions for their extent
 * (a few ms at 1 M records), where buildDensityGrid's counting costs ~30 ms at 20 000 × 49. What a
 * mission thread that writes no gridded product needs for the grid's warning (warnings.ts).
 */
export function densityGridLayout(result: TrajectoryResult, cellM: number): DensityGridLayout {
  if (!(cellM > 0) || !Number.isFinite(cellM)) {
    throw new RangeError(`products.density_cell_m: must be a positive number of metres, got ${cellM}`);
  }
  const { nTimes } = result;
  const extent = runExtent(result);
  const ext =
    extent ??
    // Nothing released at all: one padded cell at the seed, so products still have a valid (empty) grid.
    (() => {
      const lon = result.coefficients.seedLonDeg[0] ?? 0;
      const lat = result.coefficients.seedLatDeg[0] ?? 0;
      return { refLonDeg: lon, minLonDeg: lon, maxLonDeg: lon, minLatDeg: lat, maxLatDeg: lat };
    })();

  let usedCellM = cellM;
  let layout = layoutFor(ext, usedCellM);
  const timesForCap = Math.max(1, nTimes);
  if (!fits(layout, timesForCap)) {
    // Cell count scales as 1/cell²: jump straight to the right size, then nudge up for the padding cells.
    const perTime = layout.nx * layout.ny;
    const over = Math.max(perTime / MAX_GRID_CELLS_PER_TIME, (perTime * timesForCap) / MAX_GRID_CELL_TIMES);
    usedCellM = cellM * Math.sqrt(over);
    layout = layoutFor(ext, usedCellM);
    while (!fits(layout, timesForCap)) {
      usedCellM *= 1.02;
      layout = layoutFor(ext, usedCellM);
    }
  }
  return { ...layout, extent, cellM: usedCellM, requestedCellM: cellM, nTimes };
}

export function buildDensityGrid(result: TrajectoryResult, cellM: number): DensityGrid {
  const { nParticles, nTimes, lonDeg, latDeg, status } = result;
  const timesSec = Float64Array.from(result.timesSec);
  const layout = densityGridLayout(result, cellM);
  const { extent } = layout;
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny } = layout;
  const cellsPerTime = nx * ny;
  const counts = new Uint32Array(cellsPerTime * nTimes);
  const stranded = new Uint32Array(cellsPerTime * nTimes);
  const releasedPerTime = new Uint32Array(nTimes);
  const invDLon = 1 / dLonDeg;
  const invDLat = 1 / dLatDeg;
  // The longitude the others are unwrapped around (runExtent's; the seed's when nothing is released).
  const ref = extent?.refLonDeg ?? result.coefficients.seedLonDeg[0] ?? 0;
  const xMax = nx - 1;
  const yMax = ny - 1;

  for (let p = 0; p < nParticles; p++) {
    const base = p * nTimes;
    for (let t = 0; t < nTimes; t++) {
      const i = base + t;
      // In bounds (i < nParticles * nTimes); `?? NaN` only satisfies the type and reads as "not released".
      const lat = latDeg[i] ?? NaN;
      let d = (lonDeg[i] ?? NaN) - ref;
      if (!(d === d) || !(lat === lat)) continue;
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      // Clamp guards the last ulp at the east/north edge; every point is inside by construction.
      let x = Math.floor((ref + d - westDeg) * invDLon);
      let y = Math.floor((lat - southDeg) * invDLat);
      if (x < 0) x = 0;
      else if (x > xMax) x = xMax;
      if (y < 0) y = 0;
      else if (y > yMax) y = yMax;
      const cell = t * cellsPerTime + y * nx + x;
      // cell < cellsPerTime * nTimes by the clamps above; `?? 0` only satisfies the type.
      if (status[i] === STATUS.STRANDED) stranded[cell] = (stranded[cell] ?? 0) + 1;
      else counts[cell] = (counts[cell] ?? 0) + 1;
      releasedPerTime[t] = (releasedPerTime[t] ?? 0) + 1;
    }
  }

  return {
    westDeg,
    southDeg,
    dLonDeg,
    dLatDeg,
    nx,
    ny,
    nTimes,
    timesSec,
    counts,
    stranded,
    releasedPerTime,
    cellM: layout.cellM,
    extent,
    requestedCellM: cellM,
  };
}

/** Column/row of a position in the grid, or null when it falls outside. */
export function cellOf(grid: DensityGrid, lonDeg: number, latDeg: number): { x: number; y: number } | null {
  const k = cellIndexOf(grid, lonDeg, latDeg, gridCenterLonDeg(grid));
  return k < 0 ? null : { x: k % grid.nx, y: Math.floor(k / grid.nx) };
}

/**
 * cellOf as the cell's index y · nx + x, or −1 outside, with the grid's centre longitude
 * (gridCenterLonDeg) given: no object per point, for loops over many points.
 */
export function cellIndexOf(grid: DensityGrid, lonDeg: number, latDeg: number, centreLonDeg: number): number {
  const lon = unwrapLonDeg(lonDeg, centreLonDeg);
  const x = Math.floor((lon - grid.westDeg) / grid.dLonDeg);
  const y = Math.floor((latDeg - grid.southDeg) / grid.dLatDeg);
  if (x < 0 || x >= grid.nx || y < 0 || y >= grid.ny) return -1;
  return y * grid.nx + x;
}
