/**
 * The global coastline as a LandRaster for a mission window (main thread; the raster's
 * SharedArrayBuffers then go to the simulation threads, which look it up with createLandSampler).
 *
 * Two ways:
 *  - missionCoastline() (what missions use): the window's tiles of the source's tile file
 *    (src/land/tiled.ts, built once per source and machine by src/land/tile-cache.ts) on the fixed
 *    global lattice of 1/480° cells. No polygons in the process; a window without coast costs a
 *    table look-up per tile and no memory, a coastal window 28.8 kB per coastal 1° tile.
 *  - coastlineLandRaster() (below): the source's polygons rasterised over the window on a grid of
 *    its own, the reference the tiles are tested against and the way to other cell sizes.
 *
 * Cell size: 1/480° (7.5″, 232 m north-south) by default, and east-west 1/480° / cos(latitude
 * nearest the equator in the window), so no cell is wider than 232 m anywhere in the window and
 * high-latitude windows don't pay for needlessly thin cells. That is finer than the default data's
 * own detail (median coast edge 0.48 km) and than a Leeway step (600 s × ~1 m/s = 600 m), and the
 * centre-sampled coast is within half a cell diagonal (≤ 164 m) of the polygon edge. A window is
 * capped at 64 MiB (one byte per cell): bigger windows get proportionally coarser cells, e.g. a 48 h
 * window at 60° N (±874 km: 15.7° × 31.4°) gets ≈ 240 m cells instead of 232 m, a whole-globe
 * window 0.031° ≈ 3.5 km.
 */
import { DriftlineError } from '../errors.js';
import { M_PER_DEG_LAT } from '../model/geo.js';
import type { PolygonSet } from './polygons.js';
import { rasterisePolygons, type RasterGrid } from './rasterise.js';
import { DEFAULT_COASTLINE, loadPolygonSource, sourceKey, sourceName, type CoastlineSource } from './sources.js';
import { landTiles } from './tile-cache.js';
import { tiledLandRaster } from './tiled.js';
import type { LandRaster } from './types.js';

export type { CoastlineSource } from './sources.js';

export interface LonLatBounds {
  /** West edge; east may be smaller (window across the antimeridian) or above 180. */
  westDeg: number;
  eastDeg: number;
  southDeg: number;
  northDeg: number;
}

export interface CoastlineOptions {
  /** Requested north-south cell size in degrees (default 1/480°); coastlineLandRaster only (the tiles are 1/480°). */
  cellDeg?: number;
  /** Polygon source (default 'osm-seas-10m'); pass { file: config.COASTLINE_FILE } for a user file. */
  source?: CoastlineSource;
  /** Cell (byte) budget of one raster; default 64 MiB; coastlineLandRaster only (tiles: see tiledLandRaster). */
  maxCells?: number;
  /** Directory of the tile files (LAND_CACHE_DIR; default <package>/.cache/land), for missionCoastline. */
  cacheDir?: string;
}

export const DEFAULT_CELL_DEG = 1 / 480;
export const MAX_RASTER_CELLS = 64 * 1024 * 1024;
/** cos(latitude) floor for the east-west cell size: 1/cos grows without bound at the poles. */
const MIN_COS_LAT = 0.05;

/** The coastline a worker uses: COASTLINE_FILE (land polygons) when set, else the built-in default. */
export function coastlineSourceFromConfig(config: { COASTLINE_FILE?: string | undefined }): CoastlineSource {
  return config.COASTLINE_FILE ? { file: config.COASTLINE_FILE } : DEFAULT_COASTLINE;
}

/** missionWindow()'s centre / half-width form (src/model/window.ts) as bounds; half-width 180 = the globe. */
export function windowBounds(w: { lonCenterDeg: number; lonHalfWidthDeg: number; southDeg: number; northDeg: number }): LonLatBounds {
  return { westDeg: w.lonCenterDeg - w.lonHalfWidthDeg, eastDeg: w.lonCenterDeg + w.lonHalfWidthDeg, southDeg: w.southDeg, northDeg: w.northDeg };
}

const cache = new Map<string, PolygonSet>();

/** The polygons of a source, read and indexed once per process (0.6–0.8 s for the default: call it at worker start). */
export function loadCoastline(source: CoastlineSource = DEFAULT_COASTLINE): PolygonSet {
  const key = sourceKey(source);
  let set = cache.get(key);
  if (!set) {
    set = loadPolygonSource(source);
    cache.set(key, set);
  }
  return set;
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

/**
 * Rasterises the coastline inside `bounds` (1 = land) into a SharedArrayBuffer. Outside the raster
 * is water (`outside: 0`), as for a forcing land mask: the window already holds every place a
 * particle can reach (missionWindow() pads by 5 m/s × duration).
 */
export function coastlineLandRaster(bounds: LonLatBounds, opts: CoastlineOptions = {}): LandRaster {
  const set = loadCoastline(opts.source ?? DEFAULT_COASTLINE);
  const grid = coastlineGrid(bounds, opts.cellDeg ?? DEFAULT_CELL_DEG, opts.maxCells ?? MAX_RASTER_CELLS);
  const data = new SharedArrayBuffer(grid.nx * grid.ny);
  rasterisePolygons(set, grid, new Uint8Array(data));
  const cellM = Math.round(grid.dLatDeg * M_PER_DEG_LAT);
  return { ...grid, data, outside: 0, source: `coastline ${set.name}, ${cellM} m cells` };
}

/**
 * The coastline of a mission window from the source's tile file (built first if missing): 1/480°
 * cells on the global lattice, only the window's coastal tiles in memory. Outside the window is water.
 */
export async function missionCoastline(bounds: LonLatBounds, opts: CoastlineOptions = {}): Promise<LandRaster> {
  const source = opts.source ?? DEFAULT_COASTLINE;
  const file = await landTiles(source, opts.cacheDir);
  return tiledLandRaster(bounds, file, sourceName(source));
}
