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
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, eastNorthKm, meanStd, readReference, referenceModel, type RunInputs } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

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
      worst = Math.max(worst, distanceM(at(lon, i), at(lat, i), at(result.lonDeg, i), at(result.latDeg, i)));
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
      if (distanceM(at(lon, q), at(lat, q), at(plain.lonDeg, q), at(plain.latDeg, q)) > 50) far++;
    }
    expect(far).toBeGreaterThan(n / 2);
  });
});

describe('horizontal diffusivity with rng "fast"', () => {
  it('spreads a pure current follower (SLDMB, all Leeway coefficients 0) by sqrt(2·D·t) per axis', () => {
    // D = 10 m²/s over 6 h: sqrt(2 · 10 · 21 600) = 657.3 m. With 20 000 particles the sample standard
    // deviation's relative standard error is 1/sqrt(2N) = 0.5 %; 3 % is 6 of those.
    const inputs = readReference('diffusivity_wind10E_cur_piw1_dt900').inputs;
    const model = referenceModel({ ...inputs, number: 20_000, object_type: 67 }, { rng: 'fast', horizontalDiffusivityM2ps: 10 });
    const r = simulateLocal(model, { wind: constantSampler(0, 0), current: constantSampler(0, 0), land: null });
    const east: number[] = [];
    const north: number[] = [];
    for (let p = 0; p < r.nParticles; p++) {
      const q = p * r.nTimes + r.nTimes - 1;
      const [e, n] = eastNorthKm(at(r.lonDeg, q), at(r.latDeg, q), inputs.lon, inputs.lat);
      east.push(e * 1000);
      north.push(n * 1000);
    }
    const expected = Math.sqrt(2 * 10 * 6 * 3600);
    for (const axis of [east, north]) {
      const { mean, std } = meanStd(axis);
      expect(Math.abs(std / expected - 1)).toBeLessThan(0.03);
      expect(Math.abs(mean)).toBeLessThan((6 * expected) / Math.sqrt(axis.length)); // 6 standard errors of the mean
    }
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
