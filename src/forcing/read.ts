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
 * 0.002 and 0.09 mm/s (test/integration/forcing-read.test.ts). The lattice also costs one plane of 16 B per
 * node instead of a resampled copy of every record.)
 *
 * This file does the reading; geometry.ts (no I/O) turns coordinates into the grid's extent, window
 * subset and GridField.
 */
import { DriftlineError } from '../errors.js';
import { attrString, decodeTimes, fillNaNsLikeOpenDrift, findVectorVariables, speedFactorToMps, STANDARD_NAMES, unpackInPlace, type VectorKind } from './cf.js';
import { lonLatGeometry, projectedGeometry, type Geometry, type LatticeStats } from './geometry.js';
import type { NcFile, NcVariable } from '../netcdf/open.js';
import { cfToProj4 } from './projection.js';
import type { ForcingWindow, GridField } from './types.js';
import type { LandRaster } from '../land/types.js';

export type { ForcingWindow };

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
  lattice?: LatticeStats;
  /** Ensemble members (1: not an ensemble file). */
  members: number;
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
  /** Ensemble member dimension (a 1-D variable with standard_name realization names it), -1 if none. */
  memberDim: number;
  members: number;
}

/**
 * OpenDrift's ensemble dimension (reader_netCDF_CF_generic.py): the dimension of a 1-D variable with
 * standard_name `realization`. Returns its index in `v.dims`, or -1.
 */
function memberDimOf(file: NcFile, v: NcVariable): number {
  for (const x of file.variables.values()) {
    const [dim, ...more] = x.dims;
    if (dim === undefined || more.length > 0 || attrString(x.attrs, 'standard_name') !== 'realization') continue;
    const d = v.dims.indexOf(dim);
    if (d >= 0 && d < v.dims.length - 2) return d;
  }
  return -1;
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
  const memberDim = memberDimOf(f.file, v);
  for (const [d, dim] of v.dims.slice(0, nd - 2).entries()) {
    if (d === memberDim) continue;
    const coord = f.file.variables.get(dim);
    if (timeDim < 0 && (isTimeVar(coord) || /^(time|t|ocean_time)$/i.test(dim))) timeDim = d;
    else if ((v.shape[d] ?? 0) > 1 || depthDim < 0) depthDim = d;
  }
  let depthIndex = 0;
  const depthName = v.dims[depthDim];
  if (depthName !== undefined) {
    const coord = f.file.variables.get(depthName);
    if (coord && coord.shape.length === 1) {
      const z = await f.file.read(coord.name);
      // Surface layer: the level nearest 0 (depth positive down or up, or sigma levels 0..-1).
      let best = Infinity;
      for (const [i, zi] of z.entries()) {
        if (Math.abs(zi) < best) {
          best = Math.abs(zi);
          depthIndex = i;
        }
      }
    }
  }
  const members = memberDim >= 0 ? (v.shape[memberDim] ?? 1) : 1;
  const [yName, xName] = v.dims.slice(-2);
  const [ny, nx] = v.shape.slice(-2);
  if (yName === undefined || xName === undefined || ny === undefined || nx === undefined) {
    throw invalid(f.label, `variable ${v.name} has ${nd} dimension(s) but ${v.shape.length} sizes`);
  }
  return { timeDim, depthDim, depthIndex, yName, xName, ny, nx, memberDim, members };
}

async function readTimes(f: LabeledFile, v: NcVariable, layout: Layout): Promise<Float64Array> {
  if (layout.timeDim < 0) return Float64Array.of(0);
  const timeName = v.dims[layout.timeDim];
  const coord = timeName === undefined ? undefined : f.file.variables.get(timeName);
  if (!coord) throw invalid(f.label, `no coordinate variable for time dimension ${v.dims[layout.timeDim]}`);
  try {
    return decodeTimes(await f.file.read(coord.name), coord.attrs);
  } catch (err) {
    throw invalid(f.label, `time variable ${coord.name}: ${(err as Error).message}`);
  }
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
  per.sort((a, b) => (a.times[0] ?? NaN) - (b.times[0] ?? NaN));
  const [first] = per;
  if (first === undefined) throw new Error(`${kind} forcing: no files to read`);
  // One record in all (or no time axis): the field is constant in time and valid at any time.
  const hasTime = first.layout.timeDim >= 0 && (per.length > 1 || first.times.length > 1);
  for (const p of per) {
    if (p.layout.nx !== first.layout.nx || p.layout.ny !== first.layout.ny || (p.layout.timeDim >= 0) !== hasTime) {
      throw invalid(p.f.label, `grid differs from ${first.f.label} (files of one forcing must share the grid)`);
    }
    if (p.layout.members !== first.layout.members) {
      throw invalid(p.f.label, `${p.u.name} has ${p.layout.members} ensemble member(s), ${first.f.label} has ${first.layout.members} (files of one forcing must have the same members)`);
    }
  }
  const members = first.layout.members;

  // Geometry from the first file.
  const geo = await geometry(first.f, first.u, first.layout);

  // Records: every (file, index) in time order, duplicates at file joins dropped.
  const records: Array<{ p: PerFile; k: number; t: number }> = [];
  for (const p of per) for (const [k, t] of p.times.entries()) {
    const last = records.at(-1);
    if (last !== undefined && t <= last.t) continue;
    records.push({ p, k, t });
  }
  const firstRecord = records[0];
  const lastRecord = records.at(-1);
  if (firstRecord === undefined || lastRecord === undefined) throw invalid(first.f.label, `${first.u.name} has no time records`);
  const firstTimeSec = firstRecord.t;
  const lastTimeSec = lastRecord.t;
  checkCoverage?.({ firstTimeSec, lastTimeSec, hasTime, extent: geo.extent, projected: geo.projected, covers: (lo, la) => geo.covers(lo, la) });
  let r0 = 0;
  let r1 = records.length - 1;
  if (hasTime) {
    // The loop bounds keep both reads in range (NaN would end the loop, as undefined did).
    while (r0 < records.length - 1 && (records[r0 + 1]?.t ?? NaN) <= window.startSec) r0++;
    while (r1 > 0 && (records[r1 - 1]?.t ?? NaN) >= window.endSec) r1--;
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
  // Ensemble files: the M member planes of record i at (i·M + m)·plane.
  const uAll = new Float32Array(new SharedArrayBuffer(nt * members * plane * 4));
  const vAll = new Float32Array(new SharedArrayBuffer(nt * members * plane * 4));
  // Contiguous record runs per file: one hyperslab read per run.
  // Whether record j + 1 is the next index of the same file as record j.
  const runContinues = (j: number) => {
    const a = wanted[j];
    const b = wanted[j + 1];
    return a !== undefined && b !== undefined && b.p === a.p && b.k === a.k + 1;
  };
  let i = 0;
  for (let w0 = wanted[i]; w0 !== undefined; w0 = wanted[i]) {
    const p = w0.p;
    let j = i;
    while (runContinues(j)) j++;
    const nd = p.u.dims.length;
    const start = new Array<number>(nd).fill(0);
    const count = p.u.shape.slice();
    if (p.layout.timeDim >= 0) {
      start[p.layout.timeDim] = w0.k;
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
    // One read per member (whatever the order of the member and time dimensions): [record][y][x].
    for (let m = 0; m < members; m++) {
      if (p.layout.memberDim >= 0) start[p.layout.memberDim] = m;
      for (const [variable, out] of [[p.u, uAll], [p.v, vAll]] as const) {
        let data: Float64Array;
        try {
          data = await p.f.file.read(variable.name, start, count);
        } catch (err) {
          throw invalid(p.f.label, `reading ${variable.name}: ${(err as Error).message}`);
        }
        unpackInPlace(data, variable.attrs, p.factor);
        if (members === 1) out.set(data, i * plane);
        else for (let r = 0; r <= j - i; r++) out.set(data.subarray(r * plane, (r + 1) * plane), ((i + r) * members + m) * plane);
      }
    }
    i = j + 1;
  }
  // OpenDrift fills masked (land) cells before interpolating, per 2-D field.
  fillNaNsLikeOpenDrift(uAll, sub.nxSub, sub.nySub);
  fillNaNsLikeOpenDrift(vAll, sub.nxSub, sub.nySub);
  const timesSec = wanted.map((w) => w.t);
  const { field, lattice } = geo.toField(sub, timesSec, uAll, vAll, first.earthRelative, members);
  return {
    field,
    members,
    ...(lattice ? { lattice } : {}),
    variables: { u: first.u.name, v: first.v.name },
    firstTimeSec,
    lastTimeSec,
    hasTime,
    extent: geo.extent,
    projected: geo.projected,
  };
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
  data.forEach((x, i) => {
    if (Number.isNaN(x)) data[i] = 1;
  });
  return geo.toLandRaster(sub, data, f.label);
}
