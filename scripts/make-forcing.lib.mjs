// Synthetic CF forcing files for tests and benchmarks: a minimal NetCDF-3 classic writer (our own, ~80
// lines: header + data, big-endian, as in the NetCDF classic format specification) and a NetCDF-4 writer
// through h5wasm (HDF5 with dimension scales, which netCDF-C reads as dimensions).
import { Buffer } from 'node:buffer';
import { closeSync, ftruncateSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import proj4 from 'proj4';

// ----------------------------------------------------------------------------------------------------
// Analytic fields (east/north, m/s). Times in seconds since 1970-01-01.

export const T0_SEC = Date.UTC(2024, 0, 1) / 1000;
const DAY = 86400;

/** Wind that turns once a day, 8 m/s, plus a gentle spatial ripple (±0.5 m/s). */
export function windField(lonDeg, latDeg, tSec) {
  const w = (2 * Math.PI * (tSec - T0_SEC)) / DAY;
  const lon = ((((lonDeg + 180) % 360) + 360) % 360) - 180;
  return [8 * Math.cos(w) + 0.5 * Math.sin((latDeg * Math.PI) / 10), 8 * Math.sin(w) + 0.5 * Math.cos((lon * Math.PI) / 10)];
}

/** A cyclonic Gaussian eddy at (6°E, 60°N), 0.5 m/s peak, 0.4° radius, pulsing ±20 % per day, on a 0.1 m/s eastward drift. */
export function currentField(lonDeg, latDeg, tSec) {
  const dx = (lonDeg - 6) * Math.cos((60 * Math.PI) / 180);
  const dy = latDeg - 60;
  const r2 = (dx * dx + dy * dy) / (0.4 * 0.4);
  const a = 0.5 * (1 + 0.2 * Math.sin((2 * Math.PI * (tSec - T0_SEC)) / DAY)) * Math.exp(-r2);
  return [0.1 - (a * dy) / 0.4, (a * dx) / 0.4];
}

/**
 * The d2 fidelity case (issue 10): an eddy at 20°E 75°N on a 0.3 m/s eastward drift, turning daily,
 * m/s east/north. Written on Arctic20's 20 km polar-stereographic grid (writeArctic20File), where the
 * mapping is curved enough over one cell that a bilinear lon/lat lattice misplaces the grid index.
 */
export function arctic20Current(lonDeg, latDeg, tSec) {
  const dx = (lonDeg - 20) * Math.cos((75 * Math.PI) / 180);
  const dy = latDeg - 75;
  const r2 = (dx * dx + dy * dy) / (1.5 * 1.5);
  const a = 0.4 * (1 + 0.2 * Math.sin((2 * Math.PI * (tSec - T0_SEC)) / DAY)) * Math.exp(-r2);
  return [0.3 - (a * dy) / 1.5, (a * dx) / 1.5];
}

/** Cells of the "island" (land, filled with _FillValue in current files): 5.3..5.6°E, 59.3..59.5°N. */
export function isIsland(lonDeg, latDeg) {
  return lonDeg >= 5.29 && lonDeg <= 5.61 && latDeg >= 59.29 && latDeg <= 59.51;
}

export function axis(start, step, n) {
  return Array.from({ length: n }, (_, i) => Math.round((start + i * step) * 1e9) / 1e9);
}

// ----------------------------------------------------------------------------------------------------
// NetCDF-3 classic writer

const NC_TYPE = { byte: 1, char: 2, short: 3, int: 4, float: 5, double: 6 };
const NC_SIZE = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };
// Arithmetic, not bit operations: sizes of multi-GB variables exceed 32 bits.
const pad4 = (n) => n + ((4 - (n % 4)) % 4);

class Out {
  constructor() {
    this.parts = [];
    this.length = 0;
  }
  bytes(buf) {
    this.parts.push(buf);
    this.length += buf.length;
  }
  int(n) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.bytes(b);
  }
  uint(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.bytes(b);
  }
  name(s) {
    const raw = Buffer.from(s, 'utf8');
    this.int(raw.length);
    this.bytes(Buffer.concat([raw, Buffer.alloc(pad4(raw.length) - raw.length)]));
  }
  values(type, vals) {
    const size = NC_SIZE[type];
    const b = Buffer.alloc(pad4(vals.length * size));
    vals.forEach((x, i) => writeValue(b, type, i * size, x));
    this.bytes(b);
  }
}

function writeValue(b, type, off, x) {
  switch (type) {
    case 'byte':
      return b.writeInt8(x, off);
    case 'char':
      return b.writeUInt8(x, off);
    case 'short':
      return b.writeInt16BE(x, off);
    case 'int':
      return b.writeInt32BE(x, off);
    case 'float':
      return b.writeFloatBE(x, off);
    default:
      return b.writeDoubleBE(x, off);
  }
}

/** An attribute is a string (char), a number (double) or {type, value: number|number[]}. */
function attrParts(v) {
  if (typeof v === 'string') return { type: 'char', vals: [...Buffer.from(v, 'utf8')] };
  if (typeof v === 'number') return { type: 'double', vals: [v] };
  return { type: v.type, vals: Array.isArray(v.value) ? v.value : [v.value] };
}

function attrList(out, attrs) {
  const keys = Object.keys(attrs ?? {});
  if (keys.length === 0) {
    out.int(0);
    out.int(0);
    return;
  }
  out.int(0x0c);
  out.int(keys.length);
  for (const k of keys) {
    const { type, vals } = attrParts(attrs[k]);
    out.name(k);
    out.int(NC_TYPE[type]);
    out.int(vals.length);
    out.values(type, vals);
  }
}

/**
 * spec: { dims: [{name, size}] (size null = the unlimited record dimension, which must come first in
 * a variable's dims), attrs, vars: [{name, type, dims, attrs, data}] } with data row-major.
 * spec.version 2 writes the 64-bit offset format (CDF-2: 64-bit `begin` fields), default 1 (classic).
 * spec.sparse: variables whose data is null are left as holes of a sparse file (zeros when read); a
 * record variable's data may also be a function (record) => values | null, to place known values in
 * chosen records of a multi-gigabyte file that costs no disk.
 */
export function writeNetcdf3(path, spec) {
  const version = spec.version ?? 1;
  const recDim = spec.dims.find((d) => d.size === null);
  const numRecs = recDim ? spec.numRecs : 0;
  const dimIndex = new Map(spec.dims.map((d, i) => [d.name, i]));
  const dimSize = new Map(spec.dims.map((d) => [d.name, d.size]));
  const vars = spec.vars.map((v) => {
    const isRec = recDim !== undefined && v.dims[0] === recDim.name;
    const inner = (isRec ? v.dims.slice(1) : v.dims).reduce((a, d) => a * dimSize.get(d), 1);
    return { ...v, isRec, inner, bytes: inner * NC_SIZE[v.type], vsize: pad4(inner * NC_SIZE[v.type]) };
  });
  const header = (begins) => {
    const out = new Out();
    out.bytes(Buffer.from([0x43, 0x44, 0x46, version]));
    out.int(numRecs);
    out.int(0x0a);
    out.int(spec.dims.length);
    for (const d of spec.dims) {
      out.name(d.name);
      out.int(d.size ?? 0);
    }
    attrList(out, spec.attrs);
    out.int(0x0b);
    out.int(vars.length);
    vars.forEach((v, i) => {
      out.name(v.name);
      out.int(v.dims.length);
      for (const d of v.dims) out.int(dimIndex.get(d));
      attrList(out, v.attrs);
      out.int(NC_TYPE[v.type]);
      // Variables of 4 GiB or more store 2^32-1 (the specification's "too large" marker).
      out.uint(v.vsize >= 2 ** 32 ? 0xffffffff : v.vsize);
      if (version === 1) out.uint(begins[i]);
      else {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(BigInt(begins[i]));
        out.bytes(b);
      }
    });
    return out;
  };
  const headerLen = header(vars.map(() => 0)).length;
  const begins = [];
  let pos = headerLen;
  for (const v of vars) if (!v.isRec) {
    begins[vars.indexOf(v)] = pos;
    pos += v.vsize;
  }
  if (version === 1 && pos > 2 ** 31) throw new Error('classic NetCDF-3 cannot hold fixed variables beyond 2 GiB: use version 2');
  const recStart = pos;
  const recVars = vars.filter((v) => v.isRec);
  // Records are padded to 4 bytes, except when there is a single record variable (specification).
  const recSize = recVars.length === 1 ? recVars[0].bytes : recVars.reduce((a, v) => a + v.vsize, 0);
  let recOff = 0;
  for (const v of recVars) {
    begins[vars.indexOf(v)] = recStart + recOff;
    recOff += v.vsize;
  }
  const out = header(begins);
  const recordValues = (v, r) => (typeof v.data === 'function' ? v.data(r) : v.data === null ? null : v.data.subarray(r * v.inner, (r + 1) * v.inner));
  if (spec.sparse) {
    // Large-file mode: only the header, fixed variables with data and records with data are written;
    // the rest stays holes of a sparse file. Lets tests make multi-GB files in milliseconds.
    writeFileSync(path, Buffer.concat(out.parts));
    const fd = openSync(path, 'r+');
    const put = (v, values, at) => {
      const o = new Out();
      o.values(v.type, Array.from(values));
      writeSync(fd, Buffer.concat(o.parts), 0, o.length, at);
    };
    try {
      for (const v of vars) if (!v.isRec && v.data !== null) put(v, v.data, begins[vars.indexOf(v)]);
      for (let r = 0; r < numRecs; r++) {
        for (const v of recVars) {
          const values = recordValues(v, r);
          if (values !== null) put(v, values, begins[vars.indexOf(v)] + r * recSize);
        }
      }
      ftruncateSync(fd, recStart + numRecs * recSize);
    } finally {
      closeSync(fd);
    }
    return;
  }
  for (const v of vars) if (!v.isRec) out.values(v.type, Array.from(v.data));
  for (let r = 0; r < numRecs; r++) {
    for (const v of recVars) {
      const values = Array.from(recordValues(v, r));
      if (recVars.length === 1) {
        // No padding between records of a single record variable.
        const o = new Out();
        o.values(v.type, values);
        out.bytes(Buffer.concat(o.parts).subarray(0, v.bytes));
      } else out.values(v.type, values);
    }
  }
  writeFileSync(path, Buffer.concat(out.parts));
}

// ----------------------------------------------------------------------------------------------------
// NetCDF-4 (HDF5) writer through h5wasm

const TYPED = { byte: Int8Array, short: Int16Array, int: Int32Array, float: Float32Array, double: Float64Array };

export async function writeNetcdf4(path, spec) {
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  rmSync(path, { force: true });
  const f = new h5.File(path, 'w');
  const dimSize = new Map(spec.dims.map((d) => [d.name, d.size ?? spec.numRecs]));
  const setAttrs = (obj, attrs) => {
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (typeof v === 'string') obj.create_attribute(k, v);
      else if (typeof v === 'number') obj.create_attribute(k, new Float64Array([v]));
      else obj.create_attribute(k, new TYPED[v.type](Array.isArray(v.value) ? v.value : [v.value]));
    }
  };
  // Coordinate variables (1-D, named like their dimension) become dimension scales.
  const coordNames = new Set(spec.vars.filter((v) => v.dims.length === 1 && v.dims[0] === v.name).map((v) => v.name));
  for (const v of spec.vars) {
    const shape = v.dims.map((d) => dimSize.get(d));
    const dtype = v.type === 'double' ? '<d' : undefined;
    let ds;
    if (typeof v.data === 'function') {
      // Record by record (files too large to hold in memory): chunked, one record per chunk row,
      // chunk (1, spec.chunk ?? 256, spec.chunk ?? 256) as netCDF-C would choose for a big variable.
      const rest = shape.slice(1);
      const size = rest.reduce((a, b) => a * b, 1);
      const chunks = [1, ...rest.map((n) => Math.min(n, spec.chunk ?? 256))];
      ds = f.create_dataset({ name: v.name, data: new TYPED[v.type](size), shape: [1, ...rest], maxshape: [null, ...rest], chunks, dtype });
      ds.resize(shape);
      for (let r = 0; r < shape[0]; r++) {
        const values = v.data(r);
        if (values === null) continue;
        ds.write_slice([[r, r + 1], ...rest.map((n) => [0, n])], values instanceof TYPED[v.type] ? values : new TYPED[v.type](Array.from(values)));
      }
    } else {
      const data = v.data instanceof TYPED[v.type] ? v.data : new TYPED[v.type](Array.from(v.data));
      ds = f.create_dataset({ name: v.name, data, shape, dtype });
    }
    if (coordNames.has(v.name)) ds.make_scale(v.name);
    setAttrs(ds, v.attrs);
  }
  for (const v of spec.vars) {
    if (coordNames.has(v.name)) continue;
    const ds = f.get(v.name);
    v.dims.forEach((d, i) => {
      if (coordNames.has(d)) ds.attach_scale(i, d);
    });
  }
  setAttrs(f, spec.attrs);
  f.close();
}

// ----------------------------------------------------------------------------------------------------
// File builders

/**
 * A lon/lat vector file. opts: {kind: 'wind'|'current', lons, lats, timesSec, format: 'nc3'|'nc4',
 * names: [u, v], standardNames?: [su, sv], units ('m s-1', 'knots', 'cm/s', 'km/h'), packed (int16
 * with scale/offset), fill (island cells -> _FillValue), depths (adds a depth axis; deeper levels
 * get half speed), timeUnits, land (adds land_binary_mask)}
 */
export async function writeLonLatFile(path, opts) {
  const field = opts.kind === 'wind' ? windField : currentField;
  const { lons, lats, timesSec } = opts;
  const depths = opts.depths ?? null;
  const nz = depths ? depths.length : 1;
  const unitScale = { 'm s-1': 1, 'm/s': 1, knots: 3600 / 1852, 'cm/s': 100, 'km/h': 3.6 }[opts.units ?? 'm s-1'];
  const [timeUnit, secPerUnit, epochSec] = opts.timeUnits ?? ['hours since 2024-01-01 00:00:00', 3600, T0_SEC];
  const n = timesSec.length * nz * lats.length * lons.length;
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  let o = 0;
  for (const t of timesSec) for (let z = 0; z < nz; z++) for (const la of lats) for (const lo of lons) {
    const [a, b] = field(lo, la, t);
    const f = z === 0 ? 1 : 0.5;
    const land = opts.fill && isIsland(((((lo + 180) % 360) + 360) % 360) - 180, la);
    u[o] = land ? NaN : a * f * unitScale;
    v[o++] = land ? NaN : b * f * unitScale;
  }
  const FILL = -32767;
  const pack = (arr, scale, offset) => Int16Array.from(arr, (x) => (Number.isNaN(x) ? FILL : Math.round((x - offset) / scale)));
  const dataVar = (name, std, arr) => {
    const attrs = { units: opts.units ?? 'm s-1' };
    if (std) attrs.standard_name = std;
    if (opts.packed) {
      const scale = opts.packed.scale;
      const offset = opts.packed.offset;
      attrs.scale_factor = { type: 'float', value: scale };
      attrs.add_offset = { type: 'float', value: offset };
      attrs._FillValue = { type: 'short', value: FILL };
      return { name, type: 'short', dims: dataDims, attrs, data: pack(arr, scale, offset) };
    }
    attrs._FillValue = { type: 'float', value: -999 };
    return { name, type: 'float', dims: dataDims, attrs, data: Float32Array.from(arr, (x) => (Number.isNaN(x) ? -999 : x)) };
  };
  const dataDims = depths ? ['time', 'depth', 'lat', 'lon'] : ['time', 'lat', 'lon'];
  const dims = [{ name: 'time', size: opts.format === 'nc3' ? null : timesSec.length }];
  if (depths) dims.push({ name: 'depth', size: nz });
  dims.push({ name: 'lat', size: lats.length }, { name: 'lon', size: lons.length });
  const std = opts.standardNames ?? [null, null];
  const vars = [
    {
      name: 'time',
      type: 'double',
      dims: ['time'],
      attrs: { standard_name: 'time', units: timeUnit, calendar: 'gregorian' },
      data: Float64Array.from(timesSec, (t) => (t - epochSec) / secPerUnit),
    },
    ...(depths ? [{ name: 'depth', type: 'float', dims: ['depth'], attrs: { standard_name: 'depth', units: 'm', positive: 'down' }, data: Float32Array.from(depths) }] : []),
    { name: 'lat', type: 'float', dims: ['lat'], attrs: { standard_name: 'latitude', units: 'degrees_north' }, data: Float32Array.from(lats) },
    { name: 'lon', type: 'float', dims: ['lon'], attrs: { standard_name: 'longitude', units: 'degrees_east' }, data: Float32Array.from(lons) },
    dataVar(opts.names[0], std[0], u),
    dataVar(opts.names[1], std[1], v),
  ];
  if (opts.land) {
    const mask = new Int8Array(lats.length * lons.length);
    let k = 0;
    for (const la of lats) for (const lo of lons) mask[k++] = isIsland(((((lo + 180) % 360) + 360) % 360) - 180, la) ? 1 : 0;
    vars.push({ name: 'land_binary_mask', type: 'byte', dims: ['lat', 'lon'], attrs: { standard_name: 'land_binary_mask', units: '1' }, data: mask });
  }
  const spec = { dims, numRecs: timesSec.length, attrs: { Conventions: 'CF-1.8', title: `driftline synthetic ${opts.kind}` }, vars };
  if (opts.format === 'nc3') writeNetcdf3(path, spec);
  else await writeNetcdf4(path, spec);
}

export const POLAR_PROJ = '+proj=stere +lat_0=90 +lat_ts=60 +lon_0=58 +datum=WGS84 +units=m +no_defs';
const POLAR_MAPPING = {
  grid_mapping_name: 'polar_stereographic',
  straight_vertical_longitude_from_pole: 58,
  latitude_of_projection_origin: 90,
  standard_parallel: 60,
  false_easting: 0,
  false_northing: 0,
  semi_major_axis: 6378137,
  inverse_flattening: 298.257223563,
};
/** AROME-like Lambert conformal conic (OPENDRIFT_LEEWAY.md §9): sphere of 6371 km, tangent at 63°N. */
export const LCC_PROJ = '+proj=lcc +lat_0=63 +lon_0=15 +lat_1=63 +lat_2=63 +R=6371000 +units=m +no_defs';
const LCC_MAPPING = {
  grid_mapping_name: 'lambert_conformal_conic',
  standard_parallel: { type: 'double', value: [63, 63] },
  longitude_of_central_meridian: 15,
  latitude_of_projection_origin: 63,
  earth_radius: 6371000,
};
/** Mercator on WGS84, true scale at the equator. */
export const MERCATOR_PROJ = '+proj=merc +lon_0=0 +lat_ts=0 +datum=WGS84 +units=m +no_defs';
const MERCATOR_MAPPING = { grid_mapping_name: 'mercator', longitude_of_projection_origin: 0, standard_parallel: 0, semi_major_axis: 6378137, inverse_flattening: 298.257223563 };

/**
 * A vector file on a projected grid, storing a field given in east/north as grid x/y components
 * (x_/y_ standard names), as models on projected grids do. The grid is nx × ny cells of dxKm around
 * (centerLon, centerLat); x/y are written in `xyUnits` (km or m). The rotation uses α, the WGS84
 * geodesic azimuth from (x, y) to (x, y + 10 m), computed with geographiclib (OpenDrift's definition,
 * independent of the reader's code): u = e cos α − n sin α, v = e sin α + n cos α.
 * opts: {format, proj, mapping, kind, centerLon, centerLat, nx, ny, dxKm, xyUnits, timesSec, field, mask}
 */
export async function writeProjectedFile(path, opts) {
  const { default: geodesic } = await import('geographiclib-geodesic');
  const wgs84 = geodesic.Geodesic.WGS84;
  const toXY = proj4('EPSG:4326', opts.proj);
  const [cx, cy] = toXY.forward([opts.centerLon, opts.centerLat]);
  const dxKm = opts.dxKm ?? 4;
  const nx = opts.nx ?? 60;
  const ny = opts.ny ?? 60;
  const unit = opts.xyUnits === 'm' ? 1 : 1000;
  const xs = axis(Math.round(cx / 1000) - (dxKm * (nx - 1)) / 2, dxKm, nx);
  const ys = axis(Math.round(cy / 1000) - (dxKm * (ny - 1)) / 2, dxKm, ny);
  const { timesSec } = opts;
  const n = timesSec.length * nx * ny;
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  const lon2 = new Float32Array(nx * ny);
  const lat2 = new Float32Array(nx * ny);
  const cosA = new Float64Array(nx * ny);
  const sinA = new Float64Array(nx * ny);
  let c = 0;
  for (const y of ys) for (const x of xs) {
    const [lo, la] = toXY.inverse([x * 1000, y * 1000]);
    const [lo2, la2] = toXY.inverse([x * 1000, y * 1000 + 10]);
    const alpha = (wgs84.Inverse(la, lo, la2, lo2).azi1 * Math.PI) / 180;
    lon2[c] = lo;
    lat2[c] = la;
    cosA[c] = Math.cos(alpha);
    sinA[c++] = Math.sin(alpha);
  }
  let o = 0;
  for (let k = 0; k < timesSec.length; k++) {
    for (let c2 = 0; c2 < nx * ny; c2++) {
      const [e, nn] = opts.field(lon2[c2], lat2[c2], timesSec[k]);
      // Inverse of u_e = u cos α + v sin α, v_n = −u sin α + v cos α.
      u[o] = e * cosA[c2] - nn * sinA[c2];
      v[o++] = e * sinA[c2] + nn * cosA[c2];
    }
  }
  const std = opts.kind === 'wind' ? ['x_wind', 'y_wind'] : ['x_sea_water_velocity', 'y_sea_water_velocity'];
  const names = opts.kind === 'wind' ? ['x_wind', 'y_wind'] : ['u', 'v'];
  const gm = opts.mapping.grid_mapping_name;
  const spec = {
    dims: [{ name: 'time', size: opts.format === 'nc3' ? null : timesSec.length }, { name: 'y', size: ny }, { name: 'x', size: nx }],
    numRecs: timesSec.length,
    attrs: { Conventions: 'CF-1.8', title: `driftline synthetic ${gm} ${opts.kind ?? 'current'}` },
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { standard_name: 'time', units: 'seconds since 1970-01-01 00:00:00' }, data: Float64Array.from(timesSec) },
      { name: 'y', type: 'double', dims: ['y'], attrs: { standard_name: 'projection_y_coordinate', units: opts.xyUnits ?? 'km' }, data: Float64Array.from(ys, (y) => (y * 1000) / unit) },
      { name: 'x', type: 'double', dims: ['x'], attrs: { standard_name: 'projection_x_coordinate', units: opts.xyUnits ?? 'km' }, data: Float64Array.from(xs, (x) => (x * 1000) / unit) },
      { name: gm, type: 'int', dims: [], attrs: opts.mapping, data: Int32Array.of(0) },
      { name: 'lat', type: 'float', dims: ['y', 'x'], attrs: { standard_name: 'latitude', units: 'degrees_north' }, data: lat2 },
      { name: 'lon', type: 'float', dims: ['y', 'x'], attrs: { standard_name: 'longitude', units: 'degrees_east' }, data: lon2 },
      { name: names[0], type: 'float', dims: ['time', 'y', 'x'], attrs: { standard_name: std[0], units: 'm s-1', grid_mapping: gm, coordinates: 'lon lat' }, data: u },
      { name: names[1], type: 'float', dims: ['time', 'y', 'x'], attrs: { standard_name: std[1], units: 'm s-1', grid_mapping: gm, coordinates: 'lon lat' }, data: v },
    ],
  };
  if (opts.mask) {
    spec.vars.push({
      name: 'land_binary_mask',
      type: 'byte',
      dims: ['y', 'x'],
      attrs: { standard_name: 'land_binary_mask', units: '1', grid_mapping: gm },
      data: Int8Array.from(lon2, (lo, i) => (opts.mask(lo, lat2[i]) ? 1 : 0)),
    });
  }
  if (opts.format === 'nc3') writeNetcdf3(path, spec);
  else await writeNetcdf4(path, spec);
}

/** A polar-stereographic current file (Arctic20-like: lat_ts 60, lon_0 58, WGS84), x/y in km. */
export async function writePolarFile(path, opts) {
  return writeProjectedFile(path, { ...opts, kind: 'current', proj: POLAR_PROJ, mapping: POLAR_MAPPING, xyUnits: 'km' });
}

/** The d2 case's file: arctic20Current on 40 × 40 cells of 20 km around 20°E 75°N, hourly for 48 h, NetCDF-3. */
export async function writeArctic20File(path) {
  const timesSec = Array.from({ length: 49 }, (_, i) => T0_SEC + i * 3600);
  return writePolarFile(path, { format: 'nc3', centerLon: 20, centerLat: 75, nx: 40, ny: 40, dxKm: 20, timesSec, field: arctic20Current });
}

/** An AROME-like Lambert conformal conic wind file, x/y in m. */
export async function writeLccFile(path, opts) {
  return writeProjectedFile(path, { ...opts, kind: 'wind', proj: LCC_PROJ, mapping: LCC_MAPPING, xyUnits: 'm' });
}

/** A Mercator current file, x/y in m. */
export async function writeMercatorFile(path, opts) {
  return writeProjectedFile(path, { ...opts, kind: 'current', proj: MERCATOR_PROJ, mapping: MERCATOR_MAPPING, xyUnits: 'm' });
}

/**
 * A lon/lat file whose u/v are the same constants everywhere and always (the "constant grid" of the
 * issue: it must give exactly the results of {constant: [u, v]}). float32 storage, m/s.
 */
export async function writeConstantFile(path, opts) {
  const { lons, lats, timesSec } = opts;
  const n = timesSec.length * lats.length * lons.length;
  const names = opts.kind === 'wind' ? ['x_wind', 'y_wind'] : ['x_sea_water_velocity', 'y_sea_water_velocity'];
  const spec = {
    dims: [{ name: 'time', size: opts.format === 'nc3' ? null : timesSec.length }, { name: 'lat', size: lats.length }, { name: 'lon', size: lons.length }],
    numRecs: timesSec.length,
    attrs: { Conventions: 'CF-1.8', title: `driftline synthetic constant ${opts.kind} [${opts.u}, ${opts.v}] m/s` },
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { standard_name: 'time', units: 'hours since 1970-01-01 00:00:00', calendar: 'proleptic_gregorian' }, data: Float64Array.from(timesSec, (t) => t / 3600) },
      { name: 'lat', type: 'float', dims: ['lat'], attrs: { standard_name: 'latitude', units: 'degrees_north' }, data: Float32Array.from(lats) },
      { name: 'lon', type: 'float', dims: ['lon'], attrs: { standard_name: 'longitude', units: 'degrees_east' }, data: Float32Array.from(lons) },
      { name: names[0], type: 'float', dims: ['time', 'lat', 'lon'], attrs: { standard_name: names[0], units: 'm s-1' }, data: new Float32Array(n).fill(opts.u) },
      { name: names[1], type: 'float', dims: ['time', 'lat', 'lon'], attrs: { standard_name: names[1], units: 'm s-1' }, data: new Float32Array(n).fill(opts.v) },
    ],
  };
  if (opts.format === 'nc3') writeNetcdf3(path, spec);
  else await writeNetcdf4(path, spec);
}

/**
 * An ensemble lon/lat file (MEPS / ECMWF ENS layout): u/v with dims (time, ensemble_member, lat, lon) and
 * a 1-D coordinate `ensemble_member` with standard_name `realization`, which is how OpenDrift's
 * reader_netCDF_CF_generic finds the member dimension. Member m is the analytic field (windField or
 * currentField) turned by (m − (M − 1)/2)·25° and scaled by 1 + 0.1·m, so every member differs in
 * direction and speed. float32 m/s, x_/y_ standard names, hourly from 2024-01-01T00Z.
 * opts: {kind: 'wind'|'current', members, lons, lats, timesSec, format: 'nc3'|'nc4'}
 */
export function ensembleMemberField(kind, m, members) {
  const base = kind === 'wind' ? windField : currentField;
  const a = ((m - (members - 1) / 2) * 25 * Math.PI) / 180;
  const k = 1 + 0.1 * m;
  return (lo, la, t) => {
    const [u, v] = base(lo, la, t);
    return [k * (u * Math.cos(a) + v * Math.sin(a)), k * (-u * Math.sin(a) + v * Math.cos(a))];
  };
}

export async function writeEnsembleFile(path, opts) {
  const { lons, lats, timesSec, members } = opts;
  const names = opts.kind === 'wind' ? ['x_wind', 'y_wind'] : ['x_sea_water_velocity', 'y_sea_water_velocity'];
  const n = timesSec.length * members * lats.length * lons.length;
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  const fields = Array.from({ length: members }, (_, m) => ensembleMemberField(opts.kind, m, members));
  let o = 0;
  for (const t of timesSec) for (let m = 0; m < members; m++) for (const la of lats) for (const lo of lons) {
    const [a, b] = fields[m](lo, la, t);
    u[o] = a;
    v[o++] = b;
  }
  const dataDims = ['time', 'ensemble_member', 'lat', 'lon'];
  const spec = {
    dims: [
      { name: 'time', size: opts.format === 'nc3' ? null : timesSec.length },
      { name: 'ensemble_member', size: members },
      { name: 'lat', size: lats.length },
      { name: 'lon', size: lons.length },
    ],
    numRecs: timesSec.length,
    attrs: { Conventions: 'CF-1.8', title: `driftline synthetic ${opts.kind} ensemble, ${members} members` },
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { standard_name: 'time', units: 'hours since 2024-01-01 00:00:00', calendar: 'gregorian' }, data: Float64Array.from(timesSec, (t) => (t - T0_SEC) / 3600) },
      { name: 'ensemble_member', type: 'int', dims: ['ensemble_member'], attrs: { standard_name: 'realization', long_name: 'ensemble member' }, data: Int32Array.from({ length: members }, (_, m) => m) },
      { name: 'lat', type: 'float', dims: ['lat'], attrs: { standard_name: 'latitude', units: 'degrees_north' }, data: Float32Array.from(lats) },
      { name: 'lon', type: 'float', dims: ['lon'], attrs: { standard_name: 'longitude', units: 'degrees_east' }, data: Float32Array.from(lons) },
      { name: names[0], type: 'float', dims: dataDims, attrs: { standard_name: names[0], units: 'm s-1' }, data: u },
      { name: names[1], type: 'float', dims: dataDims, attrs: { standard_name: names[1], units: 'm s-1' }, data: v },
    ],
  };
  if (opts.format === 'nc3') writeNetcdf3(path, spec);
  else await writeNetcdf4(path, spec);
}

/**
 * A static land mask (no time axis): land_binary_mask (lat, lon) as bytes, 1 where isIsland() holds, on
 * the given lon/lat axes. Readers (driftline's and OpenDrift's) take it as the land of a mission.
 */
export function writeLandMaskFile(path, opts) {
  const { lons, lats } = opts;
  const mask = new Int8Array(lats.length * lons.length);
  let k = 0;
  for (const la of lats) for (const lo of lons) mask[k++] = isIsland(lo, la) ? 1 : 0;
  writeNetcdf3(path, {
    dims: [{ name: 'lat', size: lats.length }, { name: 'lon', size: lons.length }],
    attrs: { Conventions: 'CF-1.8', title: 'driftline synthetic land mask (one island, 5.3..5.6°E 59.3..59.5°N)' },
    vars: [
      { name: 'lat', type: 'float', dims: ['lat'], attrs: { standard_name: 'latitude', units: 'degrees_north' }, data: Float32Array.from(lats) },
      { name: 'lon', type: 'float', dims: ['lon'], attrs: { standard_name: 'longitude', units: 'degrees_east' }, data: Float32Array.from(lons) },
      { name: 'land_binary_mask', type: 'byte', dims: ['lat', 'lon'], attrs: { standard_name: 'land_binary_mask', units: '1' }, data: mask },
    ],
  });
}
