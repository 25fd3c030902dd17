/**
 * Multi-gigabyte NetCDF-3 files are never loaded whole. The files are sparse (holes cost no disk) with
 * known values written in the records a mission needs, so a wrong offset reads zeros and fails.
 * "Never loaded whole" is measured directly: the bytes the process reads (rchar of /proc/self/io).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axis, T0_SEC, writeNetcdf3 } from '../../scripts/make-forcing.lib.mjs';
import { openNetcdf } from '../../src/netcdf/open.js';
import { readVectorField } from '../../src/forcing/read.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import { at } from '../helpers/indexed.js';

const H = 3600;
let dir: string;

/** Bytes this process has read through read(2)-like calls so far (Linux). */
function bytesRead(): number {
  const m = /rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!m) throw new Error('no rchar in /proc/self/io');
  return Number(m[1]);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-big-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('2 GB classic NetCDF-3: a global 0.25° hourly wind, 250 records', () => {
  const NREC = 250;
  const NY = 721;
  const NX = 1440;
  // Records of the mission below (200..224) plus one either side; the rest are holes.
  const known = (k: number) => k >= 199 && k <= 225;
  // Linear in record, row and column, so bilinear/linear interpolation reproduces it exactly.
  const uAt = (k: number, j: number, i: number) => 0.5 * k + 0.02 * j + 0.001 * i;
  const vAt = (k: number, j: number) => 1 - 0.01 * j - 0.25 * k;
  let file: string;

  beforeAll(() => {
    file = path.join(dir, 'global_wind.nc');
    const record = (f: (j: number, i: number) => number) => {
      const out = new Float32Array(NY * NX);
      for (let j = 0; j < NY; j++) for (let i = 0; i < NX; i++) out[j * NX + i] = f(j, i);
      return out;
    };
    writeNetcdf3(file, {
      sparse: true,
      numRecs: NREC,
      dims: [{ name: 'time', size: null }, { name: 'lat', size: NY }, { name: 'lon', size: NX }],
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01 00:00:00', standard_name: 'time' }, data: Float64Array.from({ length: NREC }, (_, i) => i) },
        { name: 'lat', type: 'float', dims: ['lat'], attrs: { units: 'degrees_north', standard_name: 'latitude' }, data: Float32Array.from(axis(90, -0.25, NY)) },
        { name: 'lon', type: 'float', dims: ['lon'], attrs: { units: 'degrees_east', standard_name: 'longitude' }, data: Float32Array.from(axis(0, 0.25, NX)) },
        { name: 'u10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'eastward_wind' }, data: (k: number) => (known(k) ? record((j, i) => uAt(k, j, i)) : null) },
        { name: 'v10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'northward_wind' }, data: (k: number) => (known(k) ? record((j) => vAt(k, j)) : null) },
      ],
    });
  });

  it('reads only the window (header + wanted rows of wanted records), with the right values', async () => {
    expect(statSync(file).size).toBeGreaterThan(2e9);
    expect(spawnSync('ncdump', ['-h', file]).status).toBe(0); // netCDF-C accepts the file
    const read0 = bytesRead();
    const rss0 = process.memoryUsage().rss;
    const nc = await openNetcdf(file);
    // A 24 h mission at 60°N 5°W, crossing the 0/360 seam of the global grid.
    const start = T0_SEC + 200 * H;
    const r = await readVectorField([{ file: nc, label: 'global_wind.nc' }], 'wind', { lonCenterDeg: -5, lonHalfWidthDeg: 8, southDeg: 56, northDeg: 64, startSec: start, endSec: start + 24 * H });
    await nc.close();
    const readBytes = bytesRead() - read0;
    const g = r.field.grid;
    if (g.layout !== 'lonlat') throw new Error('expected a lon/lat grid');
    expect(r.lastTimeSec).toBe(T0_SEC + (NREC - 1) * H);
    expect(g.nt).toBe(27); // 25 records of the span + one either side
    expect(g.ny).toBe(35); // 8° of 0.25° rows + one each side
    expect(g.periodic).toBe(true); // window crosses the seam: all 1440 columns (+1 wrap column) of those rows
    expect(g.nx).toBe(1441);
    // Needed: 27 records × 35 rows × 1440 columns × 2 variables × 4 B = 10.9 MB, plus the header (64 KiB
    // first read) and coordinates. 16 MB leaves room for those and is 1/130 of the file.
    console.log(`2 GB NetCDF-3: read ${(readBytes / 1e6).toFixed(1)} MB of ${(statSync(file).size / 1e9).toFixed(2)} GB`);
    expect(readBytes).toBeLessThan(16e6);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(200e6);

    const s = createVectorSampler(r.field);
    // Away from the seam cell (359.75..360°E), where the test field jumps back to column 0.
    const pts: Array<[number, number]> = [[-5, 60], [-9.9, 56.3], [2.6, 63.8], [0.1, 59.93]];
    const lon = Float64Array.from(pts, (p) => p[0]);
    const lat = Float64Array.from(pts, (p) => p[1]);
    const u = new Float32Array(pts.length);
    const v = new Float32Array(pts.length);
    for (const hours of [200, 206.5, 224]) {
      s.sample(lon, lat, 0, pts.length, T0_SEC + hours * H, u, v);
      pts.forEach(([lo, la], p) => {
        const j = (90 - la) / 0.25;
        const i = (lo < 0 ? lo + 360 : lo) / 0.25;
        // The field is linear in k, j and i, so interpolation is exact up to float32 (4e-6 relative of ~120).
        expect(Math.abs(at(u, p) - uAt(hours, j, i))).toBeLessThan(1e-3);
        expect(Math.abs(at(v, p) - vAt(hours, j))).toBeLessThan(1e-3);
      });
    }
  });
});

describe('4.8 GB 64-bit-offset NetCDF-3 whose wind variables start beyond 4 GiB', () => {
  let file: string;
  const NREC = 25;
  const N = 41;
  const uAt = (k: number, j: number, i: number) => Math.fround(Math.sin(k + 0.1 * j) + 0.01 * i);

  beforeAll(() => {
    file = path.join(dir, 'cdf2_beyond_4gib.nc');
    writeNetcdf3(file, {
      version: 2,
      sparse: true,
      numRecs: NREC,
      dims: [{ name: 'time', size: null }, { name: 'lat', size: N }, { name: 'lon', size: N }, { name: 'a', size: 60_000 }, { name: 'b', size: 60_000 }, { name: 'c', size: 20_000 }],
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01', standard_name: 'time' }, data: Float64Array.from({ length: NREC }, (_, i) => i) },
        { name: 'lat', type: 'float', dims: ['lat'], attrs: { units: 'degrees_north' }, data: Float32Array.from(axis(58, 0.1, N)) },
        { name: 'lon', type: 'float', dims: ['lon'], attrs: { units: 'degrees_east' }, data: Float32Array.from(axis(4, 0.1, N)) },
        // 4.8 GB of static fields before the records (CDF-2 allows each fixed variable up to 4 GiB).
        { name: 'static1', type: 'byte', dims: ['a', 'b'], data: null },
        { name: 'static2', type: 'byte', dims: ['a', 'c'], data: null },
        { name: 'u10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1' }, data: (k: number) => Float32Array.from({ length: N * N }, (_, c) => uAt(k, Math.floor(c / N), c % N)) },
        { name: 'v10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1' }, data: (k: number) => new Float32Array(N * N).fill(k) },
      ],
    });
  });

  it('netCDF-C reads it; netcdfjs refuses it; our reader reads the same values as ncdump', async () => {
    expect(statSync(file).size).toBeGreaterThan(4.8e9);
    const dump = spawnSync('ncdump', ['-v', 'u10', file], { encoding: 'utf8', maxBuffer: 64e6 });
    expect(dump.status, dump.stderr).toBe(0);
    const fromNcdump = dump.stdout
      .slice(dump.stdout.indexOf('u10 ='))
      .replace(/^u10 =|;[\s\S]*$/g, '')
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(Number);
    expect(fromNcdump).toHaveLength(NREC * N * N);
    // netcdfjs needs the whole file in memory and then stops at the 64-bit offsets: the reason for netcdf3.ts.
    const head = Buffer.alloc(64 * 1024);
    const { openSync, readSync, closeSync } = await import('node:fs');
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    expect(() => new NetCDFReader(head)).toThrow(/offsets larger than 4GB/);

    const read0 = bytesRead();
    const nc = await openNetcdf(file);
    const u = await nc.read('u10');
    const begin = (nc as unknown as { header: { variables: Map<string, { begin: number }> } }).header.variables.get('u10')!.begin;
    const r = await readVectorField([{ file: nc, label: 'cdf2' }], 'wind', { lonCenterDeg: 6, lonHalfWidthDeg: 0.5, southDeg: 59.5, northDeg: 60.5, startSec: T0_SEC + 3 * H, endSec: T0_SEC + 6 * H });
    await nc.close();
    const readBytes = bytesRead() - read0;
    expect(begin).toBeGreaterThan(2 ** 32);
    // ncdump prints 7 significant digits: compare at float32 precision of values ~1.
    expect(u.length).toBe(fromNcdump.length);
    let maxDiff = 0;
    for (let c = 0; c < u.length; c++) maxDiff = Math.max(maxDiff, Math.abs(at(u, c) - at(fromNcdump, c)));
    expect(maxDiff).toBeLessThan(1e-6);
    expect(u[5 * N * N + 7 * N + 9]).toBe(uAt(5, 7, 9));
    expect(r.field.grid.nt).toBe(6); // hours 2..7
    // Whole u10 (168 kB) + the window + header: well under 1 MB of a 4.8 GB file.
    expect(readBytes).toBeLessThan(1e6);
  });
});
