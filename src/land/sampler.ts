/**
 * LandRaster -> LandSampler, inside a simulation thread. Pure: no I/O.
 */
import type { LandSampler } from '../model/types.js';
import type { LandRaster } from './types.js';

export function createLandSampler(raster: LandRaster): LandSampler {
  const cells = new Uint8Array(raster.data);
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny, outside } = raster;
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
