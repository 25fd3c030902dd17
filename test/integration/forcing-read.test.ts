import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axis, currentField, isIsland, LCC_PROJ, MERCATOR_PROJ, POLAR_PROJ, T0_SEC, windField, writeLonLatFile, writeNetcdf4, writePolarFile } from '../../scripts/make-forcing.lib.mjs';
import { decodeTimes, fillNaNsLikeOpenDrift, parseTimeUnits, speedFactorToMps, unpackInPlace } from '../../src/forcing/cf.js';
import { openNetcdf } from '../../src/netcdf/open.js';
import { cfToProj4, gridYAzimuthFromForwardRad, gridYAzimuthRad, makeProjection } from '../../src/forcing/projection.js';
import { readLandMask, readVectorField, type ForcingWindow } from '../../src/forcing/read.js';
import { createLandSampler } from '../../src/land/sampler.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import type { GridField } from '../../src/forcing/types.js';
import { at } from '../helpers/indexed.js';

const H = 3600;
let dir: string;

/** A window holding the whole test area and day. */
const WIDE: ForcingWindow = { lonCenterDeg: 6, lonHalfWidthDeg: 30, southDeg: 50, northDeg: 75, startSec: T0_SEC, endSec: T0_SEC + 24 * H };

async function read(name: string, kind: 'wind' | 'current', window: ForcingWindow = WIDE, override?: { u: string; v: string }) {
  const file = await openNetcdf(path.join(dir, name), name);
  try {
    return await readVectorField([{ file, label: name }], kind, window, override);
  } finally {
    await file.close();
  }
}

function sample(field: GridField, pts: Array<[number, number]>, tSec: number) {
  const s = createVectorSampler(field);
  const lon = Float64Array.from(pts.map((p) => p[0]));
  const lat = Float64Array.from(pts.map((p) => p[1]));
  const u = new Float32Array(pts.length);
  const v = new Float32Array(pts.length);
  s.sample(lon, lat, 0, pts.length, tSec, u, v);
  return { u, v };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-read-'));
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-forcing failed: ${r.stderr}`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('make-forcing output', () => {
  it('every file is accepted by ncdump (the netCDF-C library) in the format its name says', () => {
    const names = readdirSync(dir).filter((n) => /\.nc4?$/.test(n));
    expect(names.sort()).toEqual(
      [
        'current_lonlat.nc4', 'current_mercator.nc4', 'current_packed_desc.nc', 'current_polar_east.nc4', 'current_polar_eddy.nc', 'wind_0360.nc4', 'wind_lcc.nc', 'wind_lonlat.nc',
        // issue 10: ensemble files (3 and 4 members) and a static land mask
        'wind_ensemble.nc', 'current_ensemble.nc', 'current_ensemble4.nc', 'land_island.nc',
        // issue 10: the d2 case's Arctic20 polar-stereographic current
        'current_arctic20.nc',
      ].sort(),
    );
    for (const name of names) {
      const r = spawnSync('ncdump', ['-h', path.join(dir, name)], { encoding: 'utf8' });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/variables:/);
      // NetCDF-4 files are real HDF5 (netCDF-C reports "netCDF-4"), the others classic NetCDF-3.
      const kind = spawnSync('ncdump', ['-k', path.join(dir, name)], { encoding: 'utf8' }).stdout.trim();
      expect(kind, name).toBe(name.endsWith('.nc4') ? 'netCDF-4' : 'classic');
      expect(readFileSync(path.join(dir, name)).subarray(0, 4).toString('latin1')).toBe(name.endsWith('.nc4') ? '\x89HDF' : 'CDF\x01');
    }
  });

  it('scripts/make-forcing --help documents every mode and exits 0; bad options exit 2', () => {
    const help = spawnSync(process.execPath, ['scripts/make-forcing', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const mode of ['--out DIR', '--bench FILE', '--constant FILE', 'wind_lcc.nc', 'current_mercator.nc4']) expect(help.stdout).toContain(mode);
    expect(spawnSync(process.execPath, ['scripts/make-forcing', '--nonsense'], { encoding: 'utf8' }).status).toBe(2);
    expect(spawnSync(process.execPath, ['scripts/make-forcing', '--constant', path.join(dir, 'x.nc'), '--kind', 'tide'], { encoding: 'utf8' }).stderr).toMatch(/--kind is wind or current/);
  });
});

describe('NetCDF readers', () => {
  it('NetCDF-3 lon/lat wind (record dimension, standard names): grid nodes at record times match the analytic field', async () => {
    const r = await read('wind_lonlat.nc', 'wind');
    expect(r.variables).toEqual({ u: 'x_wind', v: 'y_wind' });
    expect(r.firstTimeSec).toBe(T0_SEC);
    expect(r.lastTimeSec).toBe(T0_SEC + 24 * H);
    const pts: Array<[number, number]> = [[4, 58], [5.3, 59.7], [8, 62], [6.1, 60.4]];
    for (const t of [T0_SEC, T0_SEC + 5 * H, T0_SEC + 24 * H]) {
      const got = sample(r.field, pts, t);
      pts.forEach(([lo, la], i) => {
        const [eu, ev] = windField(lo, la, t);
        // float32 storage (~1e-6 relative of 8 m/s) and float32 axes (~1e-6° position): 1e-4 m/s.
        expect(Math.abs(at(got.u, i) - eu)).toBeLessThan(1e-4);
        expect(Math.abs(at(got.v, i) - ev)).toBeLessThan(1e-4);
      });
    }
  });

  it('interpolates linearly between records (mid-hour = mean of the two hours)', async () => {
    const r = await read('wind_lonlat.nc', 'wind');
    const p: Array<[number, number]> = [[6.05, 60.05]];
    const t = T0_SEC + 7.5 * H;
    const got = sample(r.field, p, t);
    const a = windField(6.05, 60.05, T0_SEC + 7 * H);
    const b = windField(6.05, 60.05, T0_SEC + 8 * H);
    // Spatial bilinear error of the ±0.5 m/s ripple over 0.05°: < 1e-4 m/s.
    expect(Math.abs(at(got.u, 0) - (a[0] + b[0]) / 2)).toBeLessThan(2e-4);
    expect(Math.abs(at(got.v, 0) - (a[1] + b[1]) / 2)).toBeLessThan(2e-4);
  });

  it('NetCDF-3 packed int16, descending lat, cm/s, depth levels: surface layer unpacked to m/s', async () => {
    const r = await read('current_packed_desc.nc', 'current');
    expect(r.variables).toEqual({ u: 'uo', v: 'vo' });
    const pts: Array<[number, number]> = [[6, 60.2], [6.3, 59.9], [4.5, 61.5], [7.7, 58.3]];
    const t = T0_SEC + 6 * H;
    const got = sample(r.field, pts, t);
    pts.forEach(([lo, la], i) => {
      const [eu, ev] = currentField(lo, la, t);
      // Packing step 0.1 cm/s -> ±0.0005 m/s; the deeper level would be half the value.
      expect(Math.abs(at(got.u, i) - eu)).toBeLessThan(6e-4);
      expect(Math.abs(at(got.v, i) - ev)).toBeLessThan(6e-4);
    });
  });

  it('fills _FillValue (land) cells from their neighbours as OpenDrift does, so no NaN remains near the island', async () => {
    const r = await read('current_packed_desc.nc', 'current');
    const pts: Array<[number, number]> = [[5.3, 59.3], [5.45, 59.4], [5.6, 59.5]];
    for (const [lo, la] of pts) expect(isIsland(lo, la)).toBe(true);
    const got = sample(r.field, pts, T0_SEC);
    for (let i = 0; i < pts.length; i++) {
      expect(Number.isFinite(at(got.u, i))).toBe(true);
      expect(Number.isFinite(at(got.v, i))).toBe(true);
      // Filled with neighbouring sea values: the eddy's background drift is 0.1 m/s east, ±0.2 m/s near 5.4°E.
      expect(Math.abs(at(got.u, i))).toBeLessThan(0.6);
    }
  });

  it('NetCDF-4, 0..360 longitudes, knots, common names u10/v10, "days since": sampled at -180..180 positions', async () => {
    const west: ForcingWindow = { ...WIDE, lonCenterDeg: -3 };
    const r = await read('wind_0360.nc4', 'wind', west);
    expect(r.variables).toEqual({ u: 'u10', v: 'v10' });
    expect(r.firstTimeSec).toBe(T0_SEC);
    const pts: Array<[number, number]> = [[-5, 58], [-3, 60], [-1.2, 61.3]];
    const t = T0_SEC + 12 * H;
    const got = sample(r.field, pts, t);
    pts.forEach(([lo, la], i) => {
      const [eu, ev] = windField(lo, la, t);
      // knots -> m/s (exact factor 1852/3600) after float32 storage: 1e-4 m/s.
      expect(Math.abs(at(got.u, i) - eu)).toBeLessThan(1e-4);
      expect(Math.abs(at(got.v, i) - ev)).toBeLessThan(1e-4);
    });
    // East of 1°W (= 359°E) the file has nothing.
    expect(Number.isNaN(at(sample(r.field, [[-0.5, 60]], t).u, 0))).toBe(true);
  });

  it('NetCDF-4 lon/lat current in km/h', async () => {
    const r = await read('current_lonlat.nc4', 'current');
    const got = sample(r.field, [[6.2, 60.1]], T0_SEC + 3 * H);
    const [eu, ev] = currentField(6.2, 60.1, T0_SEC + 3 * H);
    expect(Math.abs(at(got.u, 0) - eu)).toBeLessThan(1e-4);
    expect(Math.abs(at(got.v, 0) - ev)).toBeLessThan(1e-4);
  });

  it('polar stereographic: a purely eastward 0.5 m/s current stored in grid x/y comes out east/north', async () => {
    const r = await read('current_polar_east.nc4', 'current', { ...WIDE, lonCenterDeg: 20, southDeg: 68, northDeg: 72, lonHalfWidthDeg: 4 });
    expect(r.projected).toBe(true);
    const pts: Array<[number, number]> = [[20, 70], [19.2, 69.4], [21, 70.6], [18.5, 70.2]];
    const got = sample(r.field, pts, T0_SEC + H);
    for (let i = 0; i < pts.length; i++) {
      // Grid y points 20°-58° = -38° from north here: an unrotated field would be off by ~0.3 m/s.
      // The file was rotated with geographiclib's WGS84 azimuth (OpenDrift's α); the reader's α agrees to
      // ~1e-6 rad, and bilinear interpolation of the slowly turning grid components (0.1° per cell) errs by
      // ~1e-7 m/s: 0.1 mm/s bounds both and float32.
      expect(Math.abs(at(got.u, i) - 0.5)).toBeLessThan(1e-4);
      expect(Math.abs(at(got.v, i))).toBeLessThan(1e-4);
    }
  });

  /**
   * OpenDrift's path for one point of a projected file: proj4 forward to x/y, bilinear in the grid's index
   * space (map_coordinates order 1), rotation by α from the 10 m probe (§9). Record k only.
   */
  async function openDriftStylePerPoint(name: string, projDef: string, k: number, pts: Array<[number, number]>, metresPerUnit = 1000, names: [string, string] = ['u', 'v']) {
    const file = await openNetcdf(path.join(dir, name));
    const xs = await file.read('x');
    const ys = await file.read('y');
    const nx = xs.length;
    const u = await file.read(names[0], [k, 0, 0], [1, ys.length, nx]);
    const v = await file.read(names[1], [k, 0, 0], [1, ys.length, nx]);
    await file.close();
    const proj = makeProjection(projDef);
    return pts.map(([lo, la]) => {
      const [x, y] = proj.forward(lo, la);
      const fx = (x / metresPerUnit - at(xs, 0)) / (at(xs, 1) - at(xs, 0));
      const fy = (y / metresPerUnit - at(ys, 0)) / (at(ys, 1) - at(ys, 0));
      const ix = Math.floor(fx), iy = Math.floor(fy), wx = fx - ix, wy = fy - iy;
      const bil = (a: Float64Array) =>
        (1 - wy) * ((1 - wx) * at(a, iy * nx + ix) + wx * at(a, iy * nx + ix + 1)) + wy * ((1 - wx) * at(a, (iy + 1) * nx + ix) + wx * at(a, (iy + 1) * nx + ix + 1));
      const alpha = gridYAzimuthRad(proj, x, y);
      const gu = bil(u), gv = bil(v);
      return [gu * Math.cos(alpha) + gv * Math.sin(alpha), -gu * Math.sin(alpha) + gv * Math.cos(alpha)] as [number, number];
    });
  }

  function scatter(n: number, lon0: number, dLon: number, lat0: number, dLat: number): Array<[number, number]> {
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) pts.push([lon0 + dLon * ((i * 0.618034) % 1), lat0 + dLat * ((i * 0.754878) % 1)]);
    return pts;
  }

  it('polar stereographic eddy (NetCDF-3, km axes): sampled in grid-index space like OpenDrift, per particle', async () => {
    const window: ForcingWindow = { ...WIDE, lonCenterDeg: 6, southDeg: 59.5, northDeg: 60.5, lonHalfWidthDeg: 1 };
    const r = await read('current_polar_eddy.nc', 'current', window);
    expect(r.field.grid.layout).toBe('projected');
    // The lattice that replaces per-particle projections is within its tolerances (lookup.ts).
    expect(r.lattice!.indexErrorCells).toBeLessThanOrEqual(1e-3);
    expect(r.lattice!.alphaErrorRad).toBeLessThanOrEqual(1e-4);
    const k = 6;
    const t = T0_SEC + k * H;
    const pts = scatter(400, 5.4, 1.2, 59.6, 0.8);
    const ref = await openDriftStylePerPoint('current_polar_eddy.nc', POLAR_PROJ, k, pts);
    const got = sample(r.field, pts, t);
    let maxDiff = 0;
    let maxTruthErr = 0;
    pts.forEach(([lo, la], i) => {
      maxDiff = Math.max(maxDiff, Math.hypot(at(got.u, i) - at(ref, i)[0], at(got.v, i) - at(ref, i)[1]));
      const [tu, tv] = currentField(lo, la, t);
      maxTruthErr = Math.max(maxTruthErr, Math.hypot(at(got.u, i) - tu, at(got.v, i) - tv));
    });
    // Same interpolation as OpenDrift up to the lattice (1e-3 cell = 2 m here on a gradient of at most
    // 0.5 m/s per 0.4° -> < 0.03 mm/s) and float32 output (0.03 mm/s at 0.6 m/s): 0.1 mm/s.
    expect(maxDiff).toBeLessThan(1e-4);
    // Bilinear interpolation of the analytic eddy on a 2 km grid: under 1 mm/s.
    expect(maxTruthErr).toBeLessThan(1e-3);
    console.log(
      `polar eddy: max |sampler - OpenDrift-style per point| = ${(maxDiff * 1000).toFixed(4)} mm/s, max |sampler - analytic| = ${(maxTruthErr * 1000).toFixed(3)} mm/s, ` +
        `lattice ${r.lattice!.nodes} nodes, index error ${r.lattice!.indexErrorCells.toExponential(1)} cells, α error ${r.lattice!.alphaErrorRad.toExponential(1)} rad`,
    );
  });

  it('a feature two cells wide on a polar-stereographic grid is interpolated as OpenDrift does, not smoothed', async () => {
    // 0.5 m/s ripples with a 4 km wavelength (two 2 km cells) in both directions: the worst case for any
    // scheme that interpolates twice (e.g. resampling to lon/lat first).
    const ripple = (lo: number, la: number): [number, number] => [0.5 * Math.sin((2 * Math.PI * lo * 27.8) / 1.0), 0.5 * Math.cos((2 * Math.PI * la * 55.6) / 2.0)];
    await writePolarFile(path.join(dir, 'current_polar_ripple.nc4'), { format: 'nc4', centerLon: 6, centerLat: 60, nx: 50, ny: 50, dxKm: 2, timesSec: [T0_SEC, T0_SEC + H], field: ripple });
    const r = await read('current_polar_ripple.nc4', 'current', { ...WIDE, lonCenterDeg: 6, southDeg: 59.8, northDeg: 60.2, lonHalfWidthDeg: 0.4 });
    const pts = scatter(400, 5.7, 0.6, 59.8, 0.4);
    const ref = await openDriftStylePerPoint('current_polar_ripple.nc4', POLAR_PROJ, 0, pts);
    const got = sample(r.field, pts, T0_SEC);
    let maxDiff = 0;
    pts.forEach((_, i) => (maxDiff = Math.max(maxDiff, Math.hypot(at(got.u, i) - at(ref, i)[0], at(got.v, i) - at(ref, i)[1]))));
    // Lattice error 1e-3 cell × a gradient of up to 0.5 m/s per half cell: < 1 mm/s; float32 0.03 mm/s.
    expect(maxDiff).toBeLessThan(1e-3);
    console.log(`polar ripple (2-cell wavelength): max |sampler - OpenDrift-style per point| = ${(maxDiff * 1000).toFixed(4)} mm/s`);
  });

  it('Lambert conformal conic (AROME-like, NetCDF-3, x/y in m): grid x/y wind rotated to east/north as OpenDrift does', async () => {
    const r = await read('wind_lcc.nc', 'wind', { ...WIDE, lonCenterDeg: 6, southDeg: 59.2, northDeg: 60.8, lonHalfWidthDeg: 1.5 });
    expect(r.projected).toBe(true);
    expect(r.field.grid.layout === 'projected' && r.field.grid.proj4).toContain('+proj=lcc');
    const k = 9;
    const t = T0_SEC + k * H;
    const pts = scatter(300, 5, 2, 59.5, 1);
    const ref = await openDriftStylePerPoint('wind_lcc.nc', LCC_PROJ, k, pts, 1, ['x_wind', 'y_wind']);
    const got = sample(r.field, pts, t);
    let maxDiff = 0;
    let maxTruth = 0;
    pts.forEach(([lo, la], i) => {
      maxDiff = Math.max(maxDiff, Math.hypot(at(got.u, i) - at(ref, i)[0], at(got.v, i) - at(ref, i)[1]));
      const [eu, ev] = windField(lo, la, t);
      maxTruth = Math.max(maxTruth, Math.hypot(at(got.u, i) - eu, at(got.v, i) - ev));
    });
    // Lattice (≤ 1e-3 cell of a field varying by < 0.05 m/s per cell) and float32 (1e-6 of 8 m/s): 0.1 mm/s.
    expect(maxDiff).toBeLessThan(1e-4);
    // Bilinear error of the ±0.5 m/s ripple over 2.5 km cells: < 1 mm/s.
    expect(maxTruth).toBeLessThan(1e-3);
    // Grid north is (15° - lon)·sin 63° ≈ 8° west of true north at 6°E, so the stored components are
    // 2·8 m/s·sin 4° ≈ 1.1 m/s from east/north: a reader that forgot to rotate would fail above.
    const raw = await openNetcdf(path.join(dir, 'wind_lcc.nc'));
    const xw = await raw.read('x_wind', [k, 50, 50], [1, 1, 1]);
    const yw = await raw.read('y_wind', [k, 50, 50], [1, 1, 1]);
    const lon = await raw.read('lon', [50, 50], [1, 1]);
    const lat = await raw.read('lat', [50, 50], [1, 1]);
    await raw.close();
    const [eu, ev] = windField(at(lon, 0), at(lat, 0), t);
    expect(Math.hypot(at(xw, 0) - eu, at(yw, 0) - ev)).toBeGreaterThan(1);
  });

  it('Mercator (NetCDF-4, x/y in m): grid x/y are east/north, the eddy comes out as written', async () => {
    const r = await read('current_mercator.nc4', 'current', { ...WIDE, lonCenterDeg: 6, southDeg: 59.5, northDeg: 60.5, lonHalfWidthDeg: 0.8 });
    expect(r.projected).toBe(true);
    const t = T0_SEC + 13 * H;
    const pts = scatter(300, 5.5, 1, 59.6, 0.8);
    const got = sample(r.field, pts, t);
    const ref = await openDriftStylePerPoint('current_mercator.nc4', MERCATOR_PROJ, 13, pts, 1);
    let maxDiff = 0;
    let maxTruth = 0;
    pts.forEach(([lo, la], i) => {
      maxDiff = Math.max(maxDiff, Math.hypot(at(got.u, i) - at(ref, i)[0], at(got.v, i) - at(ref, i)[1]));
      const [eu, ev] = currentField(lo, la, t);
      maxTruth = Math.max(maxTruth, Math.hypot(at(got.u, i) - eu, at(got.v, i) - ev));
    });
    expect(maxDiff).toBeLessThan(1e-4); // lattice + float32, as above
    expect(maxTruth).toBeLessThan(1e-3); // bilinear over 2 km cells (1 km of latitude at 60°N)
  });

  it('rotated_latitude_longitude (NetCDF-4): a northward 10 m/s wind stored as grid x/y components comes out north', async () => {
    const gm = { grid_mapping_name: 'rotated_latitude_longitude', grid_north_pole_latitude: 30, grid_north_pole_longitude: -170 };
    const proj = makeProjection(cfToProj4(gm)!);
    const r = axis(-2, 0.05, 81);
    const u = new Float32Array(2 * 81 * 81);
    const v = new Float32Array(2 * 81 * 81);
    let o = 0;
    for (let k = 0; k < 2; k++) for (const y of r) for (const x of r) {
      // Direction of grid +y from a finite difference through proj4 directly (independent of the reader).
      const [lo1, la1] = proj.inverse(x, y);
      const [lo2, la2] = proj.inverse(x, y + 1e-3);
      const a = Math.atan2((lo2 - lo1) * Math.cos((la1 * Math.PI) / 180), la2 - la1);
      // True wind (east 0, north 10) -> grid components.
      u[o] = -10 * Math.sin(a);
      v[o++] = 10 * Math.cos(a);
    }
    const file = path.join(dir, 'wind_rotated.nc4');
    await writeNetcdf4(file, {
      dims: [{ name: 'time', size: 2 }, { name: 'rlat', size: 81 }, { name: 'rlon', size: 81 }],
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01', standard_name: 'time' }, data: [0, 24] },
        { name: 'rlat', type: 'double', dims: ['rlat'], attrs: { standard_name: 'grid_latitude', units: 'degrees' }, data: r },
        { name: 'rlon', type: 'double', dims: ['rlon'], attrs: { standard_name: 'grid_longitude', units: 'degrees' }, data: r },
        { name: 'rotated_pole', type: 'int', dims: [], attrs: gm, data: [0] },
        { name: 'x_wind', type: 'float', dims: ['time', 'rlat', 'rlon'], attrs: { standard_name: 'x_wind', units: 'm/s', grid_mapping: 'rotated_pole' }, data: u },
        { name: 'y_wind', type: 'float', dims: ['time', 'rlat', 'rlon'], attrs: { standard_name: 'y_wind', units: 'm/s', grid_mapping: 'rotated_pole' }, data: v },
      ],
    });
    expect(spawnSync('ncdump', ['-h', file]).status).toBe(0);
    const res = await read('wind_rotated.nc4', 'wind', { ...WIDE, lonCenterDeg: 10, lonHalfWidthDeg: 2, southDeg: 59, northDeg: 61 });
    expect(res.projected).toBe(true);
    const pts: Array<[number, number]> = [[10, 60], [8.5, 59.3], [11.8, 60.7]];
    const got = sample(res.field, pts, T0_SEC + 6 * H);
    for (let i = 0; i < pts.length; i++) {
      // Grid north is up to ~1.7° off true north here (0.3 m/s of 10). This file's α is a spherical finite
      // difference, which differs from OpenDrift's WGS84 azimuth by up to e²/2·sin 2α ≈ 2e-4 rad here
      // (2 mm/s of 10 m/s): 1 cm/s.
      expect(Math.abs(at(got.u, i))).toBeLessThan(0.01);
      expect(Math.abs(at(got.v, i) - 10)).toBeLessThan(0.01);
    }
  });

  it('grid-y azimuth from forward projections equals the 10 m probe of OpenDrift (within 1e-5 rad)', () => {
    for (const def of [POLAR_PROJ, '+proj=lcc +lat_0=63 +lat_1=63 +lat_2=63 +lon_0=15 +R=6371000 +units=m', '+proj=ob_tran +o_proj=longlat +o_lat_p=30 +o_lon_p=0 +lon_0=10 +R=6371229']) {
      const proj = makeProjection(def);
      for (const [lo, la] of [[10, 60], [-20, 75], [40, 55], [14.5, 63.2]] as Array<[number, number]>) {
        const [x, y] = proj.forward(lo, la);
        const probe = gridYAzimuthRad(proj, x, y);
        const fwd = gridYAzimuthFromForwardRad(proj, lo, la, x, y);
        // Both are finite differences (10 m vs 1e-5°); 1e-5 rad turns a 20 m/s wind by 0.2 mm/s.
        expect(Math.abs(probe - fwd)).toBeLessThan(1e-5);
      }
    }
  });

  it('a land_binary_mask on a polar-stereographic grid becomes a lon/lat LandRaster (nearest cell)', async () => {
    const file = path.join(dir, 'polar_mask.nc4');
    // Land north of 70.3°N and west of 19.5°E (4 km cells: edges are exact to ±2 km = ±0.02° of latitude).
    const mask = (lo: number, la: number) => la > 70.3 && lo < 19.5;
    await writePolarFile(file, { format: 'nc4', centerLon: 20, centerLat: 70, timesSec: [T0_SEC], field: () => [0, 0], mask });
    const nc = await openNetcdf(file, 'polar_mask.nc4');
    const raster = await readLandMask({ file: nc, label: 'polar_mask.nc4' }, { ...WIDE, lonCenterDeg: 20, lonHalfWidthDeg: 3, southDeg: 69, northDeg: 71 });
    await nc.close();
    const land = createLandSampler(raster);
    expect(land.isLand(19, 70.6)).toBe(true);
    expect(land.isLand(18.2, 70.9)).toBe(true);
    expect(land.isLand(20.5, 70.6)).toBe(false);
    expect(land.isLand(19, 70)).toBe(false);
    expect(land.isLand(19, 69.5)).toBe(false);
  });

  it('CF grid mappings become proj4 definitions that place points where they belong', () => {
    const rot = makeProjection(cfToProj4({ grid_mapping_name: 'rotated_latitude_longitude', grid_north_pole_latitude: 30, grid_north_pole_longitude: -170 })!);
    const [lon, lat] = rot.inverse(0, 0); // the rotated origin lies 90° - 30° from the pole, on its meridian
    expect(lon).toBeCloseTo(10, 9);
    expect(lat).toBeCloseTo(60, 9);
    // AROME-like LCC (OPENDRIFT_LEEWAY.md §9): the projection origin maps to (0, 0).
    const lcc = cfToProj4({ grid_mapping_name: 'lambert_conformal_conic', standard_parallel: [63, 63], longitude_of_central_meridian: 15, latitude_of_projection_origin: 63, earth_radius: 6371000 })!;
    expect(lcc).toBe('+proj=lcc +lat_0=63 +lat_1=63 +lat_2=63 +lon_0=15 +x_0=0 +y_0=0 +R=6371000 +units=m +no_defs');
    const [x0, y0] = makeProjection(lcc).forward(15, 63);
    expect(Math.hypot(x0, y0)).toBeLessThan(1e-6);
    // Mercator on WGS84: y(60°N) = 8 362 698.5 m (standard value), x(1°E) = a·π/180 = 111 319.49 m.
    const merc = makeProjection(cfToProj4({ grid_mapping_name: 'mercator', longitude_of_projection_origin: 0, standard_parallel: 0 })!);
    expect(merc.forward(0, 60)[1]).toBeCloseTo(8362698.5, 0);
    expect(merc.forward(1, 0)[0]).toBeCloseTo(111319.49, 1);
    // Arctic20 (§9): polar stereographic, WGS84 when the mapping names semi-major axis and flattening.
    expect(cfToProj4({ grid_mapping_name: 'polar_stereographic', straight_vertical_longitude_from_pole: 58, latitude_of_projection_origin: 90, standard_parallel: 60, semi_major_axis: 6378137, inverse_flattening: 298.257223563 })).toBe(
      '+proj=stere +lat_0=90 +lat_ts=60 +lon_0=58 +x_0=0 +y_0=0 +a=6378137 +rf=298.257223563 +units=m +no_defs',
    );
    expect(cfToProj4({ grid_mapping_name: 'unknown_thing' })).toBeNull();
    expect(cfToProj4({ grid_mapping_name: 'unknown_thing', proj4: '+proj=longlat' })).toBe('+proj=longlat');
  });

  it('files written by netCDF-C (nccopy: 64-bit offset, NetCDF-4 deflated/chunked) read identically', async () => {
    const src = path.join(dir, 'current_packed_desc.nc');
    for (const [kind, name] of [['64-bit-offset', 'cdf2.nc'], ['nc4', 'deflate.nc4']] as const) {
      const args = kind === 'nc4' ? ['-k', 'nc4', '-d', '4', src, path.join(dir, name)] : ['-k', kind, src, path.join(dir, name)];
      const r = spawnSync('nccopy', args, { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const ref = await read('current_packed_desc.nc', 'current');
    for (const name of ['cdf2.nc', 'deflate.nc4']) {
      const got = await read(name, 'current');
      // Same bytes in, same float32 grid out.
      expect(Buffer.from(got.field.grid.uMps.buffer).equals(Buffer.from(ref.field.grid.uMps.buffer))).toBe(true);
      expect(Buffer.from(got.field.grid.vMps.buffer).equals(Buffer.from(ref.field.grid.vMps.buffer))).toBe(true);
      expect(Array.from(got.field.grid.timesSec)).toEqual(Array.from(ref.field.grid.timesSec));
    }
  });

  it('every layout reads identically from NetCDF-3 and NetCDF-4 (h5wasm) files', async () => {
    const H24 = Array.from({ length: 25 }, (_, i) => T0_SEC + i * H);
    const layouts: Array<[string, 'wind' | 'current', Omit<Parameters<typeof writeLonLatFile>[1], 'format'>, ForcingWindow]> = [
      ['packed int16, descending latitude, depth levels, fill cells, cm/s', 'current', { kind: 'current', lons: axis(4, 0.1, 41), lats: axis(62, -0.1, 41), timesSec: H24, names: ['uo', 'vo'], standardNames: ['eastward_sea_water_velocity', 'northward_sea_water_velocity'], units: 'cm/s', packed: { scale: 0.1, offset: 5 }, fill: true, depths: [0, 10] }, WIDE],
      ['0..360 longitudes, knots, names only', 'wind', { kind: 'wind', lons: axis(355, 0.1, 41), lats: axis(58, 0.1, 41), timesSec: H24, names: ['u10', 'v10'], units: 'knots' }, { ...WIDE, lonCenterDeg: -3 }],
      ['ascending, km/h, x_/y_ standard names', 'current', { kind: 'current', lons: axis(4, 0.1, 41), lats: axis(58, 0.1, 41), timesSec: H24, names: ['u', 'v'], standardNames: ['x_sea_water_velocity', 'y_sea_water_velocity'], units: 'km/h' }, WIDE],
    ];
    for (const [what, kind, opts, window] of layouts) {
      const grids = [];
      for (const format of ['nc3', 'nc4'] as const) {
        const name = `parity_${layouts.findIndex((l) => l[0] === what)}.${format}`;
        await writeLonLatFile(path.join(dir, name), { ...opts, format });
        grids.push((await read(name, kind, window)).field.grid);
      }
      const [a, b] = grids as [GridField['grid'], GridField['grid']];
      expect(Buffer.from(a.uMps.buffer).equals(Buffer.from(b.uMps.buffer)), what).toBe(true);
      expect(Buffer.from(a.vMps.buffer).equals(Buffer.from(b.vMps.buffer)), what).toBe(true);
      expect(Array.from(a.timesSec), what).toEqual(Array.from(b.timesSec));
    }
    // Projected (polar stereographic, km axes) too.
    const polar = [];
    for (const format of ['nc3', 'nc4'] as const) {
      await writePolarFile(path.join(dir, `parity_polar.${format}`), { format, centerLon: 6, centerLat: 60, nx: 30, ny: 30, dxKm: 4, timesSec: H24.slice(0, 4), field: currentField });
      polar.push((await read(`parity_polar.${format}`, 'current', { ...WIDE, lonCenterDeg: 6, lonHalfWidthDeg: 0.5, southDeg: 59.7, northDeg: 60.3, endSec: T0_SEC + 3 * H })).field.grid);
    }
    expect(Buffer.from(at(polar, 0).uMps.buffer).equals(Buffer.from(at(polar, 1).uMps.buffer))).toBe(true);
  });

  it('3-D currents: the level nearest the surface is used, wherever it is on the depth axis', async () => {
    // ROMS/NEMO-like: depth positive up, deepest first, surface last; u = level number + 1.
    const lons = axis(4, 0.5, 5);
    const lats = axis(58, 0.5, 5);
    const levels = [-50, -10, -0.5];
    const n = 2 * levels.length * 25;
    const u = Float32Array.from({ length: n }, (_, i) => Math.floor(i / 25) % levels.length + 1);
    await writeNetcdf4(path.join(dir, 'levels_up.nc4'), {
      dims: [{ name: 'time', size: 2 }, { name: 'depth', size: 3 }, { name: 'lat', size: 5 }, { name: 'lon', size: 5 }],
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01', standard_name: 'time' }, data: [0, 24] },
        { name: 'depth', type: 'double', dims: ['depth'], attrs: { units: 'm', positive: 'up', standard_name: 'height' }, data: levels },
        { name: 'lat', type: 'float', dims: ['lat'], attrs: { units: 'degrees_north' }, data: lats },
        { name: 'lon', type: 'float', dims: ['lon'], attrs: { units: 'degrees_east' }, data: lons },
        { name: 'uo', type: 'float', dims: ['time', 'depth', 'lat', 'lon'], attrs: { units: 'm s-1' }, data: u },
        { name: 'vo', type: 'float', dims: ['time', 'depth', 'lat', 'lon'], attrs: { units: 'm s-1' }, data: u.map((x) => -x) },
      ],
    });
    const r = await read('levels_up.nc4', 'current');
    const got = sample(r.field, [[5, 59]], T0_SEC + 3 * H);
    expect([got.u[0], got.v[0]]).toEqual([3, -3]);
  });

  it('a longitude axis that jumps from 180 to -180 (crossing the antimeridian) is unwrapped', async () => {
    const lons = [...axis(170, 1, 11), ...axis(-179, 1, 10)]; // 170..180, -179..-170
    const lats = axis(-10, 1, 11);
    const file = path.join(dir, 'dateline.nc');
    await writeLonLatFile(file, { kind: 'wind', format: 'nc3', lons, lats, timesSec: [T0_SEC, T0_SEC + H], names: ['u10', 'v10'] });
    const r = await read('dateline.nc', 'wind', { ...WIDE, lonCenterDeg: 180, lonHalfWidthDeg: 15, southDeg: -10, northDeg: 0 });
    const pts: Array<[number, number]> = [[179, -5], [-179.5, -3], [-171, -1], [171, -9]];
    const got = sample(r.field, pts, T0_SEC);
    pts.forEach(([lo, la], i) => {
      const [eu, ev] = windField(lo, la, T0_SEC);
      // Bilinear error of the ±0.5 m/s ripple over 1° cells: < 0.01 m/s.
      expect(Math.abs(at(got.u, i) - eu)).toBeLessThan(0.01);
      expect(Math.abs(at(got.v, i) - ev)).toBeLessThan(0.01);
    });
  });

  it('reads only the window: area grown around the seed and the records that enclose the time span', async () => {
    const small: ForcingWindow = { lonCenterDeg: 6, lonHalfWidthDeg: 0.5, southDeg: 59.8, northDeg: 60.2, startSec: T0_SEC + 5.5 * H, endSec: T0_SEC + 8 * H };
    const r = await read('wind_lonlat.nc', 'wind', small);
    const g = r.field.grid;
    if (g.layout !== 'lonlat') throw new Error('expected a lon/lat grid');
    // 1° of 0.1° cells plus one cell each side = 13 columns; 0.4° -> 7 rows; records 4..9 (one either side).
    expect(g.nx).toBe(13);
    expect(g.ny).toBe(7);
    expect(Array.from(g.timesSec, (x) => (x - T0_SEC) / H)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(g.lon0Deg).toBeCloseTo(5.4, 5);
  });

  it('files split in time are joined in time order', async () => {
    const a = path.join(dir, 'split_b.nc');
    const b = path.join(dir, 'split_a.nc4');
    const lons = axis(4, 0.5, 9);
    const lats = axis(58, 0.5, 9);
    await writeLonLatFile(a, { kind: 'wind', format: 'nc3', lons, lats, timesSec: axis(T0_SEC + 12 * H, H, 13), names: ['u10', 'v10'] });
    await writeLonLatFile(b, { kind: 'wind', format: 'nc4', lons, lats, timesSec: axis(T0_SEC, H, 13), names: ['u10', 'v10'] });
    const files = [await openNetcdf(a, 'b'), await openNetcdf(b, 'a')];
    const r = await readVectorField(files.map((file, i) => ({ file, label: String(i) })), 'wind', WIDE);
    for (const f of files) await f.close();
    expect(r.firstTimeSec).toBe(T0_SEC);
    expect(r.lastTimeSec).toBe(T0_SEC + 24 * H);
    expect(r.field.grid.nt).toBe(25); // hour 12 is in both files and kept once
    const t = T0_SEC + 17 * H;
    const got = sample(r.field, [[6, 60]], t);
    const [eu, ev] = windField(6, 60, t);
    expect(Math.abs(at(got.u, 0) - eu)).toBeLessThan(1e-4);
    expect(Math.abs(at(got.v, 0) - ev)).toBeLessThan(1e-4);
  });

  it('job variable overrides pick the named pair', async () => {
    const r = await read('current_packed_desc.nc', 'current', WIDE, { u: 'vo', v: 'uo' });
    const got = sample(r.field, [[6.3, 59.9]], T0_SEC);
    const [eu, ev] = currentField(6.3, 59.9, T0_SEC);
    expect(Math.abs(at(got.u, 0) - ev)).toBeLessThan(6e-4);
    expect(Math.abs(at(got.v, 0) - eu)).toBeLessThan(6e-4);
  });

  it('E_FORCING_INVALID names the file and what is missing', async () => {
    await expect(read('wind_lonlat.nc', 'current')).rejects.toMatchObject({
      code: 'E_FORCING_INVALID',
      message: expect.stringMatching(/wind_lonlat\.nc.*no current variables.*x_sea_water_velocity/),
    });
    await expect(read('wind_lonlat.nc', 'wind', WIDE, { u: 'uu', v: 'vv' })).rejects.toMatchObject({ code: 'E_FORCING_INVALID', message: expect.stringMatching(/uu\/vv/) });
    const junk = path.join(dir, 'junk.nc');
    writeFileSync(junk, 'this is not netcdf');
    await expect(openNetcdf(junk, 'junk.nc')).rejects.toMatchObject({ code: 'E_FORCING_INVALID', message: expect.stringMatching(/junk\.nc: not a NetCDF file/) });
  });

  it('refuses units that are not a speed', async () => {
    const p = path.join(dir, 'bad_units.nc');
    await writeLonLatFile(p, { kind: 'wind', format: 'nc3', lons: [0, 1], lats: [0, 1], timesSec: [T0_SEC], names: ['u10', 'v10'], units: 'm s-1' });
    // Rewrite the units attribute bytes in place: "m s-1" -> "K s-1" (same length, so the header stays valid).
    const { readFileSync } = await import('node:fs');
    const buf = readFileSync(p);
    let at = buf.indexOf('m s-1');
    while (at >= 0) {
      buf.write('K', at);
      at = buf.indexOf('m s-1', at + 1);
    }
    writeFileSync(p, buf);
    await expect(read('bad_units.nc', 'wind')).rejects.toMatchObject({ code: 'E_FORCING_INVALID', message: expect.stringMatching(/units "K s-1"/) });
  });
});

describe('CF helpers', () => {
  it('decodes CF time units in seconds/minutes/hours/days since a date, with time zones', () => {
    expect(parseTimeUnits('hours since 2024-01-01 00:00:00')).toEqual({ secPerUnit: 3600, epochSec: T0_SEC });
    expect(parseTimeUnits('seconds since 1970-01-01T00:00:00Z').epochSec).toBe(0);
    expect(parseTimeUnits('days since 1950-1-1', 'proleptic_gregorian').epochSec).toBe(Date.UTC(1950, 0, 1) / 1000);
    expect(parseTimeUnits('minutes since 2024-01-01 06:00:00 +06:00').epochSec).toBe(T0_SEC);
    expect(parseTimeUnits('hours since 2024-01-01T00:00:00.0Z', 'gregorian').epochSec).toBe(T0_SEC);
    expect(Array.from(decodeTimes([0, 1.5, 48], { units: 'hours since 2024-01-01', calendar: 'standard' }))).toEqual([T0_SEC, T0_SEC + 5400, T0_SEC + 172800]);
    expect(() => parseTimeUnits('days since 2000-01-01', 'noleap')).toThrow(/calendar "noleap"/);
    expect(() => parseTimeUnits('fortnights since 2000-01-01')).toThrow(/fortnights/);
  });

  it('unpacks scale_factor/add_offset and masks _FillValue, missing_value, NaN and the netCDF default fill', () => {
    const d = Float64Array.from([100, -32767, 7, NaN, 9.969209968386869e36, -5]);
    unpackInPlace(d, { scale_factor: 0.01, add_offset: 2, _FillValue: -32767, missing_value: 7 }, 100);
    // (x · 0.01 + 2) · 100 for valid values (the ×100 is a unit factor, e.g. m/s from hm/s).
    expect(d[0]).toBeCloseTo(300, 10);
    expect(d[5]).toBeCloseTo(195, 10);
    expect([d[1], d[2], d[3], d[4]].every(Number.isNaN)).toBe(true);
  });

  it('converts speed units to m/s', () => {
    expect(speedFactorToMps('m s-1')).toBe(1);
    expect(speedFactorToMps('m/s')).toBe(1);
    expect(speedFactorToMps('cm/s')).toBe(0.01);
    expect(speedFactorToMps('km/h')).toBeCloseTo(1 / 3.6, 15);
    expect(speedFactorToMps('knots')).toBeCloseTo(0.514444, 6);
    expect(speedFactorToMps('K')).toBeNull();
  });

  it('fills NaN cells with the largest 8-neighbour, pass by pass, up to 10 passes (OpenDrift grey_dilation)', () => {
    const nx = 14;
    const d = new Float64Array(nx).fill(NaN);
    d[0] = 3;
    fillNaNsLikeOpenDrift(d, nx, 1);
    // 10 passes reach 10 cells beyond the valid one; the rest stay NaN.
    expect(Array.from(d.slice(0, 11))).toEqual(new Array(11).fill(3));
    expect(Number.isNaN(at(d, 11))).toBe(true);
    const g = Float64Array.from([1, NaN, 5, NaN, NaN, NaN, 2, NaN, 4]);
    fillNaNsLikeOpenDrift(g, 3, 3, 1);
    expect(Array.from(g)).toEqual([1, 5, 5, 2, 5, 5, 2, 4, 4]);
  });
});
