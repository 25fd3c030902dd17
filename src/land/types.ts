/**
 * Land as a regular lon/lat raster of bytes (1 = land), shareable between threads.
 * Built from a forcing file's land_binary_mask (src/forcing) or from the global coastline (src/land).
 */
import type { LonLatCellGrid } from '../model/geo.js';

export interface LandRaster extends LonLatCellGrid {
  /** ny * nx bytes, row-major from the south-west corner; 1 = land, 0 = water. Empty when `tiles` is set. */
  data: SharedArrayBuffer | ArrayBuffer;
  /** What a point outside the raster is: water for a forcing mask, water for the global mask window. */
  outside: 0 | 1;
  source: string;
  /**
   * The coastline's tiled form (src/land/tiled.ts): the raster's cells come in square tiles of
   * `tileCells` × `tileCells`, whole-water and whole-land tiles as flags, coastal tiles as bits, so a
   * window costs memory only where it has coast. Read cells with src/land/sampler.ts, never `data`.
   */
  tiles?: LandTiles;
}

export interface LandTiles {
  /** Cells per tile side; nx = ntx * tileCells, ny = nty * tileCells. */
  tileCells: number;
  ntx: number;
  nty: number;
  /** Int32 per tile, rows of tiles from the south: -1 water, -2 land, else the byte offset of its bits in `bits`. */
  index: SharedArrayBuffer | ArrayBuffer;
  /** Coastal tiles' cells, tileCells² bits each, row-major from the tile's south-west corner, LSB first. */
  bits: SharedArrayBuffer | ArrayBuffer;
}
