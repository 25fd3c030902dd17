/**
 * The coastline as a global tiled raster: a fixed lon/lat lattice of 1/480° cells (232 m north-south,
 * as the per-window rasters of src/land/coastline.ts) cut into 1° × 1° tiles of 480 × 480 cells.
 * A tile is all water, all land, or coastal; only coastal tiles carry cells, as 480 × 480 bits
 * (28 800 bytes). Pure: no I/O (src/land/tile-file.ts stores the tiles, src/land/tiled.ts reads them).
 *
 * Why 1° tiles: the OSM coastline touches 11 % of the 64 800 tiles of the globe (measured by
 * scripts/build-land-tiles), a 50 km window touches 2–6 of them, and a 28.8 kB tile is one pread and
 * one inflate (~0.1 ms).
 *
 * A cell is land when its centre is (src/land/rasterise.ts, the same fill as the per-window rasters),
 * so the lattice's coast is within half a cell diagonal of the polygons, as before; what changes is
 * that cell centres are fixed on the globe instead of following each mission window's corner.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged; `bits[k] ?? 0` likewise
 * in bit operations, where undefined counted as 0.
 */
import { rasterisePolygons } from './rasterise.js';
import type { PolygonSet } from './polygons.js';

/** Cells per degree, both ways: 1/480° = 7.5″, 232 m of latitude; the old default cell height. */
export const CELLS_PER_DEG = 480;
/** Tile side in degrees and in cells. */
export const TILE_DEG = 1;
export const TILE_CELLS = CELLS_PER_DEG * TILE_DEG;
/** Bytes of one coastal tile's bits: 480 × 480 / 8. */
export const TILE_BYTES = (TILE_CELLS * TILE_CELLS) / 8;
/** Tiles around and up the globe. */
export const TILES_X = 360 / TILE_DEG;
export const TILES_Y = 180 / TILE_DEG;

/** Tile kinds; a coastal tile's entry in a tile table is instead the byte offset of its bits (>= 0). */
export const TILE_WATER = -1;
export const TILE_LAND = -2;
export type TileKind = typeof TILE_WATER | typeof TILE_LAND | 'coastal';

/** Cells of one 1° latitude strip of the globe: 480 rows × 172 800 columns, 83 MB. */
export const STRIP_CELLS = TILE_CELLS * TILES_X * TILE_CELLS;

/**
 * Rasterises strip `ty` (latitudes -90 + ty … -89 + ty) into `strip` (STRIP_CELLS bytes) and calls
 * `onTile` for each of its 360 tiles, west to east, with the coastal tiles' bits.
 */
export function tileStrip(set: PolygonSet, ty: number, strip: Uint8Array, onTile: (tx: number, kind: TileKind, bits: Uint8Array | null) => void): void {
  const nx = TILE_CELLS * TILES_X;
  // The same arithmetic as a per-window raster whose corner is (-180, -90 + ty): centres at
  // -180 + (i + 0.5) / 480 and -90 + ty + (j + 0.5) / 480.
  rasterisePolygons(set, { westDeg: -180, southDeg: -90 + ty * TILE_DEG, dLonDeg: 1 / CELLS_PER_DEG, dLatDeg: 1 / CELLS_PER_DEG, nx, ny: TILE_CELLS }, strip);
  const mixed = new Uint8Array(TILES_X);
  const rows = Buffer.from(strip.buffer, strip.byteOffset, STRIP_CELLS);
  // A tile is mixed when some row changes value inside it, or two rows differ at its west column.
  for (let j = 0; j < TILE_CELLS; j++) {
    const row0 = j * nx;
    for (let i = 1; i < nx; ) {
      const prev = rows[row0 + i - 1] ?? NaN;
      // The next cell that differs from the run before it (indexOf is a native memchr).
      const next = rows.indexOf(1 - prev, row0 + i) - row0;
      if (next < 0 || next >= nx) break;
      if (next % TILE_CELLS !== 0) mixed[(next / TILE_CELLS) | 0] = 1;
      i = next + 1;
    }
    if (j > 0) {
      for (let tx = 0; tx < TILES_X; tx++) if (rows[row0 + tx * TILE_CELLS] !== rows[tx * TILE_CELLS]) mixed[tx] = 1;
    }
  }
  for (let tx = 0; tx < TILES_X; tx++) {
    if (!mixed[tx]) {
      onTile(tx, rows[tx * TILE_CELLS] === 1 ? TILE_LAND : TILE_WATER, null);
      continue;
    }
    onTile(tx, 'coastal', packTile(strip, nx, tx * TILE_CELLS));
  }
}

/** The bits of the tile whose west column is `col0` in a strip `nx` cells wide: bit k = cell (k % 480, k / 480), LSB first. */
export function packTile(strip: Uint8Array, nx: number, col0: number): Uint8Array {
  const bits = new Uint8Array(TILE_BYTES);
  for (let j = 0; j < TILE_CELLS; j++) {
    const src = j * nx + col0;
    const dst = j * (TILE_CELLS / 8);
    for (let b = 0; b < TILE_CELLS / 8; b++) {
      const s = src + b * 8;
      bits[dst + b] =
        (strip[s] ?? 0) | ((strip[s + 1] ?? 0) << 1) | ((strip[s + 2] ?? 0) << 2) | ((strip[s + 3] ?? 0) << 3) | ((strip[s + 4] ?? 0) << 4) | ((strip[s + 5] ?? 0) << 5) | ((strip[s + 6] ?? 0) << 6) | ((strip[s + 7] ?? 0) << 7);
    }
  }
  return bits;
}

/** Cell (i, j) of a tile's bits, i east and j north from its south-west corner. */
export function tileBit(bits: Uint8Array, offset: number, i: number, j: number): number {
  const k = j * TILE_CELLS + i;
  return ((bits[offset + (k >>> 3)] ?? 0) >>> (k & 7)) & 1;
}
