/**
 * A 2 GB NetCDF-4 (HDF5, chunked) forcing file is read for one mission's window without being loaded:
 * h5wasm's node build does its I/O through the real file system, so HDF5 reads only the chunks a
 * hyperslab touches. Measured as the bytes this process reads (rchar of /proc/self/io).
 * In the integration suite because making the file writes 2 GB to disk (~2-5 s here).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axis, T0_SEC, writeNetcdf4 } from '../../scripts/make-forcing.lib.mjs';
import { openNetcdf } from '../../src/netcdf/open.js';
import { readVectorField } from '../../src/forcing/read.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import { at } from '../helpers/indexed.js';

const H = 3600;
const NREC = 250;
const NY = 721;
const NX = 1440;
let dir: string;
let file: string;

function bytesRead(): number {
  const m = /rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
  if (!m) throw new Error('no rchar in /proc/self/io');
  return Number(m[1]);
}

// Linear in record, row and column: bilinear/linear interpolation reproduces it exactly.
const uAt = (k: number, j: number, i: number) => 0.5 * k + 0.02 * j + 0.001 * i;
const vAt = (k: number, j: number) => 1 - 0.01 * j - 0.25 * k;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-big4-'));
  file = path.join(dir, 'global_wind.nc4');
  const rec = (f: (j: number, i: number) => number) => {
    const out = new Float32Array(NY * NX);
    for (let j = 0; j < NY; j++) for (let i = 0; i < NX; i++) out[j * NX + i] = f(j, i);
    return out;
  };
  await writeNetcdf4(file, {
    numRecs: NREC,
    chunk: 241, // chunks of 1 × 241 × 241 cells (232 kB), 3 × 6 per record (0.7 % padding)
    dims: [{ name: 'time', size: NREC }, { name: 'lat', size: NY }, { name: 'lon', size: NX }],
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01 00:00:00', standard_name: 'time' }, data: Float64Array.from({ length: NREC }, (_, i) => i) },
      { name: 'lat', type: 'float', dims: ['lat'], attrs: { units: 'degrees_north', standard_name: 'latitude' }, data: Float32Array.from(axis(90, -0.25, NY)) },
      { name: 'lon', type: 'float', dims: ['lon'], attrs: { units: 'degrees_east', standard_name: 'longitude' }, data: Float32Array.from(axis(0, 0.25, NX)) },
      { name: 'u10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'eastward_wind' }, data: (k: number) => rec((j, i) => uAt(k, j, i)) },
      { name: 'v10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'northward_wind' }, data: (k: number) => rec((j) => vAt(k, j)) },
    ],
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads only the chunks of the window from a 2 GB NetCDF-4 file, with the right values', async () => {
  const size = statSync(file).size;
  expect(size).toBeGreaterThan(2e9);
  expect(spawnSync('ncdump', ['-h', file]).status).toBe(0); // netCDF-C reads it as NetCDF-4
  const read0 = bytesRead();
  const nc = await openNetcdf(file);
  expect(nc.format).toBe('netcdf4');
  // A 24 h mission at 60°N 10°E.
  const start = T0_SEC + 200 * H;
  const r = await readVectorField([{ file: nc, label: 'global_wind.nc4' }], 'wind', { lonCenterDeg: 10, lonHalfWidthDeg: 8, southDeg: 56, northDeg: 64, startSec: start, endSec: start + 24 * H });
  await nc.close();
  const readBytes = bytesRead() - read0;
  const g = r.field.grid;
  expect(g.nt).toBe(27);
  expect(g.ny).toBe(35);
  expect(g.nx).toBe(67); // 16° of 0.25° columns + one each side
  // Chunks touched: rows 104..138 and columns 7..73 both lie in chunk 0: one 232 kB chunk per record and
  // variable, 27 × 2 × 232 kB = 12.5 MB, plus HDF5 metadata (superblock, object headers, chunk B-trees).
  console.log(`2 GB NetCDF-4: read ${(readBytes / 1e6).toFixed(1)} MB of ${(size / 1e9).toFixed(2)} GB`);
  expect(readBytes).toBeLessThan(20e6);

  const s = createVectorSampler(r.field);
  const pts: Array<[number, number]> = [[10, 60], [2.3, 56.1], [17.9, 63.9]];
  const u = new Float32Array(pts.length);
  const v = new Float32Array(pts.length);
  for (const hours of [200, 211.25, 224]) {
    s.sample(Float64Array.from(pts, (p) => p[0]), Float64Array.from(pts, (p) => p[1]), 0, pts.length, T0_SEC + hours * H, u, v);
    pts.forEach(([lo, la], p) => {
      // Exact up to float32 storage (4e-6 relative of values up to ~120 m/s): 1e-3.
      expect(Math.abs(at(u, p) - uAt(hours, (90 - la) / 0.25, lo / 0.25))).toBeLessThan(1e-3);
      expect(Math.abs(at(v, p) - vAt(hours, (90 - la) / 0.25))).toBeLessThan(1e-3);
    });
  }
});
