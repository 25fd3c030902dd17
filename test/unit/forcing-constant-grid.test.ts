/**
 * "A gridded field that is constant in space and time gives exactly the results of the same constants":
 * CF files written by scripts/make-forcing --constant (NetCDF-3 and NetCDF-4) are loaded through
 * loadForcing and drive the model with rng "opendrift"; every particle must end bit-identical to the run
 * with {constant: [u, v]}, and within 1 m of real OpenDrift (test/fixtures/opendrift).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { constantSampler, createVectorSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { silentLogger } from '../../src/logger.js';
import { simulateLocal } from '../../src/model/simulation.js';
import type { TrajectoryResult } from '../../src/model/types.js';
import { closeSimulationPool, simulate } from '../../src/threads/simulate.js';
import { currentField, T0_SEC, writePolarFile } from '../../scripts/make-forcing.lib.mjs';
import { distanceM, loadScenario, scenarioModel } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-constant-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeSimulationPool();
});

/** scripts/make-forcing --constant, as a user would run it (area 32..28°W 43..47°N, 49 hourly records). */
function makeConstant(file: string, kind: 'wind' | 'current', u: number, v: number): string {
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--constant', file, '--kind', kind, `--u=${u}`, `--v=${v}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

function samePositions(a: TrajectoryResult, b: TrajectoryResult): boolean {
  return Buffer.from(a.lonDeg.buffer).equals(Buffer.from(b.lonDeg.buffer)) && Buffer.from(a.latDeg.buffer).equals(Buffer.from(b.latDeg.buffer));
}

/** 1 m: the model's own agreement with OpenDrift for constants (test/unit/model-opendrift.test.ts). */
const TOLERANCE_M = 1;

describe.each([
  ['a_wind10E_piw1_dt900', 'nc'],
  ['b_current05N_nowind_liferaft_nb1_dt3600', 'nc4'],
])('OpenDrift scenario %s with constant gridded forcing (.%s)', (name, ext) => {
  it('gives bit-identical trajectories to the same constants, and OpenDrift\'s final positions within 1 m', async () => {
    const { scenario, particles } = loadScenario(name);
    const f = scenario.inputs.forcing;
    const model = scenarioModel(scenario.inputs, 'opendrift');
    const windFile = makeConstant(path.join(dir, `${name}_wind.${ext}`), 'wind', f.x_wind, f.y_wind);
    const currentFile = makeConstant(path.join(dir, `${name}_current.${ext}`), 'current', f.x_sea_water_velocity, f.y_sea_water_velocity);
    const params = validateJob({
      mission_id: name,
      params: {
        latitude: scenario.inputs.seed_lat,
        longitude: scenario.inputs.seed_lon,
        start_time: `${scenario.inputs.seed_time.replace(' ', 'T')}Z`,
        duration_hours: scenario.inputs.duration_s / 3600,
        num_particles: scenario.inputs.number,
        object_type: scenario.inputs.object.object_type,
        forcing: { wind: { uri: windFile }, current: { uri: currentFile }, land: { constant: 0 } },
      },
    }).params;
    const forcing = await loadForcingFor(params, model, { config: loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir }), s3: null, logger: silentLogger });
    expect(forcing.wind.kind).toBe('grid');
    expect(forcing.current.kind).toBe('grid');

    // The production path: descriptors handed to simulate(), which samples them on a worker thread.
    const gridded = await simulate({ model, forcing, land: null, threads: 2, recordEnvironment: true });
    const constant = simulateLocal(model, {
      wind: constantSampler(f.x_wind, f.y_wind),
      current: constantSampler(f.x_sea_water_velocity, f.y_sea_water_velocity),
      land: null,
      recordEnvironment: true,
    });
    expect(samePositions(gridded, constant)).toBe(true);
    expect(Buffer.from(gridded.env!.windUMps.buffer).equals(Buffer.from(constant.env!.windUMps.buffer))).toBe(true);
    expect(Array.from(gridded.orientation)).toEqual(Array.from(constant.orientation));

    let worst = 0;
    const T = gridded.nTimes;
    for (let p = 0; p < scenario.inputs.number; p++) {
      const [lon, lat] = at(particles.final, p);
      worst = Math.max(worst, distanceM(lon!, lat!, at(gridded.lonDeg, p * T + T - 1), at(gridded.latDeg, p * T + T - 1)));
    }
    expect(worst).toBeLessThan(TOLERANCE_M);
  });
});

describe('gridded descriptors on worker threads (rng "fast", 2 threads, 3 blocks)', () => {
  it('lon/lat constant grids: bit-identical to constants; a projected grid: identical to the same sampler on the calling thread', async () => {
    const { scenario } = loadScenario('a_wind10E_piw1_dt900');
    const model = scenarioModel(scenario.inputs, 'fast', { numParticles: 2 * 4096 + 10, durationSec: 12 * 3600, seeding: { lonDeg: -30, latDeg: 45, radiusM: 2000, radiusType: 'gaussian' } });
    const params = (forcing: Record<string, unknown>) =>
      validateJob({ mission_id: 'threads', params: { latitude: 45, longitude: -30, start_time: '2024-01-01T00:00:00Z', duration_hours: 12, forcing } }).params;
    // Local forcing files: opted in for this test's directory (queued jobs get no local files by default).
    const config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir });
    const ctx = { config, s3: null, logger: silentLogger };
    const wind = makeConstant(path.join(dir, 'threads_wind.nc4'), 'wind', 7.25, -3.5);
    const current = makeConstant(path.join(dir, 'threads_current.nc'), 'current', 0.2, 0.35);
    const gridForcing = await loadForcingFor(params({ wind: { uri: wind }, current: { uri: current } }), model, ctx);
    const constForcing = await loadForcingFor(params({ wind: { constant: [7.25, -3.5] }, current: { constant: [0.2, 0.35] } }), model, ctx);
    const a = await simulate({ model, forcing: gridForcing, land: null, threads: 2, recordEnvironment: false });
    const b = await simulate({ model, forcing: constForcing, land: null, threads: 2, recordEnvironment: false });
    expect(samePositions(a, b)).toBe(true);

    // A polar-stereographic current (lattice + rotation in the threads) near 6°E 60°N.
    const polar = path.join(dir, 'threads_polar.nc4');
    await writePolarFile(polar, { format: 'nc4', centerLon: 6, centerLat: 60, nx: 80, ny: 80, dxKm: 4, timesSec: Array.from({ length: 13 }, (_, i) => T0_SEC + i * 3600), field: currentField });
    const pm = { ...model, startTimeSec: T0_SEC, seeding: { lonDeg: 6.2, latDeg: 60.1, radiusM: 3000, radiusType: 'gaussian' as const } };
    const pf = await loadForcingFor(
      validateJob({ mission_id: 'polar', params: { latitude: 60.1, longitude: 6.2, start_time: '2024-01-01T00:00:00Z', duration_hours: 12, forcing: { wind: { constant: [5, 5] }, current: { uri: polar } } } }).params,
      pm,
      ctx,
    );
    expect(pf.current.kind === 'grid' && pf.current.grid.layout).toBe('projected');
    const threaded = await simulate({ model: pm, forcing: pf, land: null, threads: 2, recordEnvironment: true });
    const local = simulateLocal(pm, { wind: createVectorSampler(pf.wind), current: createVectorSampler(pf.current), land: null, recordEnvironment: true });
    expect(samePositions(threaded, local)).toBe(true);
    // The eddy really drove the particles: its swirl peaks at 0.5·0.71·e^-0.5 = 0.21 m/s, 0.28° from its
    // centre, on a 0.1 m/s eastward drift, so the particles (seeded 0.14° from the centre) saw 0.15-0.35 m/s.
    const cu = threaded.env!.currentUMps;
    const cv = threaded.env!.currentVMps;
    let maxSpeed = 0;
    for (let i = 0; i < cu.length; i++) if (Number.isFinite(at(cu, i))) maxSpeed = Math.max(maxSpeed, Math.hypot(at(cu, i), at(cv, i)));
    expect(maxSpeed).toBeGreaterThan(0.15);
    expect(maxSpeed).toBeLessThan(0.35);
  });
});
