/**
 * drift:stokes_drift with rng "opendrift" reproduces a real OpenDrift 1.14.10 run particle for particle:
 * constant surface Stokes drift (0.15, -0.1) m/s given as `sea_surface_wave_stokes_drift_x/y_velocity`,
 * applied as a third move after the jibe draw. Fixture: stokes_wind10E_piw1_dt900.{nc,json}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { constantSampler, createVectorSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { silentLogger } from '../../src/logger.js';
import { writeNetcdf } from '../../src/netcdf/index.js';
import { closeSimulationPool, simulate } from '../../src/threads/simulate.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel, type RunInputs } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** float32 output rounding, as the other OpenDrift comparisons (0.42 m in latitude at 45° N). */
const TOLERANCE_M = 1;

describe('Stokes drift (0.15, -0.1) m/s, wind 10 m/s east (PIW-1, dt 900 s, 6 h) with rng "opendrift"', () => {
  const { inputs, nc, n, nT } = readReference('stokes_wind10E_piw1_dt900');
  const stokes = (inputs as RunInputs & { stokes: [number, number] }).stokes;
  const run = (withStokes: boolean) =>
    simulateLocal(referenceModel(inputs), {
      wind: constantSampler(inputs.wind[0], inputs.wind[1]),
      current: constantSampler(inputs.current[0], inputs.current[1]),
      stokes: withStokes ? constantSampler(stokes[0], stokes[1]) : null,
      land: null,
    });
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];

  it(`keeps every particle within ${TOLERANCE_M} m of OpenDrift at every hour`, () => {
    expect(inputs.configs).toEqual({ 'drift:stokes_drift': true });
    const result = run(true);
    let worst = 0;
    for (let i = 0; i < n * nT; i++) worst = Math.max(worst, distanceM(at(lon, i), at(lat, i), at(result.lonDeg, i), at(result.latDeg, i)));
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('is kilometres away without the Stokes move (0.18 m/s for 6 h is ~3.9 km)', () => {
    const plain = run(false);
    const q = nT - 1;
    const d = distanceM(at(lon, q), at(lat, q), at(plain.lonDeg, q), at(plain.latDeg, q));
    expect(d).toBeGreaterThan(3800);
    expect(d).toBeLessThan(4000);
  });
});

describe('Stokes drift from a job: forcing.stokes (constant or file) through loadForcing and the threads', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-stokes-'));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeSimulationPool();
  });
  // The wave file is a local file in this test's own directory: allowed for queued jobs only there.
  const config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir });
  const params = (extra: Record<string, unknown>) =>
    validateJob({
      mission_id: 'stokes',
      params: {
        latitude: 45, longitude: -30, start_time: '2024-01-01T00:00:00Z', duration_hours: 6, num_particles: 1000, object_type: 1,
        time_step_seconds: 900, rng: 'opendrift', coastline_action: 'none', stokes_drift: true, ...extra,
      },
    }).params;
  const load = (p: ReturnType<typeof params>) => loadForcingFor(p, toModelParams(p), { config, s3: null, logger: silentLogger });
  const wind = { constant: [10, 0] };
  const current = { constant: [0, 0] };

  it('reproduces the OpenDrift reference on worker threads from a constant forcing.stokes', async () => {
    const p = params({ forcing: { wind, current, stokes: { constant: [0.15, -0.1] } } });
    const model = toModelParams(p);
    const forcing = await load(p);
    expect(forcing.sources.stokes?.description).toBe('constant [0.15, -0.1] m/s');
    const result = await simulate({ model, forcing, land: null, threads: 1, recordEnvironment: false });
    const { nc, n, nT } = readReference('stokes_wind10E_piw1_dt900');
    const lon = nc.getDataVariable('lon') as number[];
    const lat = nc.getDataVariable('lat') as number[];
    let worst = 0;
    for (let i = 0; i < n * nT; i++) worst = Math.max(worst, distanceM(at(lon, i), at(lat, i), at(result.lonDeg, i), at(result.latDeg, i)));
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('reads sea_surface_wave_stokes_drift_x/y_velocity from a NetCDF file by standard name', async () => {
    const file = path.join(dir, 'waves.nc');
    const nx = 5;
    const ny = 4;
    const nt = 2;
    const t0 = Date.UTC(2024, 0, 1) / 1000;
    await writeNetcdf(file, {
      dims: [{ name: 'time', size: nt }, { name: 'lat', size: ny }, { name: 'lon', size: nx }],
      attrs: {},
      vars: [
        { name: 'time', type: 'double', dims: ['time'], attrs: { units: 'seconds since 1970-01-01 00:00:00', standard_name: 'time' }, values: [t0, t0 + 12 * 3600] },
        { name: 'lat', type: 'double', dims: ['lat'], attrs: { units: 'degrees_north', standard_name: 'latitude' }, values: [44, 44.5, 45, 45.5] },
        { name: 'lon', type: 'double', dims: ['lon'], attrs: { units: 'degrees_east', standard_name: 'longitude' }, values: [-31, -30.5, -30, -29.5, -29] },
        { name: 'ust', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'sea_surface_wave_stokes_drift_x_velocity' }, values: new Float32Array(nt * ny * nx).fill(0.15) },
        { name: 'vst', type: 'float', dims: ['time', 'lat', 'lon'], attrs: { units: 'm s-1', standard_name: 'sea_surface_wave_stokes_drift_y_velocity' }, values: new Float32Array(nt * ny * nx).fill(-0.1) },
      ],
    });
    const forcing = await load(params({ forcing: { wind, current, stokes: { uri: file } } }));
    expect(forcing.stokes?.kind).toBe('grid');
    expect(forcing.sources.stokes?.variables).toEqual({ u: 'ust', v: 'vst' });
    const u = new Float32Array(1);
    const v = new Float32Array(1);
    createVectorSampler(forcing.stokes!).sample(Float64Array.of(-30.2), Float64Array.of(45.1), 0, 1, t0 + 3600, u, v);
    expect([u[0], v[0]]).toEqual([Math.fround(0.15), Math.fround(-0.1)]);
  });

  it('refuses stokes_drift without Stokes forcing, naming the field', async () => {
    await expect(load(params({ forcing: { wind, current } }))).rejects.toMatchObject({ code: 'E_JOB_INVALID', message: expect.stringMatching(/^params\.forcing\.stokes: /) });
  });
});
