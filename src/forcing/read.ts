/**
 * CF NetCDF files -> one GridField for a mission's window. Only the window is read: the records that
 * enclose the mission's time span (plus one either side) and the grid rows/columns that cover its area
 * grown by the largest distance a particle can drift.
 *
 * Projected grids (a CF grid_mapping) are kept in their own index space, as OpenDrift keeps them: the
 * subset of the source grid is handed to the sampler with a lon/lat -> (fx, fy, α) lattice (lookup.ts),
 * so each particle is interpolated bilinearly in grid-index space and its vector rotated from grid x/y
 * to east/north at its own position. (An earlier version resampled projected grids onto a lon/lat grid
 * at load time. The second bilinear pass that implies differed from OpenDrift by 0.06 cm/s on the smooth
 * eddy test field, but by 49 cm/s on 0.5 m/s ripples two cells long; sampled natively the two differ by
 * 0.002 and 0.09 mm/s (test/unit/forcing-read.test.ts). The lattice also costs one plane of 16 B per
 * node instead of a resampled copy of every record.)
 */
import { DriftlineError } from '../errors.js';
import { attrString, decodeTimes, fillNaNsLikeOpenDrift, findVectorVariables, speedFactorToMps, STANDARD_NAMES, unpackInPlace, type VectorKind } from './cf.js';
import { lonLatGridField, regularAxis } from './grid.js';
import { buildGridIndexLookup } from './lookup.js';
import type { NcFile, NcVariable } from './netcdf.js';
import { cfToProj4, makeProjection, type Projection } from './projection.js';
import type { GridField, ProjectedGridData } from './types.js';
import type { LandRaster } from '../land/types.js';
import { M_PER_DEG_LAT } from '../model/geo.js';

/** The part of space and time a mission can touch. Longitudes in degrees, any convention. */
export interface ForcingWindow {
  lonCenterDeg: number;
  /** Half-width in longitude; >= 180 means all longitudes. */
  lonHalfWidthDeg: number;
  southDeg: number;
  northDeg: number;
  startSec: number;
  endSec: number;
}

export interface ReadResult {
  field: GridField;
  variables: { u: string; v: string };
  /** Full time span of the files (before subsetting), for coverage messages. */
  firstTimeSec: number;
  lastTimeSec: number;
  /** False for files without a time axis or with a single record (constant in time). */
  hasTime: boolean;
  /** Lon/lat extent of the source grid (before subsetting), for coverage messages. */
  extent: { westDeg: number; eastDeg: number; southDeg: number; northDeg: number };
  projected: boolean;
  /** Projected grids: size of the lon/lat -> grid-index lattice and its measured error. */
  lattice?: { nodes: number; indexErrorCells: number; alphaErrorRad: number };
}

/** What a file offers, for coverage checks made before any data is read. */
export interface Coverage {
  firstTimeSec: number;
  lastTimeSec: number;
  hasTime: boolean;
  extent: { westDeg: number; eastDeg: number; southDeg: number; northDeg: number };
  projected: boolean;
  /** True when the grid holds (lon, lat) between its outermost points (exact, in the grid's own space). */
  covers(lonDeg: number, latDeg: number): boolean;
}

export interface LabeledFile {
  file: NcFile;
  label: string;
  /** Unpins the file's cache entry once it is closed (files fetched from S3/https). */
  release?: () => Promise<void>;
}

const invalid = (label: string, msg: string) => new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: ${msg}`);

/** Layout of a data variable: which dims are time, depth, y, x and what their coordinates are. */
interface Layout {
  timeDim: number; // -1 if none
  depthDim: number; // -1 if none
  depthIndex: number;
  yName: string;
  xName: string;
  ny: number;
  nx: number;
}

function isTimeVar(v: NcVariable | undefined): boolean {
  if (!v) return false;
  const std = attrString(v.attrs, 'standard_name');
  const units = attrString(v.attrs, 'units') ?? '';
  return std === 'time' || /\bsince\b/i.test(units);
}

async function layoutOf(f: LabeledFile, v: NcVariable): Promise<Layout> {
  const nd = v.dims.length;
  if (nd < 2) throw invalid(f.label, `variable ${v.name} has ${nd} dimension(s); expected (time, [depth,] y, x)`);
  let timeDim = -1;
  let depthDim = -1;
  for (let d = 0; d < nd - 2; d++) {
    const coord = f.file.variables.get(v.dims[d]!);
    if (timeDim < 0 && (isTimeVar(coord) || /^(time|t|ocean_time)$/i.test(v.dims[d]!))) timeDim = d;
    else if (v.shape[d]! > 1 || depthDim < 0) depthDim = d;
  }
  let depthIndex = 0;
  if (depthDim >= 0) {
    const coord = f.file.variables.get(v.dims[depthDim]!);
    if (coord && coord.shape.length === 1) {
      const z = await f.file.read(coord.name);
      // Surface layer: the level nearest 0 (depth positive down or up, or sigma levels 0..-1).
      let best = Infinity;
      for (let i = 0; i < z.length; i++) {
        if (Math.abs(z[i]!) < best) {
          best = Math.abs(z[i]!);
          depthIndex = i;
        }
      }
    }
  }
  return { timeDim, depthDim, depthIndex, yName: v.dims[nd - 2]!, xName: v.dims[nd - 1]!, ny: v.shape[nd - 2]!, nx: v.shape[nd - 1]! };
}

async function readTimes(f: LabeledFile, v: NcVariable, layout: Layout): Promise<Float64Array> {
  if (layout.timeDim < 0) return Float64Array.of(0);
  const coord = f.file.variables.get(v.dims[layout.timeDim]!);
  if (!coord) throw invalid(f.label, `no coordinate variable for time dimension ${v.dims[layout.timeDim]}`);
  try {
    return decodeTimes(await f.file.read(coord.name), coord.attrs);
  } catch (err) {
    throw invalid(f.label, `time variable ${coord.name}: ${(err as Error).message}`);
  }
}

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

interface Subset {
  x0: number;
  nxSub: number;
  y0: number;
  nySub: number;
}

/**
 * Reads every file of a (possibly time-split) vector forcing for `window`. All files must share the grid.
 * Throws E_FORCING_INVALID naming the file when a variable, coordinate or unit is missing or unusable.
 */
export async function readVectorField(
  files: LabeledFile[],
  kind: VectorKind,
  window: ForcingWindow,
  override?: { u: string; v: string },
  /** Called before any data is read; throws (E_FORCING_COVERAGE) when the files do not cover the mission. */
  checkCoverage?: (c: Coverage) => void,
): Promise<ReadResult> {
  interface PerFile {
    f: LabeledFile;
    u: NcVariable;
    v: NcVariable;
    layout: Layout;
    times: Float64Array;
    factor: number;
    earthRelative: boolean;
  }
  const per: PerFile[] = [];
  for (const f of files) {
    const vars = findVectorVariables(f.file, kind, override);
    if (!vars) {
      const tried = override
        ? `variables ${override.u}/${override.v} (job forcing.${kind}.variables)`
        : `standard_name ${STANDARD_NAMES[kind].map((p) => p.join('/')).join(', ')} or a common name pair`;
      throw invalid(f.label, `no ${kind} variables found: looked for ${tried}; it has ${[...f.file.variables.keys()].join(', ')}`);
    }
    const units = attrString(vars.u.attrs, 'units');
    const factor = speedFactorToMps(units);
    if (factor === null) throw invalid(f.label, `variable ${vars.u.name} has units "${units}", not a speed (m/s, cm/s, km/h, knots)`);
    const factorV = speedFactorToMps(attrString(vars.v.attrs, 'units'));
    if (factorV !== factor) throw invalid(f.label, `variables ${vars.u.name} and ${vars.v.name} have different units`);
    if (vars.u.shape.join() !== vars.v.shape.join()) throw invalid(f.label, `variables ${vars.u.name} and ${vars.v.name} differ in shape`);
    const layout = await layoutOf(f, vars.u);
    const times = await readTimes(f, vars.u, layout);
    per.push({ f, u: vars.u, v: vars.v, layout, times, factor, earthRelative: vars.earthRelative });
  }
  per.sort((a, b) => a.times[0]! - b.times[0]!);
  const first = per[0]!;
  // One record in all (or no time axis): the field is constant in time and valid at any time.
  const hasTime = first.layout.timeDim >= 0 && (per.length > 1 || first.times.length > 1);
  for (const p of per) {
    if (p.layout.nx !== first.layout.nx || p.layout.ny !== first.layout.ny || (p.layout.timeDim >= 0) !== hasTime) {
      throw invalid(p.f.label, `grid differs from ${first.f.label} (files of one forcing must share the grid)`);
    }
  }

  // Geometry from the first file.
  const geo = await geometry(first.f, first.u, first.layout);

  // Records: every (file, index) in time order, duplicates at file joins dropped.
  const records: Array<{ p: PerFile; k: number; t: number }> = [];
  for (const p of per) for (let k = 0; k < p.times.length; k++) {
    const t = p.times[k]!;
    if (records.length > 0 && t <= records[records.length - 1]!.t) continue;
    records.push({ p, k, t });
  }
  const firstTimeSec = records[0]!.t;
  const lastTimeSec = records[records.length - 1]!.t;
  checkCoverage?.({ firstTimeSec, lastTimeSec, hasTime, extent: geo.extent, projected: geo.projected, covers: (lo, la) => geo.covers(lo, la) });
  let r0 = 0;
  let r1 = records.length - 1;
  if (hasTime) {
    while (r0 < records.length - 1 && records[r0 + 1]!.t <= window.startSec) r0++;
    while (r1 > 0 && records[r1 - 1]!.t >= window.endSec) r1--;
    // One record either side, as OpenDrift's reader buffer does.
    r0 = Math.max(0, r0 - 1);
    r1 = Math.min(records.length - 1, r1 + 1);
    if (r1 < r0) r1 = r0;
  }
  const wanted = records.slice(r0, r1 + 1);
  const sub = geo.subset(window);
  const plane = sub.nxSub * sub.nySub;
  const nt = wanted.length;
  // float32 in SharedArrayBuffers from the start: unpacked in float64 per read, rounded once on the way
  // in, and handed to the samplers without another copy.
  const uAll = new Float32Array(new SharedArrayBuffer(nt * plane * 4));
  const vAll = new Float32Array(new SharedArrayBuffer(nt * plane * 4));
  // Contiguous record runs per file: one hyperslab read per run.
  let i = 0;
  while (i < nt) {
    const p = wanted[i]!.p;
    let j = i;
    while (j + 1 < nt && wanted[j + 1]!.p === p && wanted[j + 1]!.k === wanted[j]!.k + 1) j++;
    const nd = p.u.dims.length;
    const start = new Array<number>(nd).fill(0);
    const count = p.u.shape.slice();
    if (p.layout.timeDim >= 0) {
      start[p.layout.timeDim] = wanted[i]!.k;
      count[p.layout.timeDim] = j - i + 1;
    }
    if (p.layout.depthDim >= 0) {
      start[p.layout.depthDim] = p.layout.depthIndex;
      count[p.layout.depthDim] = 1;
    }
    for (let d = 0; d < nd - 2; d++) if (d !== p.layout.timeDim && d !== p.layout.depthDim) count[d] = 1;
    start[nd - 2] = sub.y0;
    count[nd - 2] = sub.nySub;
    start[nd - 1] = sub.x0;
    count[nd - 1] = sub.nxSub;
    for (const [variable, out] of [[p.u, uAll], [p.v, vAll]] as const) {
      let data: Float64Array;
      try {
        data = await p.f.file.read(variable.name, start, count);
      } catch (err) {
        throw invalid(p.f.label, `reading ${variable.name}: ${(err as Error).message}`);
      }
      unpackInPlace(data, variable.attrs, p.factor);
      out.set(data, i * plane);
    }
    i = j + 1;
  }
  // OpenDrift fills masked (land) cells before interpolating, per 2-D field.
  fillNaNsLikeOpenDrift(uAll, sub.nxSub, sub.nySub);
  fillNaNsLikeOpenDrift(vAll, sub.nxSub, sub.nySub);
  const timesSec = wanted.map((w) => w.t);
  const field = geo.toField(sub, timesSec, uAll, vAll, first.earthRelative);
  return {
    field,
    ...(geo.lattice ? { lattice: geo.lattice } : {}),
    variables: { u: first.u.name, v: first.v.name },
    firstTimeSec,
    lastTimeSec,
    hasTime,
    extent: geo.extent,
    projected: geo.projected,
  };
}

interface Geometry {
  projected: boolean;
  extent: { westDeg: number; eastDeg: number; southDeg: number; northDeg: number };
  covers(lonDeg: number, latDeg: number): boolean;
  subset(window: ForcingWindow): Subset;
  /** Subset planes [t][y][x] (float32, SharedArrayBuffer) -> the GridField the sampler reads. */
  toField(sub: Subset, timesSec: number[], u: Float32Array, v: Float32Array, earthRelative: boolean): GridField;
  /** Set by toField on projected grids. */
  lattice?: { nodes: number; indexErrorCells: number; alphaErrorRad: number };
  /** For land masks: the subset plane -> LandRaster (nearest cell). */
  toLandRaster(sub: Subset, mask: Float64Array, source: string): LandRaster;
}

async function coordValues(f: LabeledFile, name: string): Promise<{ values: Float64Array; v: NcVariable }> {
  const v = f.file.variables.get(name);
  if (!v || v.shape.length !== 1) throw invalid(f.label, `no 1-D coordinate variable for dimension ${name}`);
  return { values: await f.file.read(name), v };
}

async function geometry(f: LabeledFile, data: NcVariable, layout: Layout): Promise<Geometry> {
  const gmName = attrString(data.attrs, 'grid_mapping');
  const gm = gmName ? f.file.variables.get(gmName) : undefined;
  const xc = await coordValues(f, layout.xName);
  const yc = await coordValues(f, layout.yName);
  const xStd = attrString(xc.v.attrs, 'standard_name') ?? '';
  const xUnits = attrString(xc.v.attrs, 'units') ?? '';
  const isLon = xStd === 'longitude' || /^degrees?_?e(ast)?$/i.test(xUnits);
  if (isLon && !(gm && attrString(gm.attrs, 'grid_mapping_name') && attrString(gm.attrs, 'grid_mapping_name') !== 'latitude_longitude')) {
    return lonLatGeometry(f, xc.values, yc.values, layout);
  }
  const def = gm ? cfToProj4(gm.attrs) : null;
  if (!def) {
    const hint = gmName ? `grid_mapping ${gmName} is not one driftline knows` : 'no grid_mapping attribute and the x axis is not longitude';
    throw invalid(f.label, `cannot locate the grid of ${data.name}: ${hint}`);
  }
  // Projection coordinates in km are scaled to m, as OpenDrift does.
  const scale = (units: string) => (/^k(ilo)?m(eters?|etres?)?$/i.test(units.trim()) ? 1000 : 1);
  const xs = xc.values.map((x) => x * scale(xUnits));
  const ys = yc.values.map((y) => y * scale(attrString(yc.v.attrs, 'units') ?? ''));
  return projectedGeometry(f, def, xs, ys);
}

/** A longitude axis crossing the antimeridian as 179, 180, -179, ... becomes 179, 180, 181, ... */
function unwrapLongitudes(lons: Float64Array): Float64Array {
  const out = Float64Array.from(lons);
  for (let i = 1; i < out.length; i++) {
    const d = out[i]! - out[i - 1]!;
    if (d < -180) out[i]! += 360 * Math.ceil(-d / 360 - 1e-9);
    else if (d > 180) out[i]! -= 360 * Math.ceil(d / 360 - 1e-9);
  }
  return out;
}

function lonLatGeometry(f: LabeledFile, lonsIn: Float64Array, lats: Float64Array, layout: Layout): Geometry {
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
  const lonMin = Math.min(lons[0]!, lons[nx - 1]!);
  const periodic = Math.abs(Math.abs(lonAx.step) * nx - 360) < Math.abs(lonAx.step) * 1e-3;
  const lonLo = Math.min(lons[0]!, lons[nx - 1]!);
  const lonHi = Math.max(lons[0]!, lons[nx - 1]!);
  const latLo = Math.min(lats[0]!, lats[ny - 1]!);
  const latHi = Math.max(lats[0]!, lats[ny - 1]!);
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
      eastDeg: Math.max(lons[0]!, lons[nx - 1]!),
      southDeg: Math.min(lats[0]!, lats[ny - 1]!),
      northDeg: Math.max(lats[0]!, lats[ny - 1]!),
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
    toField(sub, timesSec, u, v) {
      const subLon = Array.from(lons.subarray(sub.x0, sub.x0 + sub.nxSub));
      const subLat = Array.from(lats.subarray(sub.y0, sub.y0 + sub.nySub));
      if (subLon.length < 2 || subLat.length < 2) {
        throw new DriftlineError('E_FORCING_COVERAGE', `forcing file ${f.label}: the mission's area holds fewer than 2×2 grid points of it`);
      }
      return lonLatGridField({ lonDeg: subLon, latDeg: subLat, timesSec, uMps: u, vMps: v });
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
          cells[j * nxs + i] = mask[sj * nxs + si]! > 0.5 ? 1 : 0;
        }
      }
      return {
        westDeg: Math.min(subLon[0]!, subLon[nxs - 1]!) - dLon / 2,
        southDeg: Math.min(subLat[0]!, subLat[nys - 1]!) - dLat / 2,
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

function projectedGeometry(f: LabeledFile, def: string, xs: Float64Array, ys: Float64Array): Geometry {
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
    edge(xs[i]!, ys[0]!);
    edge(xs[i]!, ys[ny - 1]!);
  }
  for (let j = 0; j < ny; j++) {
    edge(xs[0]!, ys[j]!);
    edge(xs[nx - 1]!, ys[j]!);
  }
  // A grid around a pole covers every longitude.
  const [px, py] = proj.forward(0, 90);
  const [sx, sy] = proj.forward(0, -90);
  const holdsPole = (x: number, y: number) => Number.isFinite(x) && (x - xs[0]!) / xAx.step >= 0 && (x - xs[0]!) / xAx.step <= nx - 1 && (y - ys[0]!) / yAx.step >= 0 && (y - ys[0]!) / yAx.step <= ny - 1;
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

  let target: { lon0: number; dLon: number; nLon: number; lat0: number; dLat: number; nLat: number } | null = null;
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
      target = { lon0: lonW, dLon, nLon, lat0: s, dLat, nLat };
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
      if (!(x1 > x0 && y1 > y0)) return { x0: 0, nxSub: nx, y0: 0, nySub: ny };
      return { x0, nxSub: x1 - x0 + 1, y0, nySub: y1 - y0 + 1 };
    },
    toField(sub, timesSec, u, v, earthRelative) {
      const t = target!;
      const axes = { x0: xAx.start + sub.x0 * xAx.step, dx: xAx.step, y0: yAx.start + sub.y0 * yAx.step, dy: yAx.step };
      const lattice = { lon0Deg: t.lon0, dLonDeg: t.dLon, nLon: t.nLon, lat0Deg: t.lat0, dLatDeg: t.dLat, nLat: t.nLat };
      const { lookup, error } = buildGridIndexLookup(proj, axes, lattice, { maxNodes: MAX_LATTICE_NODES });
      this.lattice = { nodes: lookup.nLon * lookup.nLat, indexErrorCells: error.indexCells, alphaErrorRad: error.alphaRad };
      const uMps = u;
      const vMps = v;
      const times = new Float64Array(new SharedArrayBuffer(timesSec.length * 8));
      times.set(timesSec);
      for (let k = 1; k < times.length; k++) {
        if (!(times[k]! > times[k - 1]!)) throw invalid(f.label, 'times are not strictly increasing');
      }
      if (sub.nxSub < 2 || sub.nySub < 2) {
        throw new DriftlineError('E_FORCING_COVERAGE', `forcing file ${f.label}: the mission's area holds fewer than 2×2 grid points of it`);
      }
      const grid: ProjectedGridData = { layout: 'projected', nx: sub.nxSub, ny: sub.nySub, nt: times.length, timesSec: times, uMps, vMps, rotate: !earthRelative, lookup, proj4: def };
      return { kind: 'grid', grid };
    },
    toLandRaster(sub, mask, source) {
      const t = target!;
      const data = new SharedArrayBuffer(t.nLon * t.nLat);
      const cells = new Uint8Array(data);
      for (let j = 0; j < t.nLat; j++) {
        for (let i = 0; i < t.nLon; i++) {
          const [x, y] = proj.forward(t.lon0 + i * t.dLon, t.lat0 + j * t.dLat);
          const ix = Math.round((x - xAx.start) / xAx.step) - sub.x0;
          const iy = Math.round((y - yAx.start) / yAx.step) - sub.y0;
          if (ix >= 0 && ix < sub.nxSub && iy >= 0 && iy < sub.nySub) cells[j * t.nLon + i] = mask[iy * sub.nxSub + ix]! > 0.5 ? 1 : 0;
        }
      }
      return { westDeg: t.lon0 - t.dLon / 2, southDeg: t.lat0 - t.dLat / 2, dLonDeg: t.dLon, dLatDeg: t.dLat, nx: t.nLon, ny: t.nLat, data, outside: 0, source };
    },
  };
}

/** land_binary_mask (or `variable`) of a file, for the window, as a LandRaster. */
export async function readLandMask(f: LabeledFile, window: ForcingWindow, variable?: string): Promise<LandRaster> {
  let v: NcVariable | undefined;
  if (variable) v = f.file.variables.get(variable);
  else for (const x of f.file.variables.values()) if (attrString(x.attrs, 'standard_name') === 'land_binary_mask') v = x;
  v ??= f.file.variables.get('land_binary_mask');
  if (!v) throw invalid(f.label, `no land mask: looked for ${variable ? `variable ${variable}` : 'standard_name land_binary_mask'}`);
  const layout = await layoutOf(f, v);
  const geo = await geometry(f, v, layout);
  const sub = geo.subset(window);
  const nd = v.dims.length;
  const start = new Array<number>(nd).fill(0);
  const count = new Array<number>(nd).fill(1);
  if (layout.depthDim >= 0) start[layout.depthDim] = layout.depthIndex;
  start[nd - 2] = sub.y0;
  count[nd - 2] = sub.nySub;
  start[nd - 1] = sub.x0;
  count[nd - 1] = sub.nxSub;
  const data = await f.file.read(v.name, start, count);
  unpackInPlace(data, v.attrs);
  // Cells with no value (fill) are treated as land: a masked cell in a land mask is almost always land.
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i]!)) data[i] = 1;
  return geo.toLandRaster(sub, data, f.label);
}
