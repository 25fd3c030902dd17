/**
 * The lattice of a land raster over a mission window (no I/O): longitudes normalised, cells no wider in
 * metres than they are tall, coarsened to fit a cell budget. Shared by the tiled coastline (tiled.ts)
 * and the rasterised polygons (coastline.ts); the cell-size reasoning is in coastline.ts's header.
 */
import { DriftlineError } from '../errors.js';
import type { RasterGrid } from './rasterise.js';

export interface LonLatBounds {
  /** West edge; east may be smaller (window across the antimeridian) or above 180. */
  westDeg: number;
  eastDeg: number;
  southDeg: number;
  northDeg: number;
}

export const DEFAULT_CELL_DEG = 1 / 480;
export const MAX_RASTER_CELLS = 64 * 1024 * 1024;
/** cos(latitude) floor for the east-west cell size: 1/cos grows without bound at the poles. */
const MIN_COS_LAT = 0.05;

/** missionWindow()'s centre / half-width form (src/model/window.ts) as bounds; half-width 180 = the globe. */
export function windowBounds(w: { lonCenterDeg: number; lonHalfWidthDeg: number; southDeg: number; northDeg: number }): LonLatBounds {
  return { westDeg: w.lonCenterDeg - w.lonHalfWidthDeg, eastDeg: w.lonCenterDeg + w.lonHalfWidthDeg, southDeg: w.southDeg, northDeg: w.northDeg };
}

function badBounds(field: string, value: number): DriftlineError {
  return new DriftlineError('E_INTERNAL', `coastline window ${field} is ${value}, must be a finite number of degrees`, { field });
}

/** The raster grid for a window: normalised longitudes, cell size coarsened to fit `maxCells`. */
export function coastlineGrid(bounds: LonLatBounds, cellDeg = DEFAULT_CELL_DEG, maxCells = MAX_RASTER_CELLS): RasterGrid {
  for (const k of ['westDeg', 'eastDeg', 'southDeg', 'northDeg'] as const) {
    if (!Number.isFinite(bounds[k])) throw badBounds(k, bounds[k]);
  }
  if (!(cellDeg > 0)) throw badBounds('cellDeg', cellDeg);
  const southDeg = Math.max(-90, Math.min(bounds.southDeg, bounds.northDeg));
  const northDeg = Math.min(90, Math.max(bounds.southDeg, bounds.northDeg));
  let westDeg = bounds.westDeg - 360 * Math.floor((bounds.westDeg + 180) / 360); // [-180, 180)
  let widthDeg = bounds.eastDeg - bounds.westDeg;
  if (widthDeg < 0) widthDeg += 360 * Math.ceil(-widthDeg / 360); // west > east: across the antimeridian
  if (widthDeg >= 360) {
    widthDeg = 360;
    westDeg = -180;
  }
  const heightDeg = northDeg - southDeg;
  // cos of the latitude closest to the equator: cells are no wider (in metres) than they are tall.
  const latNearestEquator = southDeg > 0 ? southDeg : northDeg < 0 ? northDeg : 0;
  const cosLat = Math.max(MIN_COS_LAT, Math.cos((latNearestEquator * Math.PI) / 180));
  let dLatDeg = cellDeg;
  for (;;) {
    const dLonDeg = Math.min(dLatDeg / cosLat, 360);
    const nx = Math.max(1, Math.ceil(widthDeg / dLonDeg - 1e-9));
    const ny = Math.max(1, Math.ceil(heightDeg / dLatDeg - 1e-9));
    if (nx * ny <= maxCells) return { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny };
    // Scale both sizes by the overshoot (area ∝ size²), a hair more so the ceil()s can't loop long.
    dLatDeg *= Math.sqrt((nx * ny) / maxCells) * 1.001;
  }
}
