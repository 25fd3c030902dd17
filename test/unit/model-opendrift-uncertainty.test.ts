/**
 * drift:wind_uncertainty and drift:current_uncertainty with rng "opendrift" reproduce a real OpenDrift
 * 1.14.10 run particle for particle: every step draws normal(0, sigma) per active particle for current x,
 * current y, wind x, wind y (in that order, before the capsizing and jibe draws), added to the float32
 * environment. Fixture: uncertainty_wind10E_cur_piw1_dt900.{nc,json} (scripts/opendrift/make_references.py).
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** float32 output rounding, as the other OpenDrift comparisons (0.42 m in latitude at 45° N). */
const TOLERANCE_M = 1;

describe('wind uncertainty 2 m/s and current uncertainty 0.1 m/s (PIW-1, dt 900 s, 6 h) with rng "opendrift"', () => {
  const { inputs, nc, n, nT } = readReference('uncertainty_wind10E_cur_piw1_dt900');
  const run = (withUncertainty: boolean) =>
    simulateLocal(referenceModel(inputs, withUncertainty ? { windUncertaintyMps: 2, currentUncertaintyMps: 0.1 } : {}), {
      wind: constantSampler(inputs.wind[0], inputs.wind[1]),
      current: constantSampler(inputs.current[0], inputs.current[1]),
      land: null,
    });
  const result = run(true);
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];
  const orientation = (nc.getDataVariable('orientation') as number[][]).flat();

  it(`keeps every particle within ${TOLERANCE_M} m of OpenDrift at every hour, with the same orientation (same jibe draws)`, () => {
    expect(inputs.configs).toEqual({ 'drift:wind_uncertainty': 2, 'drift:current_uncertainty': 0.1 });
    let worst = 0;
    let orientationMismatches = 0;
    for (let i = 0; i < n * nT; i++) {
      worst = Math.max(worst, distanceM(at(lon, i), at(lat, i), at(result.lonDeg, i), at(result.latDeg, i)));
      if (orientation[i] !== result.orientation[i]) orientationMismatches++;
    }
    expect(orientationMismatches).toBe(0);
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('differs by hundreds of metres without the perturbations (the comparison can fail)', () => {
    const plain = run(false);
    let far = 0;
    for (let p = 0; p < n; p++) {
      const q = p * nT + nT - 1;
      if (distanceM(at(lon, q), at(lat, q), at(plain.lonDeg, q), at(plain.latDeg, q)) > 100) far++;
    }
    expect(far).toBeGreaterThan(n / 2);
  });
});

describe('job fields wind_uncertainty_mps / current_uncertainty_mps', () => {
  const job = (extra: Record<string, unknown>) => ({ mission_id: 'u', params: { latitude: 45, longitude: -30, start_time: '2024-01-01T00:00:00Z', ...extra } });
  it('reach the model (default 0, OpenDrift\'s default) and reject negative values', () => {
    const m = toModelParams(validateJob(job({ wind_uncertainty_mps: 2, current_uncertainty_mps: 0.1 })).params);
    expect([m.windUncertaintyMps, m.currentUncertaintyMps]).toEqual([2, 0.1]);
    const d = toModelParams(validateJob(job({})).params);
    expect([d.windUncertaintyMps, d.currentUncertaintyMps]).toEqual([0, 0]);
    expect(() => validateJob(job({ wind_uncertainty_mps: -1 }))).toThrow(/wind_uncertainty_mps/);
  });
});
