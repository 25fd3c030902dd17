/**
 * LandRaster -> LandSampler, inside a simulation thread. Pure: no I/O.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged; `bits[k] ?? 0` likewise
 * in bit operations, where undefined counted as 0.
 */
import type { LandSampler } from '../model/types.js';
import type { LandRaster, LandTiles } from './types.js';

/** LandTiles.index entry of an all-land tile (src/land/tiles.ts TILE_LAND; all-water is -1). */
const LAND = -2;

/** Cell (i, j) of a raster, 0 <= i < nx and 0 <= j < ny: 1 land, 0 water; for a plain or a tiled raster. */
export type CellReader = (i: number, j: number) => number;

function tiledReader(t: LandTiles): CellReader {
  const index = new Int32Array(t.index);
  const bits = new Uint8Array(t.bits);
  const { tileCells: T, ntx } = t;
  return (i, j) => {
    const ti = (i / T) | 0;
    const tj = (j / T) | 0;
    const e = index[tj * ntx + ti] ?? NaN;
    if (e < 0) return e === LAND ? 1 : 0;
    const k = (j - tj * T) * T + (i - ti * T);
    return ((bits[e + (k >>> 3)] ?? 0) >>> (k & 7)) & 1;
  };
}

export function cellReader(raster: LandRaster): CellReader {
  if (raster.tiles) return tiledReader(raster.tiles);
  const cells = new Uint8Array(raster.data);
  const { nx } = raster;
  return (i, j) => (cells[j * nx + i] === 1 ? 1 : 0);
}

/**
 * One row of look-ups without a call per cell (the animation's 5 million samples): out[c] = cell
 * (cols[c], j), or the raster's `outside` where cols[c] < 0; j in [0, ny).
 */
export function readCellRow(raster: LandRaster, cols: Int32Array, j: number, out: Uint8Array): void {
  const { outside } = raster;
  const t = raster.tiles;
  if (!t) {
    const cells = new Uint8Array(raster.data);
    const row = j * raster.nx;
    for (let c = 0; c < cols.length; c++) {
      const i = cols[c] ?? NaN;
      out[c] = i < 0 ? outside : cells[row + i] === 1 ? 1 : 0;
    }
    return;
  }
  const index = new Int32Array(t.index);
  const bits = new Uint8Array(t.bits);
  const T = t.tileCells;
  const tj = (j / T) | 0;
  const rowK = (j - tj * T) * T;
  const rowTiles = tj * t.ntx;
  for (let c = 0; c < cols.length; c++) {
    const i = cols[c] ?? NaN;
    if (i < 0) {
      out[c] = outside;
      continue;
    }
    const ti = (i / T) | 0;
    const e = index[rowTiles + ti] ?? NaN;
    if (e < 0) {
      out[c] = e === LAND ? 1 : 0;
      continue;
    }
    const k = rowK + i - ti * T;
    out[c] = ((bits[e + (k >>> 3)] ?? 0) >>> (k & 7)) & 1;
  }
}

export function createLandSampler(raster: LandRaster): LandSampler {
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny, outside } = raster;
  const tiles = raster.tiles;
  if (tiles) {
    const read = tiledReader(tiles);
    return {
      isLand(lonDeg: number, latDeg: number): boolean {
        let dLon = lonDeg - westDeg;
        dLon -= 360 * Math.floor(dLon / 360); // as below
        const i = Math.floor(dLon / dLonDeg);
        const j = Math.floor((latDeg - southDeg) / dLatDeg);
        if (i < 0 || i >= nx || j < 0 || j >= ny) return outside === 1;
        return read(i, j) === 1;
      },
    };
  }
  const cells = new Uint8Array(raster.data);
  return {
    isLand(lonDeg: number, latDeg: number): boolean {
      let dLon = lonDeg - westDeg;
      // Rasters may straddle the antimeridian: bring the longitude into [west, west + 360).
      dLon -= 360 * Math.floor(dLon / 360);
      const i = Math.floor(dLon / dLonDeg);
      const j = Math.floor((latDeg - southDeg) / dLatDeg);
      if (i < 0 || i >= nx || j < 0 || j >= ny) return outside === 1;
      return cells[j * nx + i] === 1;
    },
  };
}
