/**
 * Land as a regular lon/lat raster of bytes (1 = land), shareable between threads.
 * Built from a forcing file's land_binary_mask (src/forcing) or from the global coastline (src/land).
 */
import type { LonLatCellGrid } from '../model/geo.js';

export interface LandRaster extends LonLatCellGrid {
  /** ny * nx bytes, row-major from the south-west corner; 1 = land, 0 = water. */
  data: SharedArrayBuffer | ArrayBuffer;
  /** What a point outside the raster is: water for a forcing mask, water for the global mask window. */
  outside: 0 | 1;
  source: string;
}
