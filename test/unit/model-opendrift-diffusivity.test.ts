/**
 * Horizontal diffusivity (issue 10 item 4) as OpenDrift's basemodel random walk, an extension to OpenDrift's
 * Leeway (which does not run it): after update(), east speeds sqrt(2D/|dt|)·normal() for every active
 * particle, then north speeds, then one geodesic move each. With rng "opendrift" it matches a real
 * OpenDrift 1.14.10 run of a Leeway subclass that lists horizontal_diffusivity (D = 10 m²/s from
 * environment:constant:horizontal_diffusivity): diffusivity_wind10E_cur_piw1_dt900.{nc,json}
 * (scripts/opendrift/make_references_options.py).
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { toModelParams, validateJob } from '../../src/job.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel, type RunInputs } from './model-helpers.js';

/** float32 output rounding, as the other OpenDrift comparisons (0.42 m in latitude at 45° N). */
const TOLERANCE_M = 1;

describe('horizontal diffusivity 10 m²/s (PIW-1, dt 900 s, 6 h) with rng "opendrift"', () => {
  const { inputs, nc, n, nT } = readReference('diffusivity_wind10E_cur_piw1_dt900');
  const c = (inputs as RunInputs & { constants: Record<string, number> }).constants;
  const run = (diffusivity: number) =>
    simulateLocal(referenceModel(inputs, { horizontalDiffusivityM2ps: diffusivity }), {
      wind: constantSampler(c.x_wind!, c.y_wind!),
      current: constantSampler(c.x_sea_water_velocity!, c.y_sea_water_velocity!),
      land: null,
    });
  const result = run(c.horizontal_diffusivity!);
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];
  const orientation = (nc.getDataVariable('orientation') as number[][]).flat();

  it(`keeps every particle within ${TOLERANCE_M} m of OpenDrift at every hour, with the same jibes`, () => {
    expect(c.horizontal_diffusivity).toBe(10);
    let worst = 0;
    let orientationMismatches = 0;
    for (let i = 0; i < n * nT; i++) {
      worst = Math.max(worst, distanceM(lon[i]!, lat[i]!, result.lonDeg[i]!, result.latDeg[i]!));
      if (orientation[i] !== result.orientation[i]) orientationMismatches++;
    }
    expect(orientationMismatches).toBe(0);
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('differs by tens of metres without the random walk (the comparison can fail)', () => {
    // sqrt(2·D·t) = sqrt(2·10·21600) = 657 m per axis after 6 h: most particles end far from OpenDrift's.
    const plain = run(0);
    let far = 0;
    for (let p = 0; p < n; p++) {
      const q = p * nT + nT - 1;
      if (distanceM(lon[q]!, lat[q]!, plain.lonDeg[q]!, plain.latDeg[q]!) > 50) far++;
    }
    expect(far).toBeGreaterThan(n / 2);
  });
});

describe('job field horizontal_diffusivity_m2ps', () => {
  const job = (extra: Record<string, unknown>) => ({ mission_id: 'd', params: { latitude: 45, longitude: -30, start_time: '2024-01-01T00:00:00Z', ...extra } });
  it('reaches the model (default 0: no random walk) and rejects negative values', () => {
    expect(toModelParams(validateJob(job({ horizontal_diffusivity_m2ps: 10 })).params).horizontalDiffusivityM2ps).toBe(10);
    expect(toModelParams(validateJob(job({})).params).horizontalDiffusivityM2ps).toBe(0);
    expect(() => validateJob(job({ horizontal_diffusivity_m2ps: -1 }))).toThrow(/horizontal_diffusivity_m2ps/);
  });
});
