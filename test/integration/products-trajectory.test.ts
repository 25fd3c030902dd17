/**
 * raw/particles.nc: read by ncdump (netCDF C library) and netcdfjs, values compared exactly, CF-1.11 DSG
 * and ACDD-1.3 attributes checked, every mission parameter present, and a large file streamed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { lonLatExtent } from '../../src/products/acdd.js';
import { writeTrajectoryNc } from '../../src/products/trajectory.js';
import { START_SEC, syntheticContext, syntheticResult } from '../unit/products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-traj-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 500;
const NT = 25;
const result = syntheticResult({ nParticles: N, nTimes: NT, releaseSteps: 5 });
const ctx = syntheticContext();
const file = path.join(dir, 'particles.nc');
let reader: NetCDFReader;

/** Records OpenDrift writes: from release to the first record with a deactivated status (then fill). */
const written: boolean[] = [];
for (let p = 0; p < N; p++) {
  let done = false;
  for (let t = 0; t < NT; t++) {
    const s = at(result.status, p * NT + t);
    written.push(!done && s !== STATUS.NOT_RELEASED);
    if (s === STATUS.STRANDED || s === STATUS.OUTSIDE) done = true;
  }
}

beforeAll(async () => {
  await writeTrajectoryNc(result, ctx, file);
  reader = new NetCDFReader(readFileSync(file));
});

const attr = (name: string) => reader.getAttribute(name);
const varAttr = (v: string, a: string) =>
  (reader.variables.find((x) => x.name === v)?.attributes as unknown as { name: string; value: unknown }[] | undefined)?.find((x) => x.name === a)?.value;

describe('raw/particles.nc', () => {
  it('is read by ncdump -h as a 64-bit offset file with OpenDrift dimensions and variables', () => {
    expect(execFileSync('ncdump', ['-k', file], { encoding: 'utf8' }).trim()).toBe('64-bit offset');
    const cdl = execFileSync('ncdump', ['-h', file], { encoding: 'utf8' });
    expect(cdl).toContain(`trajectory = ${N} ;`);
    expect(cdl).toContain(`time = ${NT} ;`);
    for (const decl of [
      'float lon(trajectory, time)',
      'float lat(trajectory, time)',
      'byte status(trajectory, time)',
      'double time(time)',
      'int trajectory(trajectory)',
      'float x_wind(trajectory, time)',
      'float y_sea_water_velocity(trajectory, time)',
      'float downwind_slope(trajectory, time)',
      'byte orientation(trajectory, time)',
      'byte capsized(trajectory, time)',
    ]) {
      expect(cdl).toContain(decl);
    }
    expect(cdl).toContain(':featureType = "trajectory"');
    expect(cdl).toContain('trajectory:cf_role = "trajectory_id"');
    // The whole data section parses too (ncdump prints the fill value of unreleased records as "_").
    const full = execFileSync('ncdump', [file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const lonSection = full.slice(full.indexOf(' lon ='), full.indexOf(' lat ='));
    expect(lonSection).toMatch(/^ lon =\n {2}4\.6, /); // particle 1 starts at the seed
    expect(lonSection).toMatch(/\n {2}_, _, _, _, 4\.6, /); // the last particle is released at record 5
    // ncdump -t decodes the CF time axis into calendar dates: proof the units string is parseable.
    const times = execFileSync('ncdump', ['-t', '-v', 'time', file], { encoding: 'utf8' });
    expect(times).toContain('"2024-01-01 12", "2024-01-01 13"');
  });

  it('reads back exactly with netcdfjs: float32 positions bit for bit, NaN where not released or after deactivation', () => {
    const lon = reader.getDataVariable('lon') as number[];
    const lat = reader.getDataVariable('lat') as number[];
    expect(lon.length).toBe(N * NT);
    let released = 0;
    for (let i = 0; i < N * NT; i++) {
      if (!written[i]) {
        expect(lon[i]).toBeNaN();
        expect(lat[i]).toBeNaN();
      } else {
        released++;
        // Exact: a float32 read back as a double equals the float32 we held.
        if (lon[i] !== result.lonDeg[i] || lat[i] !== result.latDeg[i]) throw new Error(`record ${i} differs`);
      }
    }
    expect(released).toBeGreaterThan(0.7 * N * NT);
    const status = (reader.getDataVariable('status') as number[][]).flat().slice(0, N * NT);
    // netcdfjs reads bytes unsigned: the fill (-1) reads as 255.
    expect(status).toEqual(Array.from(result.status, (s, i) => (written[i] ? s : 255)));
    expect(reader.getDataVariable('time')).toEqual(Array.from(result.timesSec));
    expect(reader.getDataVariable('trajectory')).toEqual(Array.from({ length: N }, (_, p) => p));
    const wind = reader.getDataVariable('x_wind') as number[];
    const curV = reader.getDataVariable('y_sea_water_velocity') as number[];
    for (let i = 0; i < N * NT; i++) {
      const w = at(result.env!.windUMps, i);
      const c = at(result.env!.currentVMps, i);
      if (!Object.is(written[i] ? w : NaN, wind[i])) throw new Error(`x_wind ${i}`);
      if (!Object.is(written[i] ? c : NaN, curV[i])) throw new Error(`y_sea_water_velocity ${i}`);
    }
    const eps = reader.getDataVariable('crosswind_eps') as number[];
    for (let i = 0; i < N * NT; i++) {
      const expected = written[i] ? at(result.coefficients.cwEpsCmps, Math.floor(i / NT)) : NaN;
      if (!Object.is(eps[i], expected)) throw new Error(`crosswind_eps ${i}`);
    }
    expect(reader.getDataVariable('release_time')).toEqual(Array.from(result.coefficients.releaseTimeSec));
    expect((reader.getDataVariable('orientation') as number[][]).flat().slice(0, N * NT)).toEqual(Array.from(result.orientation, (o, i) => (written[i] ? o : 255)));
    expect((reader.getDataVariable('capsized') as number[][]).flat().slice(0, N * NT)).toEqual(Array.from(result.capsized, (c, i) => (written[i] ? c : 255)));
  });

  it('carries CF-1.11 discrete-sampling-geometry variable attributes', () => {
    expect(varAttr('lon', 'standard_name')).toBe('longitude');
    expect(varAttr('lon', 'units')).toBe('degrees_east');
    expect(varAttr('lat', 'units')).toBe('degrees_north');
    expect(varAttr('lon', '_FillValue')).toBeNaN();
    expect(varAttr('time', 'standard_name')).toBe('time');
    expect(varAttr('time', 'units')).toBe('seconds since 1970-01-01T00:00:00Z');
    expect(varAttr('trajectory', 'cf_role')).toBe('trajectory_id');
    expect(varAttr('status', 'flag_values')).toEqual([STATUS.ACTIVE, STATUS.STRANDED, STATUS.OUTSIDE]);
    expect(varAttr('status', 'flag_meanings')).toBe('active stranded missing_data');
    expect(varAttr('x_wind', 'standard_name')).toBe('eastward_wind');
    expect(varAttr('x_sea_water_velocity', 'units')).toBe('m s-1');
    // No `coordinates`: xarray would make lon/lat coordinates, and OpenDrift reads data variables only.
    expect(reader.variables.filter((v) => (v.attributes as unknown as { name: string }[]).some((a) => a.name === 'coordinates'))).toEqual([]);
    expect(reader.variables.find((v) => v.name === 'status')?.type).toBe('byte');
  });

  it('carries the ACDD-1.3 global attributes with the right values', () => {
    expect(attr('Conventions')).toBe('CF-1.11, ACDD-1.3');
    expect(attr('featureType')).toBe('trajectory');
    expect(attr('cdm_data_type')).toBe('Trajectory');
    for (const name of [
      'title', 'summary', 'id', 'naming_authority', 'history', 'date_created', 'creator_name', 'institution', 'project',
      'source', 'processing_level', 'keywords', 'license', 'product_version', 'standard_name_vocabulary',
    ]) {
      expect(typeof attr(name), name).toBe('string');
      expect((attr(name) as string).length, name).toBeGreaterThan(0);
    }
    expect(attr('id')).toBe('test-mission-42');
    expect(attr('date_created')).toBe('2024-01-02T00:00:00.000Z');
    expect(attr('product_version')).toBe('0.1.0');
    expect(attr('time_coverage_start')).toBe('2024-01-01T12:00:00Z');
    expect(attr('time_coverage_end')).toBe('2024-01-02T12:00:00Z');
    expect(attr('time_coverage_duration')).toBe('PT24H');
    expect(attr('time_coverage_resolution')).toBe('PT1H');
    const ext = lonLatExtent(result.lonDeg, result.latDeg)!;
    expect(attr('geospatial_lat_min')).toBe(ext.latMinDeg);
    expect(attr('geospatial_lat_max')).toBe(ext.latMaxDeg);
    expect(attr('geospatial_lon_min')).toBe(ext.lonMinDeg);
    expect(attr('geospatial_lon_max')).toBe(ext.lonMaxDeg);
    expect(ext.latMinDeg).toBe(Math.fround(59.3)); // the seed latitude as float32: the cloud only drifts north
    expect(attr('geospatial_lat_units')).toBe('degrees_north');
  });

  it('stores every mission parameter and the forcing as global attributes', () => {
    expect(attr('mission_id')).toBe('test-mission-42');
    expect(attr('mission_latitude')).toBe(59.3);
    expect(attr('mission_longitude')).toBe(4.6);
    expect(attr('mission_start_time')).toBe('2024-01-01T12:00:00Z');
    expect(attr('mission_num_particles')).toBe(1000);
    expect(attr('mission_object_type')).toBe('PIW-1');
    expect(attr('mission_radius_m')).toBe(500);
    expect(attr('mission_rng')).toBe('fast');
    expect(attr('mission_products_animation')).toBe('true');
    expect(attr('mission_products_search_area_percents')).toEqual([50, 90, 95]);
    expect(attr('mission_forcing_wind_constant')).toEqual([8, 3]);
    expect(attr('mission_forcing_current_constant')).toEqual([0.15, 0.05]);
    expect(attr('leeway_object_type_id')).toBe(1);
    expect(attr('leeway_object_dwslope_percent')).toBe(0.96);
    expect(attr('model_time_step_sec')).toBe(600);
    expect(attr('model_seeding_radius_type')).toBe('gaussian');
    expect(attr('model_capsizing')).toBe('off');
    expect(attr('forcing_wind_description')).toBe('constant [8, 3] m/s');
    expect(attr('forcing_wind_fallback')).toBe('false');
    expect(attr('forcing_fallback_used')).toBe('false');
    expect(reader.attributeExists('forcing_warning')).toBe(false);
    // Every job parameter the producer sent (top-level keys) is present under mission_*.
    const names = new Set(reader.globalAttributes.map((a) => a.name));
    for (const key of Object.keys(ctx.provenance)) {
      expect([...names].some((n) => n === `mission_${key}` || n.startsWith(`mission_${key}_`)), key).toBe(true);
    }
  });

  it('says FALLBACK loudly when fallback forcing was used', async () => {
    const fb = path.join(dir, 'fallback.nc');
    await writeTrajectoryNc(syntheticResult({ nParticles: 10, nTimes: 3 }), syntheticContext({ fallbackWind: true }), fb);
    const r = new NetCDFReader(readFileSync(fb));
    expect(r.getAttribute('forcing_fallback_used')).toBe('true');
    expect(r.getAttribute('forcing_wind_fallback')).toBe('true');
    expect(r.getAttribute('forcing_warning')).toMatch(/^FALLBACK FORCING: the mission named no wind forcing; used configured fallback constant \[5, 0\] m\/s/);
    expect(r.getAttribute('comment')).toMatch(/^FALLBACK FORCING/);
  });

  it('masks credentials in forcing URIs (passwords, presigned-URL signatures)', async () => {
    const secretCtx = syntheticContext();
    const uri = 'https://user:hunter2@data.example.org/gfs.nc?X-Amz-Credential=AKIAXYZ&X-Amz-Signature=deadbeef&v=1';
    secretCtx.provenance = { ...secretCtx.provenance, forcing: { wind: { uri } } };
    secretCtx.forcing = { ...secretCtx.forcing, wind: { kind: 'file', description: `s3://b/a.nc, ${uri}`, fallback: false } };
    const f = path.join(dir, 'secret.nc');
    await writeTrajectoryNc(syntheticResult({ nParticles: 3, nTimes: 2 }), secretCtx, f);
    const cdl = execFileSync('ncdump', ['-h', f], { encoding: 'utf8' });
    expect(cdl).not.toMatch(/hunter2|deadbeef|AKIAXYZ/);
    expect(cdl).toContain('mission_forcing_wind_uri = "https://user:***@data.example.org/gfs.nc?X-Amz-Credential=***&X-Amz-Signature=***&v=1"');
    expect(cdl).toContain('forcing_wind_description = "s3://b/a.nc, https://user:***@');
  });

  it('writes a file without environment variables when the run did not record them', async () => {
    const f = path.join(dir, 'noenv.nc');
    await writeTrajectoryNc(syntheticResult({ nParticles: 4, nTimes: 3, withEnv: false }), ctx, f);
    const names = new NetCDFReader(readFileSync(f)).variables.map((v) => v.name);
    expect(names).toContain('lon');
    expect(names).not.toContain('x_wind');
  });

  it('gives west > east across the antimeridian (ACDD convention)', () => {
    const ext = lonLatExtent(new Float32Array([179.5, -179.8, 179.9, NaN]), new Float32Array([10, 11, 12, NaN]))!;
    expect(ext.lonMinDeg).toBeCloseTo(179.5, 4);
    expect(ext.lonMaxDeg).toBeCloseTo(-179.8, 4);
    expect(ext.latMaxDeg).toBe(12);
  });

  it('streams a 200 000 × 25 trajectory file with bounded memory', async () => {
    const big = syntheticResult({ nParticles: 200_000, nTimes: 25, releaseSteps: 3, seed: 3 });
    const f = path.join(dir, 'big.nc');
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let chunks = 0;
    await writeTrajectoryNc(big, ctx, f, {
      onChunk: () => {
        chunks++;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      },
    });
    const bytes = statSync(f).size;
    // OpenDrift's layout: 16 float (4 B), 5 byte and 1 short variables per record: 71 B × 5 M = 355 MB.
    expect(bytes).toBeGreaterThan(355_000_000);
    // The file is 355 MB; staging is two 1 MiB chunks (+12 B per particle of layout). 16 MB leaves room
    // for fs bookkeeping, not a copy.
    expect(peak).toBeLessThan(16 * 2 ** 20);
    expect(chunks).toBeGreaterThan(100);
    expect(execFileSync('ncdump', ['-h', f], { encoding: 'utf8' })).toContain('trajectory = 200000 ;');
    // Spot-check the last particle's last lat on disk: lat's data begins at the offset in the header.
    const header = new NetCDFReader(readFileSync(f, { encoding: null }).subarray(0, 1 << 16));
    const latVar = header.variables.find((v) => v.name === 'lat')!;
    const fd = openSync(f, 'r');
    const buf = Buffer.alloc(4);
    readSync(fd, buf, 0, 4, Number(latVar.offset) + (200_000 * 25 - 1) * 4);
    closeSync(fd);
    expect(buf.readFloatBE(0)).toBe(big.latDeg[200_000 * 25 - 1]);
    expect(big.timesSec[0]).toBe(START_SEC);
  });
});
