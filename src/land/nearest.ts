/**
 * Nearest water point to a point on land, for "particles seeded on land are moved to the nearest
 * ocean point" (OpenDrift `seed:ocean_only`, basemodel `closest_ocean_points`). Pure: no I/O.
 *
 * What OpenDrift does: it lays a 0.01° lattice over the seeds' bounding box plus 10 lattice steps
 * (0.1°) on each side, asks the land mask at every lattice point, and moves each land seed to the
 * lattice point that is nearest in plain (lon, lat) degrees (a KD-tree on raw degrees, so at 60° N a
 * degree of longitude counts as much as a degree of latitude although it is half as long). Seeds in
 * water are left alone; if no lattice point is water, seeds stay where they are (all on land: error).
 *
 * What this does, per point:
 *  - given a LandRaster with cells of at most 0.01° (the coastline raster: ≈ 232 m by default), the
 *    candidates are its water cell centres: finer than OpenDrift's 0.01° lattice (1.1 km × 0.56 km at
 *    60° N), so our moved point sits closer to the coast than OpenDrift's, by up to half a lattice
 *    diagonal (≈ 0.6 km);
 *  - given a coarser raster (an ocean model's land_binary_mask) or only a LandSampler, the
 *    candidates are OpenDrift's 0.01° lattice anchored at the point, land read from the mask as
 *    OpenDrift reads its reader's mask at each lattice point (a coarse cell's centre could be km
 *    further than the lattice point just inside it);
 *  - the nearest candidate is chosen in OpenDrift's degree metric by default, or in metres
 *    (`metric: 'metres'`);
 *  - the search reaches `maxSearchM` around the point (default 0.1° of latitude, OpenDrift's margin
 *    around a single seed) instead of OpenDrift's box around the whole seed cloud; null when no water
 *    lies within it (OpenDrift would then leave the seed on land, where it strands at the first step).
 */
import type { LandSampler } from '../model/types.js';
import { cellReader, createLandSampler } from './sampler.js';
import type { LandRaster } from './types.js';

/** OpenDrift's lattice step (deltalon = deltalat = 0.01) and margin (numbuffer = 10 steps). */
export const OPENDRIFT_LATTICE_DEG = 0.01;
/** Metres per degree on the sphere of mean radius 6 371 009 m: enough for a search-radius bound. */
const M_PER_DEG = 111_195;
/** 10 × 0.01° of latitude in metres. */
export const DEFAULT_MAX_SEARCH_M = 10 * OPENDRIFT_LATTICE_DEG * M_PER_DEG;
/** Cap on lattice columns scanned each side of the point (near the poles 1/cos(lat) explodes). */
const MIN_COS_LAT = 0.01;

export interface NearestWaterOptions {
  /** 'degrees' (default): Euclidean in (lon, lat) degrees as OpenDrift's KD-tree; 'metres': local metres. */
  metric?: 'degrees' | 'metres';
}

export interface LonLat {
  lonDeg: number;
  latDeg: number;
}

/** A regular lattice of candidate points around the query point, cell (i, j) at offset ((i - fx) dLon, (j - fy) dLat). */
interface Lattice {
  dLonDeg: number;
  dLatDeg: number;
  /** Fractional lattice index of the query point. */
  fx: number;
  fy: number;
  isLandAt(i: number, j: number): boolean;
  /** Largest |i - fx| worth scanning (the lattice wraps around the globe or ends in land). */
  maxColumnsEachSide: number;
}

function isRaster(land: LandSampler | LandRaster): land is LandRaster {
  return (land as LandRaster).data !== undefined;
}

function rasterLattice(r: LandRaster, lonDeg: number, latDeg: number): Lattice {
  const read = cellReader(r);
  const { nx, ny, dLonDeg, dLatDeg } = r;
  const outsideIsLand = r.outside === 1;
  const wraps = nx * dLonDeg >= 360 - 1e-9;
  let u = lonDeg - r.westDeg;
  u -= 360 * Math.floor(u / 360); // as createLandSampler: longitudes east of west, in [0, 360)
  return {
    dLonDeg,
    dLatDeg,
    fx: u / dLonDeg - 0.5, // cell i's centre sits at index i
    fy: (latDeg - r.southDeg) / dLatDeg - 0.5,
    maxColumnsEachSide: wraps ? nx / 2 : Infinity,
    isLandAt(i, j) {
      if (j < 0 || j >= ny) return outsideIsLand;
      let ii = i;
      if (wraps) ii -= nx * Math.floor(ii / nx);
      if (ii < 0 || ii >= nx) return outsideIsLand;
      return read(ii, j) === 1;
    },
  };
}

function samplerLattice(s: LandSampler, lonDeg: number, latDeg: number): Lattice {
  const d = OPENDRIFT_LATTICE_DEG;
  return {
    dLonDeg: d,
    dLatDeg: d,
    fx: 0,
    fy: 0,
    maxColumnsEachSide: 180 / d,
    isLandAt: (i, j) => s.isLand(lonDeg + i * d, latDeg + j * d),
  };
}

/**
 * The nearest water point to (lonDeg, latDeg): the point itself when it is not on land, a water
 * cell centre (raster of ≤ 0.01° cells) or 0.01° lattice point (coarser raster, sampler) within
 * `maxSearchM` otherwise, or null when there is none. Longitudes come back in the caller's frame (input 185 -> answers near 185).
 */
export function nearestWater(
  land: LandSampler | LandRaster,
  lonDeg: number,
  latDeg: number,
  maxSearchM: number = DEFAULT_MAX_SEARCH_M,
  opts: NearestWaterOptions = {},
): LonLat | null {
  const fineRaster = isRaster(land) && land.dLonDeg <= OPENDRIFT_LATTICE_DEG && land.dLatDeg <= OPENDRIFT_LATTICE_DEG;
  const lat = fineRaster
    ? rasterLattice(land, lonDeg, latDeg)
    : samplerLattice(isRaster(land) ? createLandSampler(land) : land, lonDeg, latDeg);
  const i0 = Math.floor(lat.fx + 0.5);
  const j0 = Math.floor(lat.fy + 0.5);
  if (!lat.isLandAt(i0, j0)) return { lonDeg, latDeg };

  const cosLat = Math.max(MIN_COS_LAT, Math.cos((latDeg * Math.PI) / 180));
  const mPerDegLon = M_PER_DEG * cosLat;
  const metres = opts.metric === 'metres';
  // Distance² in the chosen metric for offsets in degrees.
  const kx = metres ? mPerDegLon : 1;
  const ky = metres ? M_PER_DEG : 1;
  const maxM2 = maxSearchM * maxSearchM;

  let best: LonLat | null = null;
  let bestD2 = Infinity;
  const tryRow = (j: number): boolean => {
    const dyDeg = (j - lat.fy) * lat.dLatDeg;
    const rowLat = latDeg + dyDeg;
    const dyM2 = (dyDeg * M_PER_DEG) ** 2;
    // Every candidate in this row is at least |dy| away: past the radius or the best, stop this way.
    if (dyM2 > maxM2 || (dyDeg * ky) ** 2 > bestD2) return false;
    if (rowLat < -90 || rowLat > 90) return true;
    const maxDxDeg = Math.sqrt(maxM2 - dyM2) / mPerDegLon;
    const maxCols = Math.min(lat.maxColumnsEachSide, maxDxDeg / lat.dLonDeg + 1);
    const start = Math.ceil(lat.fx);
    // In a row the distance grows with |dx| on each side, so the first water cell each way is that side's best.
    for (const step of [1, -1]) {
      for (let i = step > 0 ? start : start - 1; Math.abs(i - lat.fx) <= maxCols; i += step) {
        if (lat.isLandAt(i, j)) continue;
        const dxDeg = (i - lat.fx) * lat.dLonDeg;
        if ((dxDeg * mPerDegLon) ** 2 + dyM2 <= maxM2) {
          const d2 = (dxDeg * kx) ** 2 + (dyDeg * ky) ** 2;
          if (d2 < bestD2) {
            bestD2 = d2;
            best = { lonDeg: lonDeg + dxDeg, latDeg: rowLat };
          }
        }
        break;
      }
    }
    return true;
  };

  // Rows outward from the point's row, north and south alternately, until both ways are done.
  let north = true;
  let south = true;
  for (let k = 0; north || south; k++) {
    if (north) north = tryRow(j0 + k);
    if (south && k > 0) south = tryRow(j0 - k);
  }
  return best;
}
