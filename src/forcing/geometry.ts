/**
 * The grid geometry of a forcing file, without I/O: which area it covers, which rows and columns a
 * mission's window needs, and how the subset planes become the GridField the sampler reads — a regular
 * lon/lat grid, or a projected grid kept in its own index space with a lon/lat lattice (lookup.ts).
 * read.ts reads the coordinates and the data; this module decides what they mean.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { DriftlineError } from '../errors.js';
import type { LandRaster } from '../land/types.js';
import { M_PER_DEG_LAT } from '../model/geo.js';
import { lonLatGridField, regularAxis } from './grid.js';
import { buildGridIndexLookup } from './lookup.js';
import { makeProjection, type Projection } from './projection.js';
import type { ForcingWindow, GridField, ProjectedGridData } from './types.js';

/** What the geometry needs of a file: its label (for messages). */
type Labelled = { label: string };

const invalid = (label: string, msg: string) => new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: ${msg}`);

/** Index range [i0, i1] of a regular axis covering [lo, hi] plus one cell, clamped. */
function indexRange(start: number, step: number, n: number, lo: number, hi: number): [number, number] {
  const a = (lo - start) / step;
  const b = (hi - start) / step;
  // 1e-4 of a cell absorbs float32 coordinates (59.8 stored as 59.799999).
  // Clamped into the axis, so a window beside the grid still gives a valid (edge) hyperslab.
  const i0 = Math.min(n - 1, Math.max(0, Math.floor(Math.min(a, b) + 1e-4) - 1));
  const i1 = Math.max(i0, Math.min(n - 1, Math.ceil(Math.max(a, b) - 1e-4) + 1));
  return [i0, i1];
}

/** The lon/lat lattice a projected subset is resampled onto (degrees; nodes at lon0 + i·dLon, lat0 + j·dLat). */
export interface LatticeSpec {
  lon0: number;
  dLon: number;
  nLon: number;
  lat0: number;
  dLat: number;
  nLat: number;
}

/**
 * The rows and columns of a source grid a mission's window needs: a value computed by subset() and
 * handed back to toField()/toLandRaster(), which therefore depend on nothing subset() left behind.
 */
export interface Subset {
  x0: number;
  nxSub: number;
  y0: number;
  nySub: number;
  /** Projected grids: the lattice covering the window (regular lon/lat grids need none). */
  lattice?: LatticeSpec;
}

/** Size and measured error of a projected grid's lon/lat -> grid-index lattice. */
export interface LatticeStats {
  nodes: number;
  indexErrorCells: number;
  alphaErrorRad: number;
}

export interface Geometry {
  projected: boolean;
  extent: { westDeg: number; eastDeg: number; southDeg: number; northDeg: number };
  covers(lonDeg: number, latDeg: number): boolean;
  subset(window: ForcingWindow): Subset;
  /** Subset planes [t][y][x] (float32, SharedArrayBuffer) -> the GridField the sampler reads (and, on projected grids, its lattice's figures). */
  toField(sub: Subset, timesSec: number[], u: Float32Array, v: Float32Array, earthRelative: boolean, members?: number): { field: GridField; lattice?: LatticeStats };
  /** For land masks: the subset plane -> LandRaster (nearest cell). */
  toLandRaster(sub: Subset, mask: Float64Array, source: string): LandRaster;
}

/** A longitude axis crossing the antimeridian as 179, 180, -179, ... becomes 179, 180, 181, ... */
function unwrapLongitudes(lons: Float64Array): Float64Array {
  const out = Float64Array.from(lons);
  for (let i = 1; i < out.length; i++) {
    const d = (out[i] ?? NaN) - (out[i - 1] ?? NaN);
    if (d < -180) out[i] = (out[i] ?? NaN) + (360 * Math.ceil(-d / 360 - 1e-9));
    else if (d > 180) out[i] = (out[i] ?? NaN) - (360 * Math.ceil(d / 360 - 1e-9));
  }
  return out;
}

export function lonLatGeometry(f: Labelled, lonsIn: Float64Array, lats: Float64Array, layout: { nx: number; ny: number }): Geometry {
  const lons = unwrapLongitudes(lonsIn);
  let lonAx: { start: number; step: number };
  let latAx: { start: number; step: number };
  try {
    lonAx = regularAxis(lons, 'longitude');
    latAx = regularAxis(lats, 'latitude');
  } catch (err) {
    throw invalid(f.label, (err as Error).message);
  }
  const nx = layout.nx;
  const ny = layout.ny;
  const lonMin = Math.min(lons[0] ?? NaN, lons[nx - 1] ?? NaN);
  const periodic = Math.abs(Math.abs(lonAx.step) * nx - 360) < Math.abs(lonAx.step) * 1e-3;
  const lonLo = Math.min(lons[0] ?? NaN, lons[nx - 1] ?? NaN);
  const lonHi = Math.max(lons[0] ?? NaN, lons[nx - 1] ?? NaN);
  const latLo = Math.min(lats[0] ?? NaN, lats[ny - 1] ?? NaN);
  const latHi = Math.max(lats[0] ?? NaN, lats[ny - 1] ?? NaN);
  return {
    projected: false,
    covers(lo, la) {
      if (!(la >= latLo && la <= latHi)) return false;
      if (periodic) return true;
      const d = lo - lonLo - 360 * Math.floor((lo - lonLo) / 360);
      return d <= lonHi - lonLo;
    },
    extent: {
      westDeg: lonMin,
      eastDeg: Math.max(lons[0] ?? NaN, lons[nx - 1] ?? NaN),
      southDeg: Math.min(lats[0] ?? NaN, lats[ny - 1] ?? NaN),
      northDeg: Math.max(lats[0] ?? NaN, lats[ny - 1] ?? NaN),
    },
    subset(w) {
      let x0 = 0;
      let x1 = nx - 1;
      if (w.lonHalfWidthDeg < 180) {
        // Bring the window's centre into the grid's longitude frame [lonMin, lonMin + 360).
        let c = w.lonCenterDeg - lonMin;
        c -= 360 * Math.floor(c / 360);
        c += lonMin;
        const [a, b] = indexRange(lonAx.start, lonAx.step, nx, c - w.lonHalfWidthDeg, c + w.lonHalfWidthDeg);
        const lo = (c - w.lonHalfWidthDeg - lonAx.start) / lonAx.step;
        const hi = (c + w.lonHalfWidthDeg - lonAx.start) / lonAx.step;
        // A global grid whose seam falls inside the window is read whole (one column block either way).
        const crossesSeam = periodic && (Math.min(lo, hi) < 0 || Math.max(lo, hi) > nx - 1);
        if (!crossesSeam) {
          x0 = a;
          x1 = b;
        }
      }
      const [y0, y1] = indexRange(latAx.start, latAx.step, ny, w.southDeg, w.northDeg);
      return { x0, nxSub: Math.max(1, x1 - x0 + 1), y0, nySub: Math.max(1, y1 - y0 + 1) };
    },
    toField(sub, timesSec, u, v, _earthRelative, members = 1) {
      const subLon = Array.from(lons.subarray(sub.x0, sub.x0 + sub.nxSub));
      const subLat = Array.from(lats.subarray(sub.y0, sub.y0 + sub.nySub));
      if (subLon.length < 2 || subLat.length < 2) {
        throw new DriftlineError('E_FORCING_COVERAGE', `forcing file ${f.label}: the mission's area holds fewer than 2×2 grid points of it`);
      }
      return { field: lonLatGridField({ lonDeg: subLon, latDeg: subLat, timesSec, uMps: u, vMps: v, members }) };
    },
    toLandRaster(sub, mask, source) {
      const subLon = lons.subarray(sub.x0, sub.x0 + sub.nxSub);
      const subLat = lats.subarray(sub.y0, sub.y0 + sub.nySub);
      const dLon = Math.abs(lonAx.step);
      const dLat = Math.abs(latAx.step);
      const flipX = lonAx.step < 0;
      const flipY = latAx.step < 0;
      const nxs = sub.nxSub;
      const nys = sub.nySub;
      const data = new SharedArrayBuffer(nxs * nys);
      const cells = new Uint8Array(data);
      for (let j = 0; j < nys; j++) {
        for (let i = 0; i < nxs; i++) {
          const sj = flipY ? nys - 1 - j : j;
          const si = flipX ? nxs - 1 - i : i;
          cells[j * nxs + i] = (mask[sj * nxs + si] ?? NaN) > 0.5 ? 1 : 0;
        }
      }
      return {
        westDeg: Math.min(subLon[0] ?? NaN, subLon[nxs - 1] ?? NaN) - dLon / 2,
        southDeg: Math.min(subLat[0] ?? NaN, subLat[nys - 1] ?? NaN) - dLat / 2,
        dLonDeg: dLon,
        dLatDeg: dLat,
        nx: nxs,
        ny: nys,
        data,
        outside: 0,
        source,
      };
    },
  };
}

/** Cap on the lon/lat lattice of a projected grid: 4 M nodes × 16 B = 64 MB (a 2000 × 2000 km window at 1 km). */
const MAX_LATTICE_NODES = 4_000_000;

export function projectedGeometry(f: Labelled, def: string, xs: Float64Array, ys: Float64Array): Geometry {
  let proj: Projection;
  let xAx: { start: number; step: number };
  let yAx: { start: number; step: number };
  try {
    proj = makeProjection(def);
    xAx = regularAxis(xs, 'x');
    yAx = regularAxis(ys, 'y');
  } catch (err) {
    throw invalid(f.label, `projection "${def}": ${(err as Error).message}`);
  }
  const nx = xs.length;
  const ny = ys.length;
  // Lon/lat extent from the grid's boundary.
  let west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
  const edge = (x: number, y: number) => {
    const [lo, la] = proj.inverse(x, y);
    if (!Number.isFinite(lo) || !Number.isFinite(la)) return;
    west = Math.min(west, lo);
    east = Math.max(east, lo);
    south = Math.min(south, la);
    north = Math.max(north, la);
  };
  for (let i = 0; i < nx; i++) {
    edge(xs[i] ?? NaN, ys[0] ?? NaN);
    edge(xs[i] ?? NaN, ys[ny - 1] ?? NaN);
  }
  for (let j = 0; j < ny; j++) {
    edge(xs[0] ?? NaN, ys[j] ?? NaN);
    edge(xs[nx - 1] ?? NaN, ys[j] ?? NaN);
  }
  // A grid around a pole covers every longitude.
  const [px, py] = proj.forward(0, 90);
  const [sx, sy] = proj.forward(0, -90);
  const holdsPole = (x: number, y: number) => Number.isFinite(x) && (x - (xs[0] ?? NaN)) / xAx.step >= 0 && (x - (xs[0] ?? NaN)) / xAx.step <= nx - 1 && (y - (ys[0] ?? NaN)) / yAx.step >= 0 && (y - (ys[0] ?? NaN)) / yAx.step <= ny - 1;
  if (holdsPole(px, py)) {
    north = 90;
    west = -180;
    east = 180;
  }
  if (holdsPole(sx, sy)) {
    south = -90;
    west = -180;
    east = 180;
  }
  // Source resolution in metres (rotated grids: degrees -> metres).
  const resM = Math.min(Math.abs(xAx.step), Math.abs(yAx.step)) * (proj.angular ? M_PER_DEG_LAT : 1);

  /** A subset of this grid always carries its lattice (subset() below sets it). */
  const latticeOf = (sub: Subset): LatticeSpec => {
    if (!sub.lattice) throw new DriftlineError('E_INTERNAL', `forcing file ${f.label}: a projected subset without its lattice`);
    return sub.lattice;
  };
  return {
    projected: true,
    extent: { westDeg: west, eastDeg: east, southDeg: south, northDeg: north },
    covers(lo, la) {
      const [x, y] = proj.forward(lo, la);
      const fx = (x - xAx.start) / xAx.step;
      const fy = (y - yAx.start) / yAx.step;
      return fx >= 0 && fx <= nx - 1 && fy >= 0 && fy <= ny - 1;
    },
    subset(w) {
      // The lattice: the window clipped to the source's extent, at about the source resolution.
      const s = Math.max(w.southDeg, south);
      const n = Math.min(w.northDeg, north);
      let lonW = w.lonCenterDeg - Math.min(w.lonHalfWidthDeg, 180);
      let lonE = w.lonCenterDeg + Math.min(w.lonHalfWidthDeg, 180);
      if (east - west < 359) {
        lonW = Math.max(lonW, west);
        lonE = Math.min(lonE, east);
      }
      const latMid = Math.max(-89, Math.min(89, (s + n) / 2));
      let dLat = resM / M_PER_DEG_LAT;
      let dLon = dLat / Math.max(0.05, Math.cos((latMid * Math.PI) / 180));
      let nLat = Math.max(2, Math.ceil((n - s) / dLat) + 1);
      let nLon = Math.max(2, Math.ceil((lonE - lonW) / dLon) + 1);
      if (nLat * nLon > MAX_LATTICE_NODES) {
        const k = Math.sqrt((nLat * nLon) / MAX_LATTICE_NODES);
        dLat *= k;
        dLon *= k;
        nLat = Math.max(2, Math.ceil((n - s) / dLat) + 1);
        nLon = Math.max(2, Math.ceil((lonE - lonW) / dLon) + 1);
      }
      const lattice: LatticeSpec = { lon0: lonW, dLon, nLon, lat0: s, dLat, nLat };
      // Source rows/columns needed: the bounding box of the target grid's boundary in x/y.
      let ix0 = Infinity, ix1 = -Infinity, iy0 = Infinity, iy1 = -Infinity;
      const probe = (lo: number, la: number) => {
        const [x, y] = proj.forward(lo, la);
        if (!Number.isFinite(x) || !Number.isFinite(y)) return;
        const fx = (x - xAx.start) / xAx.step;
        const fy = (y - yAx.start) / yAx.step;
        ix0 = Math.min(ix0, fx);
        ix1 = Math.max(ix1, fx);
        iy0 = Math.min(iy0, fy);
        iy1 = Math.max(iy1, fy);
      };
      const steps = 64;
      for (let k = 0; k <= steps; k++) {
        const lo = lonW + ((lonE - lonW) * k) / steps;
        const la = s + ((n - s) * k) / steps;
        probe(lo, s);
        probe(lo, n);
        probe(lonW, la);
        probe(lonE, la);
      }
      if (holdsPole(px, py) && n >= 89.999) probe(0, 90);
      const x0 = Math.max(0, Math.floor(ix0) - 1);
      const x1 = Math.min(nx - 1, Math.ceil(ix1) + 1);
      const y0 = Math.max(0, Math.floor(iy0) - 1);
      const y1 = Math.min(ny - 1, Math.ceil(iy1) + 1);
      if (!(x1 > x0 && y1 > y0)) return { x0: 0, nxSub: nx, y0: 0, nySub: ny, lattice };
      return { x0, nxSub: x1 - x0 + 1, y0, nySub: y1 - y0 + 1, lattice };
    },
    toField(sub, timesSec, u, v, earthRelative, members = 1) {
      const t = latticeOf(sub);
      const axes = { x0: xAx.start + sub.x0 * xAx.step, dx: xAx.step, y0: yAx.start + sub.y0 * yAx.step, dy: yAx.step };
      const lattice = { lon0Deg: t.lon0, dLonDeg: t.dLon, nLon: t.nLon, lat0Deg: t.lat0, dLatDeg: t.dLat, nLat: t.nLat };
      const { lookup, error } = buildGridIndexLookup(proj, axes, lattice, { maxNodes: MAX_LATTICE_NODES });
      const stats: LatticeStats = { nodes: lookup.nLon * lookup.nLat, indexErrorCells: error.indexCells, alphaErrorRad: error.alphaRad };
      const uMps = u;
      const vMps = v;
      const times = new Float64Array(new SharedArrayBuffer(timesSec.length * 8));
      times.set(timesSec);
      for (let k = 1; k < times.length; k++) {
        if (!((times[k] ?? NaN) > (times[k - 1] ?? NaN))) throw invalid(f.label, 'times are not strictly increasing');
      }
      if (sub.nxSub < 2 || sub.nySub < 2) {
        throw new DriftlineError('E_FORCING_COVERAGE', `forcing file ${f.label}: the mission's area holds fewer than 2×2 grid points of it`);
      }
      const grid: ProjectedGridData = { layout: 'projected', nx: sub.nxSub, ny: sub.nySub, nt: times.length, timesSec: times, uMps, vMps, rotate: !earthRelative, lookup, proj4: def, ...(members > 1 ? { members } : {}) };
      return { field: { kind: 'grid', grid }, lattice: stats };
    },
    toLandRaster(sub, mask, source) {
      const t = latticeOf(sub);
      const data = new SharedArrayBuffer(t.nLon * t.nLat);
      const cells = new Uint8Array(data);
      for (let j = 0; j < t.nLat; j++) {
        for (let i = 0; i < t.nLon; i++) {
          const [x, y] = proj.forward(t.lon0 + i * t.dLon, t.lat0 + j * t.dLat);
          const ix = Math.round((x - xAx.start) / xAx.step) - sub.x0;
          const iy = Math.round((y - yAx.start) / yAx.step) - sub.y0;
          if (ix >= 0 && ix < sub.nxSub && iy >= 0 && iy < sub.nySub) cells[j * t.nLon + i] = (mask[iy * sub.nxSub + ix] ?? NaN) > 0.5 ? 1 : 0;
        }
      }
      return { westDeg: t.lon0 - t.dLon / 2, southDeg: t.lat0 - t.dLat / 2, dLonDeg: t.dLon, dLatDeg: t.dLat, nx: t.nLon, ny: t.nLat, data, outside: 0, source };
    },
  };
}
