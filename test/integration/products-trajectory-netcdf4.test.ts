/**
 * raw/particles.nc as NetCDF-4 with deflate (issue 10, "Size"): the same result written in both formats
 * must hold the same variables, attributes, fill values and values. Checked three ways: `ncdump` (the
 * netCDF C library) prints both files identically apart from the file name, our reader
 * (src/netcdf/open.ts: NetCDF-3 parser vs h5wasm) returns the same values for every variable, and the
 * re-plan reader (src/mission/stored-particles.ts) returns the same tracks. In test/integration because
 * it starts ncdump.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNetcdf, type NcFile } from '../../src/netcdf/open.js';
import { describeProduct } from '../../src/products/files.js';
import { readLocalParticles } from '../../src/planning/stored-particles.js';
import { NETCDF4_MIN_RECORDS, trajectoryNcFormat, writeTrajectoryNc } from '../../src/products/trajectory.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-traj-nc4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 4 KiB HDF5 chunks instead of 512 KiB: 40 rows of 25 floats per chunk, so every variable spans several
// chunks and the last one is partial (700 = 17 × 40 + 20): chunk edges are tested.
const N = 700;
const NT = 25;
const result = syntheticResult({ nParticles: N, nTimes: NT, releaseSteps: 5, withEnv: true });
const ctx = syntheticContext({ nParticles: N });
const f3 = path.join(dir, 'p3.nc');
const f4dir = path.join(dir, 'run');
const f4 = path.join(f4dir, 'raw', 'particles.nc');
let nc3: NcFile;
let nc4: NcFile;

beforeAll(async () => {
  mkdirSync(path.dirname(f4), { recursive: true });
  const r3 = await writeTrajectoryNc(result, ctx, f3, { format: 'netcdf3' });
  const r4 = await writeTrajectoryNc(result, ctx, f4, { format: 'netcdf4', chunkBytes: 4096 });
  expect(r3.format).toBe('netcdf3');
  expect(r4.format).toBe('netcdf4');
  nc3 = await openNetcdf(f3);
  nc4 = await openNetcdf(f4);
});
afterAll(async () => {
  await nc3?.close();
  await nc4?.close();
});

/** Equal with NaN equal to NaN (float fill). */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return false;
  return true;
}

describe('raw/particles.nc as NetCDF-4', () => {
  it('is a netCDF-4 file that ncdump prints exactly as the NetCDF-3 one (header, attributes, fill, every value)', () => {
    expect(execFileSync('ncdump', ['-k', f4], { encoding: 'utf8' }).trim()).toBe('netCDF-4');
    const dump = (f: string) => execFileSync('ncdump', [f], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').slice(1).join('\n');
    const d3 = dump(f3);
    const d4 = dump(f4);
    expect(d3).toContain('float lon(trajectory, time)');
    expect(d4).toBe(d3);
    // Deflate is on for the (trajectory, time) variables: netCDF-C reports the filter.
    expect(execFileSync('ncdump', ['-hs', f4], { encoding: 'utf8' })).toMatch(/lon:_DeflateLevel = \d+ ;/);
  });

  it('holds the same variables, dimensions, attributes and values through our reader', async () => {
    expect(nc4.format).toBe('netcdf4');
    expect([...nc4.variables.keys()].sort()).toEqual([...nc3.variables.keys()].sort());
    expect(nc4.globalAttrs).toEqual(nc3.globalAttrs);
    for (const [name, v3] of nc3.variables) {
      const v4 = nc4.variables.get(name)!;
      expect(v4.dims, name).toEqual(v3.dims);
      expect(v4.shape, name).toEqual(v3.shape);
      expect(v4.attrs, name).toEqual(v3.attrs);
      const a = await nc3.read(name);
      const b = await nc4.read(name);
      expect(sameValues(a, b), `${name}: values differ`).toBe(true);
    }
    // The masking survived: fill after a stranded particle's last record and before release.
    const lon = await nc4.read('lon');
    expect(lon.some((x) => Number.isNaN(x))).toBe(true);
    expect(lon.some((x) => Number.isFinite(x))).toBe(true);
  });

  it('gives the re-plan the same tracks and weights', async () => {
    const s3 = await readLocalParticles(f3);
    const s4 = await readLocalParticles(f4);
    expect(s4.tracks.nParticles).toBe(N);
    expect(s4.tracks.nTimes).toBe(NT);
    expect(Array.from(s4.tracks.timesSec)).toEqual(Array.from(s3.tracks.timesSec));
    expect(sameValues(Float64Array.from(s4.tracks.lonDeg), Float64Array.from(s3.tracks.lonDeg))).toBe(true);
    expect(sameValues(Float64Array.from(s4.tracks.latDeg), Float64Array.from(s3.tracks.latDeg))).toBe(true);
    expect(Array.from(s4.tracks.status)).toEqual(Array.from(s3.tracks.status));
    expect(Array.from(s4.weight)).toEqual(Array.from(s3.weight));
  });

  it('is smaller than the NetCDF-3 file, and its checksum is that of its bytes', async () => {
    const p = await describeProduct(f4dir, 'trajectory');
    expect(p.sha256).toBe(createHash('sha256').update(readFileSync(f4)).digest('hex'));
    expect(p.bytes).toBeLessThan(readFileSync(f3).length);
  });

  it('is chosen by products.netcdf_format, "auto" by the number of particle records', () => {
    expect(trajectoryNcFormat('auto', 1000, 49)).toBe('netcdf3');
    expect(trajectoryNcFormat('auto', Math.ceil(NETCDF4_MIN_RECORDS / 49), 49)).toBe('netcdf4');
    expect(trajectoryNcFormat(undefined, 1000, 49)).toBe('netcdf3');
    expect(trajectoryNcFormat('netcdf4', 10, 2)).toBe('netcdf4');
    expect(trajectoryNcFormat('netcdf3', 10_000_000, 49)).toBe('netcdf3');
  });
});
