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
import { loadForcing } from '../../src/forcing/load.js';
import { constantSampler, createVectorSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job.js';
import { silentLogger } from '../../src/logger.js';
import { simulateLocal } from '../../src/model/simulation.js';
import type { TrajectoryResult } from '../../src/model/types.js';
import { distanceM, loadScenario, scenarioModel } from './model-helpers.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-constant-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** scripts/make-forcing --constant, as a user would run it (area 32..28°W 43..47°N, 49 hourly records). */
function makeConstant(file: string, kind: 'wind' | 'current', u: number, v: number): string {
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--constant', file, '--kind', kind, '--u', String(u), '--v', String(v)], { encoding: 'utf8' });
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
    const forcing = await loadForcing(params, model, { config: loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache') }), s3: null, logger: silentLogger });
    expect(forcing.wind.kind).toBe('grid');
    expect(forcing.current.kind).toBe('grid');

    const gridded = simulateLocal(model, { wind: createVectorSampler(forcing.wind), current: createVectorSampler(forcing.current), land: null, recordEnvironment: true });
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
      const [lon, lat] = particles.final[p]!;
      worst = Math.max(worst, distanceM(lon!, lat!, gridded.lonDeg[p * T + T - 1]!, gridded.latDeg[p * T + T - 1]!));
    }
    expect(worst).toBeLessThan(TOLERANCE_M);
  });
});
