/**
 * LandRaster -> LandSampler, inside a simulation thread. Pure: no I/O.
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
    const e = index[tj * ntx + ti]!;
    if (e < 0) return e === LAND ? 1 : 0;
    const k = (j - tj * T) * T + (i - ti * T);
    return (bits[e + (k >>> 3)]! >>> (k & 7)) & 1;
  };
}

export function cellReader(raster: LandRaster): CellReader {
  if (raster.tiles) return tiledReader(raster.tiles);
  const cells = new Uint8Array(raster.data);
  const { nx } = raster;
  return (i, j) => (cells[j * nx + i] === 1 ? 1 : 0);
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
