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
import { M_PER_DEG_LAT } from '../model/geo.js';
import type { PolygonSet } from './polygons.js';
import { coastlineGrid, DEFAULT_CELL_DEG, MAX_RASTER_CELLS, type LonLatBounds } from './grid.js';
import { rasterisePolygons } from './rasterise.js';
import { DEFAULT_COASTLINE, loadPolygonSource, sourceKey, sourceName, type CoastlineSource } from './sources.js';
import { landTiles } from './tile-cache.js';
import { tiledLandRaster } from './tiled.js';
import type { LandRaster } from './types.js';

export type { CoastlineSource } from './sources.js';
export { coastlineGrid, DEFAULT_CELL_DEG, MAX_RASTER_CELLS, windowBounds, type LonLatBounds } from './grid.js';

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

/** The coastline a worker uses: COASTLINE_FILE (land polygons) when set, else the built-in default. */
export function coastlineSourceFromConfig(config: { COASTLINE_FILE?: string | undefined }): CoastlineSource {
  return config.COASTLINE_FILE ? { file: config.COASTLINE_FILE } : DEFAULT_COASTLINE;
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
