/**
 * A mission window's land from the tiled coastline (src/land/tile-file.ts): a LandRaster whose cells
 * are the 1/480° lattice's, holding only the window's coastal tiles (28.8 kB each) and a flag per
 * other tile. A window with no coast and no land is a 1-cell water raster: no tiles read, no memory.
 * Pure but for the TileFile's reads.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged; `bits[k] ?? 0` likewise
 * in bit operations, where undefined counted as 0.
 */
import { M_PER_DEG_LAT } from '../model/geo.js';
import { coastlineGrid, MAX_RASTER_CELLS, type LonLatBounds } from './grid.js';
import type { TileFile } from './tile-file.js';
import { CELLS_PER_DEG, TILE_BYTES, TILE_CELLS, TILE_DEG, TILE_LAND, TILE_WATER, TILES_X, TILES_Y } from './tiles.js';
import type { LandRaster } from './types.js';

/** The tiles a window touches: columns tx0 … tx0 + ntx - 1 (mod 360) and rows ty0 … ty0 + nty - 1. */
export function windowTiles(bounds: LonLatBounds): { tx0: number; ntx: number; ty0: number; nty: number } {
  const south = Math.max(-90, Math.min(bounds.southDeg, bounds.northDeg));
  const north = Math.min(90, Math.max(bounds.southDeg, bounds.northDeg));
  const west = bounds.westDeg - 360 * Math.floor((bounds.westDeg + 180) / 360); // [-180, 180)
  let width = bounds.eastDeg - bounds.westDeg;
  if (width < 0) width += 360 * Math.ceil(-width / 360); // west > east: across the antimeridian
  let tx0 = Math.min(TILES_X - 1, Math.floor((west + 180) / TILE_DEG));
  let ntx = Math.max(1, Math.ceil((west + 180 + width) / TILE_DEG) - tx0);
  if (ntx >= TILES_X) {
    tx0 = 0;
    ntx = TILES_X;
  }
  const ty0 = Math.min(TILES_Y - 1, Math.floor((south + 90) / TILE_DEG));
  const nty = Math.max(1, Math.min(TILES_Y, Math.ceil((north + 90) / TILE_DEG)) - ty0);
  return { tx0, ntx, ty0, nty };
}

/**
 * The land of `bounds` from a tile file; `name` labels LandRaster.source. Outside the window is water.
 * A window whose coastal tiles would take more than `maxBytes` (64 MiB, the old per-window cap: 2 330
 * coastal tiles, e.g. a 30-day window at 60° N) gets a plain raster of at most `maxBytes` coarser cells
 * instead, each the lattice cell under its centre.
 */
export function tiledLandRaster(bounds: LonLatBounds, file: TileFile, name: string, maxBytes = MAX_RASTER_CELLS): LandRaster {
  const { tx0, ntx, ty0, nty } = windowTiles(bounds);
  const westDeg = -180 + tx0 * TILE_DEG;
  const southDeg = -90 + ty0 * TILE_DEG;
  let coastal = 0;
  let land = 0;
  for (let b = 0; b < nty; b++) {
    for (let a = 0; a < ntx; a++) {
      const kind = file.kind((tx0 + a) % TILES_X, ty0 + b);
      if (kind === 'coastal') coastal++;
      else if (kind === TILE_LAND) land++;
    }
  }
  if (coastal * TILE_BYTES + ntx * nty * 4 > maxBytes) return coarseLandRaster(bounds, file, name, maxBytes);
  if (coastal === 0 && land === 0) {
    // Open ocean: one water cell over the window (a sampler answers "water" for every point).
    return { westDeg, southDeg, dLonDeg: ntx * TILE_DEG, dLatDeg: nty * TILE_DEG, nx: 1, ny: 1, data: new SharedArrayBuffer(1), outside: 0, source: `coastline ${name}, no coast in the window` };
  }
  const index = new Int32Array(new SharedArrayBuffer(ntx * nty * 4));
  const bits = new Uint8Array(new SharedArrayBuffer(coastal * TILE_BYTES));
  let next = 0;
  for (let b = 0; b < nty; b++) {
    for (let a = 0; a < ntx; a++) {
      const tx = (tx0 + a) % TILES_X;
      const kind = file.kind(tx, ty0 + b);
      if (kind !== 'coastal') {
        index[b * ntx + a] = kind === TILE_LAND ? TILE_LAND : TILE_WATER;
        continue;
      }
      bits.set(file.bits(tx, ty0 + b), next);
      index[b * ntx + a] = next;
      next += TILE_BYTES;
    }
  }
  const cellM = Math.round(M_PER_DEG_LAT / CELLS_PER_DEG);
  return {
    westDeg,
    southDeg,
    dLonDeg: 1 / CELLS_PER_DEG,
    dLatDeg: 1 / CELLS_PER_DEG,
    nx: ntx * TILE_CELLS,
    ny: nty * TILE_CELLS,
    data: new SharedArrayBuffer(0),
    outside: 0,
    source: `coastline ${name}, ${cellM} m cells, ${coastal} coastal tiles`,
    tiles: { tileCells: TILE_CELLS, ntx, nty, index: index.buffer, bits: bits.buffer },
  };
}

/**
 * A plain raster over `bounds` (coastlineGrid's cells, coarsened to `maxCells`) whose every cell is
 * the tile lattice's cell under its centre. Reads each tile once: cells are filled tile by tile.
 */
function coarseLandRaster(bounds: LonLatBounds, file: TileFile, name: string, maxCells: number): LandRaster {
  const grid = coastlineGrid(bounds, 1 / CELLS_PER_DEG, maxCells);
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny } = grid;
  const data = new SharedArrayBuffer(nx * ny);
  const out = new Uint8Array(data);
  // Lattice column (0 … 172 799 from -180°) of every raster column's centre, and lattice row of every row's.
  const colI = new Int32Array(nx);
  for (let i = 0; i < nx; i++) {
    let lon = westDeg + (i + 0.5) * dLonDeg;
    lon -= 360 * Math.floor((lon + 180) / 360);
    colI[i] = Math.min(TILES_X * TILE_CELLS - 1, Math.floor((lon + 180) * CELLS_PER_DEG));
  }
  const rowJ = new Int32Array(ny);
  for (let j = 0; j < ny; j++) rowJ[j] = Math.min(TILES_Y * TILE_CELLS - 1, Math.max(0, Math.floor((southDeg + (j + 0.5) * dLatDeg + 90) * CELLS_PER_DEG)));
  // Raster columns grouped by tile column, so each tile is read once.
  const colsOfTx: number[][] = Array.from({ length: TILES_X }, () => []);
  // colI is clamped to the lattice above, so every column has its tile column.
  for (const [i, col] of colI.entries()) colsOfTx[(col / TILE_CELLS) | 0]?.push(i);
  for (let j0 = 0; j0 < ny; ) {
    const ty = ((rowJ[j0] ?? NaN) / TILE_CELLS) | 0;
    let j1 = j0 + 1;
    while (j1 < ny && (((rowJ[j1] ?? NaN) / TILE_CELLS) | 0) === ty) j1++;
    for (const [tx, cols] of colsOfTx.entries()) {
      if (cols.length === 0) continue;
      const kind = file.kind(tx, ty);
      if (kind === TILE_WATER) continue;
      const bits = kind === 'coastal' ? file.bits(tx, ty) : null;
      for (let j = j0; j < j1; j++) {
        const row = j * nx;
        const tj = (rowJ[j] ?? NaN) - ty * TILE_CELLS;
        for (const i of cols) {
          if (bits === null) {
            out[row + i] = 1;
            continue;
          }
          const k = tj * TILE_CELLS + ((colI[i] ?? NaN) - tx * TILE_CELLS);
          out[row + i] = ((bits[k >>> 3] ?? 0) >>> (k & 7)) & 1;
        }
      }
    }
    j0 = j1;
  }
  const cellM = Math.round(dLatDeg * M_PER_DEG_LAT);
  return { ...grid, data, outside: 0, source: `coastline ${name}, ${cellM} m cells (sampled from the 232 m tiles)` };
}
