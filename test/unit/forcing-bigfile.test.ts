/**
 * A multi-gigabyte NetCDF-3 file is never loaded whole: a 2.1 GB global 0.25° hourly wind file (a sparse
 * file, so it costs no disk) is read for one mission's window in a fraction of a second and a few MB.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axis, T0_SEC, writeNetcdf3 } from '../../scripts/make-forcing.lib.mjs';
import { openNetcdf } from '../../src/forcing/netcdf.js';
import { readVectorField } from '../../src/forcing/read.js';

let dir: string;
let file: string;
const H = 3600;
const NREC = 250;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-big-'));
  file = path.join(dir, 'global_wind.nc');
  const lons = axis(0, 0.25, 1440);
  const lats = axis(90, -0.25, 721);
  writeNetcdf3(file, {
    sparse: true,
    numRecs: NREC,
    dims: [{ name: 'time', size: null }, { name: 'lat', size: 721 }, { name: 'lon', size: 1440 }],
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'hours since 2024-01-01 00:00:00', standard_name: 'time' }, data: Float64Array.from({ length: NREC }, (_, i) => i) },
      { name: 'lat', type: 'float', dims: ['lat'], attrs: { units: 'degrees_north', standard_name: 'latitude' }, data: Float32Array.from(lats) },
      { name: 'lon', type: 'float', dims: ['lon'], attrs: { units: 'degrees_east', standard_name: 'longitude' }, data: Float32Array.from(lons) },
      { name: 'u10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'eastward_wind' }, data: null },
      { name: 'v10', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'northward_wind' }, data: null },
    ],
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads only the window of a 2 GB NetCDF-3 file (header + wanted rows of wanted records)', async () => {
  expect(statSync(file).size).toBeGreaterThan(2e9);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const nc = await openNetcdf(file);
  // A 24 h mission at 60°N 5°W near the end of the file, crossing the 0/360 seam of the global grid.
  const start = T0_SEC + 200 * H;
  const r = await readVectorField([{ file: nc, label: 'global_wind.nc' }], 'wind', { lonCenterDeg: -5, lonHalfWidthDeg: 8, southDeg: 56, northDeg: 64, startSec: start, endSec: start + 24 * H }, undefined);
  await nc.close();
  const ms = performance.now() - t0;
  const g = r.field.grid;
  if (g.layout !== 'lonlat') throw new Error('expected a lon/lat grid');
  expect(r.lastTimeSec).toBe(T0_SEC + (NREC - 1) * H);
  expect(g.nt).toBe(27); // 25 records of the span + one either side
  expect(g.ny).toBe(35); // 8° of 0.25° rows + one each side
  expect(g.periodic).toBe(true); // window crosses the seam: all 1440 columns (+1 wrap column) of those rows
  expect(g.nx).toBe(1441);
  // Read: 27 records × 35 rows × 1440 columns × 2 variables × 4 B = 10.9 MB, not 2.1 GB. The bound leaves
  // room for the float64 working copies and GC slack, and is 10× below the file size.
  expect(process.memoryUsage().rss - rss0).toBeLessThan(200e6);
  // Generous for a loaded CI machine; measured ~0.2 s here.
  expect(ms).toBeLessThan(5000);
});
