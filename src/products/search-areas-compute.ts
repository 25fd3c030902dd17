/**
 * Search areas: for every output time the datum (centroid of the released particles) and, for each
 * requested percent p, the smallest set of grid cells that holds at least p % of them (highest density
 * first), as polygons that follow the cell edges exactly and are split at the antimeridian.
 *
 * Cells are taken by particle count, descending. Among cells with the same count (common in the sparse
 * tail of a cloud: most cells hold 1-3 particles) the one with more particles in its 3×3 neighbourhood
 * goes first, then the lower cell index, which keeps the areas compact and deterministic; the ordering
 * is total, so the 50 % area is always inside the 90 % area, which is inside the 95 % area.
 * Pure: the files are written by search-areas.ts.
 */
import { area as turfArea } from '@turf/area';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import { wrapLonDeg } from '../model/geo.js';
import { gridCenterLonDeg, type DensityGrid } from './density-grid.js';
import { traceMask, type GridPolygon } from '../search/trace.js';
import { isoSeconds } from '../time.js';

export interface SearchArea {
  timeSec: number;
  percent: number;
  /** Polygons in lon/lat, closed rings, outer counter-clockwise first then clockwise holes. */
  geometry: Polygon | MultiPolygon;
  /** Geodesic area (@turf/area, spherical earth of radius 6 371 008.8 m), km². */
  areaKm2: number;
  /** Released particles in the chosen cells / released particles at this time (>= percent / 100). */
  fractionInside: number;
  nCells: number;
  /** Smoothed areas (search-smoothed.ts) only: area in NM², [west, south, east, north] and piece count. */
  areaNm2?: number;
  bbox?: [number, number, number, number];
  pieces?: number;
}

export interface Datum {
  timeSec: number;
  lonDeg: number;
  latDeg: number;
  released: number;
  stranded: number;
  /** Smoothed areas only: IAMSAR probable error (radius holding 50 % of the drifting weight), metres. */
  probableErrorM?: number;
}

export interface SearchAreaSet {
  percents: number[];
  datums: Datum[];
  areas: SearchArea[];
  /** Cell size the areas were built on, metres. */
  cellM: number;
}

/** ISO 8601 UTC without milliseconds when they are zero (`2024-03-01T06:00:00Z`). */
export const isoUtc = isoSeconds;

/** Sorted, de-duplicated percents in (0, 100]; names the field when one is out of range. */
export function normalisePercents(percents: number[]): number[] {
  for (const p of percents) {
    if (!(p > 0 && p <= 100)) {
      throw new RangeError(`products.search_area_percents: ${p} is not in (0, 100]`);
    }
  }
  return [...new Set(percents)].sort((a, b) => a - b);
}

/** Datum per time: mean position of the released particles (longitudes unwrapped around the grid). */
export function computeDatums(result: TrajectoryResult, grid: DensityGrid): Datum[] {
  const { nParticles, nTimes, lonDeg, latDeg, status } = result;
  const centre = gridCenterLonDeg(grid);
  const sumLon = new Float64Array(nTimes);
  const sumLat = new Float64Array(nTimes);
  const n = new Uint32Array(nTimes);
  const nStranded = new Uint32Array(nTimes);
  // Every index below is in bounds (t < nTimes, base + t < nParticles * nTimes): the `?? NaN` / `?? 0`
  // only satisfy the type (a missing position would read as "not released").
  for (let p = 0; p < nParticles; p++) {
    const base = p * nTimes;
    for (let t = 0; t < nTimes; t++) {
      const lon = lonDeg[base + t] ?? NaN;
      const lat = latDeg[base + t] ?? NaN;
      if (!(lon === lon) || !(lat === lat)) continue;
      let d = lon - centre;
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      sumLon[t] = (sumLon[t] ?? 0) + d;
      sumLat[t] = (sumLat[t] ?? 0) + lat;
      n[t] = (n[t] ?? 0) + 1;
      if (status[base + t] === STATUS.STRANDED) nStranded[t] = (nStranded[t] ?? 0) + 1;
    }
  }
  const datums: Datum[] = [];
  for (let t = 0; t < nTimes; t++) {
    const released = n[t] ?? 0;
    if (released === 0) continue;
    datums.push({
      timeSec: result.timesSec[t] ?? NaN,
      lonDeg: wrapLonDeg(centre + (sumLon[t] ?? 0) / released),
      latDeg: (sumLat[t] ?? 0) / released,
      released,
      stranded: nStranded[t] ?? 0,
    });
  }
  return datums;
}

/**
 * Chosen-cell masks for one time, one per percent (ascending). Returns, per percent, the percent, the
 * mask and the particles it holds.
 */
function chooseCells(grid: DensityGrid, t: number, percents: number[]): { percent: number; mask: Uint8Array; inside: number; nCells: number }[] {
  const { nx, ny } = grid;
  const nCellsPerTime = nx * ny;
  const off = t * nCellsPerTime;
  const total = new Uint32Array(nCellsPerTime);
  let maxCount = 0;
  // c < nCellsPerTime = total.length, cells of time t < nTimes: in bounds, the `?? 0` here and below only
  // satisfy the type.
  for (let c = 0; c < nCellsPerTime; c++) {
    const v = (grid.counts[off + c] ?? 0) + (grid.stranded[off + c] ?? 0);
    total[c] = v;
    if (v > maxCount) maxCount = v;
  }
  const released = grid.releasedPerTime[t] ?? 0;
  // hist[v] for v = 0..maxCount: a cell's count never exceeds maxCount, so `?? 0` below only satisfies the type.
  const hist = new Uint32Array(maxCount + 1);
  for (const v of total) hist[v] = (hist[v] ?? 0) + 1;

  const out: { percent: number; mask: Uint8Array; inside: number; nCells: number }[] = [];
  for (const p of percents) {
    // 1e-9 absorbs binary rounding of p/100 (e.g. 0.95 × 1000 = 949.9999999999999).
    const target = Math.max(1, Math.ceil((p / 100) * released - 1e-9));
    let cum = 0;
    let nFull = 0;
    let v = maxCount;
    for (; v >= 1; v--) {
      const h = hist[v] ?? 0;
      if (cum + v * h >= target) break;
      cum += v * h;
      nFull += h;
    }
    const mask = new Uint8Array(nCellsPerTime);
    if (v < 1) {
      // Fewer particles than asked (cannot happen when releasedPerTime matches the counts); take all.
      for (let c = 0; c < nCellsPerTime; c++) if ((total[c] ?? 0) > 0) mask[c] = 1;
      out.push({ percent: p, mask, inside: cum, nCells: nFull });
      continue;
    }
    for (let c = 0; c < nCellsPerTime; c++) if ((total[c] ?? 0) > v) mask[c] = 1;
    const need = Math.ceil((target - cum) / v);
    takeTiedCells(total, nx, ny, v, need, mask);
    out.push({ percent: p, mask, inside: cum + need * v, nCells: nFull + need });
  }
  return out;
}

/** Mark `need` cells holding exactly `v` particles: most particles in the 3×3 block first, then lowest index. */
function takeTiedCells(total: Uint32Array, nx: number, ny: number, v: number, need: number, mask: Uint8Array): void {
  const keys: number[] = [];
  // Key = neighbourhood sum × 2^22 + (2^22 - 1 - index): sums < 9 × 2e6 < 2^25 and indices < 4 M = 2^22
  // (MAX_GRID_CELLS_PER_TIME), so the key is an exact integer below 2^47.
  const INDEX_SPAN = 4_194_304;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const c = y * nx + x;
      if (total[c] !== v) continue;
      let s = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(ny - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(nx - 1, x + 1); xx++) s += total[yy * nx + xx] ?? 0; // inside the nx × ny block
      }
      keys.push(s * INDEX_SPAN + (INDEX_SPAN - 1 - c));
    }
  }
  // Largest keys first: the `need` best cells.
  const best = Float64Array.from(keys).sort().reverse().subarray(0, Math.max(0, need));
  for (const key of best) mask[INDEX_SPAN - 1 - (key % INDEX_SPAN)] = 1;
}

/** Where the grid crosses ±180°: the column edge index (possibly fractional) of the meridian, or null. */
function antimeridianColumn(grid: DensityGrid): { meridianDeg: number; edge: number } | null {
  const east = grid.westDeg + grid.nx * grid.dLonDeg;
  if (grid.westDeg < -180 && east > -180) return { meridianDeg: -180, edge: (-180 - grid.westDeg) / grid.dLonDeg };
  if (grid.westDeg < 180 && east > 180) return { meridianDeg: 180, edge: (180 - grid.westDeg) / grid.dLonDeg };
  return null;
}

function toPolygons(polys: GridPolygon[], lonOfI: (i: number) => number, latOfJ: (j: number) => number): Position[][][] {
  const ringCoords = (ring: Int32Array): Position[] => {
    const pts: Position[] = [];
    // (i, j) pairs: a ring has an even length, so ring[k + 1] exists and `?? 0` only satisfies the type.
    for (let k = 0; k < ring.length; k += 2) pts.push([lonOfI(ring[k] ?? 0), latOfJ(ring[k + 1] ?? 0)]);
    const first = pts[0];
    if (first !== undefined) pts.push([...first]); // closed ring: the first position repeated
    return pts;
  };
  return polys.map((p) => [ringCoords(p.outer), ...p.holes.map(ringCoords)]);
}

/** Polygons of a mask in lon/lat, split at the antimeridian (RFC 7946 §3.1.9). */
export function maskToGeometry(grid: DensityGrid, mask: Uint8Array): Polygon | MultiPolygon | null {
  const { nx, ny, westDeg, southDeg, dLonDeg, dLatDeg } = grid;
  const latOfJ = (j: number) => southDeg + j * dLatDeg;
  const cut = antimeridianColumn(grid);
  let polygons: Position[][][];
  if (cut === null) {
    // The grid holds its first particle's longitude, in [-180, 180); not crossing ±180, it lies inside.
    polygons = toPolygons(traceMask(mask, nx, ny), (i) => westDeg + i * dLonDeg, latOfJ);
  } else {
    // Columns [0, kLeft) lie west of the meridian, [kRight, nx) east of it; a column the meridian cuts
    // belongs to both halves, each clipped at the meridian (its particles are inside one of the halves).
    const M = cut.meridianDeg;
    const kFloor = Math.floor(cut.edge);
    const onEdge = Math.abs(cut.edge - Math.round(cut.edge)) < 1e-9;
    const kLeft = onEdge ? Math.round(cut.edge) : kFloor + 1;
    const kRight = onEdge ? Math.round(cut.edge) : kFloor;
    // Unwrapped longitudes beyond ±180 move by a whole turn; both halves meet at ±180 exactly.
    const westTurn = M === -180 ? 360 : 0;
    const eastTurn = M === 180 ? -360 : 0;
    const westLon = (i: number) => (i >= kLeft ? M : westDeg + i * dLonDeg) + westTurn;
    const eastLon = (i: number) => (i <= kRight ? M : westDeg + i * dLonDeg) + eastTurn;
    polygons = [
      ...toPolygons(traceMask(mask, nx, ny, 0, kLeft), westLon, latOfJ),
      ...toPolygons(traceMask(mask, nx, ny, kRight, nx), eastLon, latOfJ),
    ];
  }
  const [only, ...more] = polygons;
  if (only === undefined) return null;
  return more.length === 0 ? { type: 'Polygon', coordinates: only } : { type: 'MultiPolygon', coordinates: polygons };
}

export function computeSearchAreas(result: TrajectoryResult, grid: DensityGrid, percents: number[]): SearchAreaSet {
  const ps = normalisePercents(percents);
  const datums = computeDatums(result, grid);
  const areas: SearchArea[] = [];
  for (let t = 0; t < grid.nTimes; t++) {
    const released = grid.releasedPerTime[t] ?? 0; // t < nTimes: in bounds
    if (released === 0) continue;
    for (const { percent, mask, inside, nCells } of chooseCells(grid, t, ps)) {
      const geometry = maskToGeometry(grid, mask);
      if (geometry === null) continue;
      areas.push({
        timeSec: grid.timesSec[t] ?? NaN,
        percent,
        geometry,
        areaKm2: turfArea(geometry) / 1e6,
        fractionInside: inside / released,
        nCells,
      });
    }
  }
  return { percents: ps, datums, areas, cellM: grid.cellM };
}
