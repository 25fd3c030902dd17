/**
 * Capsizing with rng "opendrift" reproduces a real OpenDrift 1.14.10 run with `processes:capsizing` at a
 * 30 m/s wind (p = 0.5 per hour, the tanh threshold), particle for particle: the capsized flag of every
 * particle at every output hour, and its position within 1 m.
 * Fixture: test/fixtures/opendrift/capsize_wind30N_piw1_dt900.{nc,json} (scripts/opendrift/make_references.py).
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** float32 output rounding, as the other OpenDrift comparisons (0.42 m in latitude at 45° N). */
const TOLERANCE_M = 1;

describe('capsizing at 30 m/s wind (PIW-1, dt 900 s, 6 h) with rng "opendrift"', () => {
  const { inputs, nc, n, nT } = readReference('capsize_wind30N_piw1_dt900');
  // OpenDrift's defaults: capsizing:wind_threshold 30, wind_threshold_sigma 5, leeway_fraction 0.4.
  const model = referenceModel(inputs, { capsizing: { windThresholdMps: 30, windThresholdSigmaMps: 5, leewayFraction: 0.4 } });
  const result = simulateLocal(model, {
    wind: constantSampler(inputs.wind[0], inputs.wind[1]),
    current: constantSampler(inputs.current[0], inputs.current[1]),
    land: null,
  });
  const capsized = (nc.getDataVariable('capsized') as number[][]).flat();
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];

  it('capsizes the same particles at the same hours as OpenDrift (957 of 1000 after 6 h)', () => {
    const mismatches: string[] = [];
    for (let i = 0; i < n * nT; i++) {
      if (capsized[i] !== result.capsized[i]) mismatches.push(`particle ${Math.floor(i / nT)} hour ${i % nT}: ours ${result.capsized[i]} OpenDrift ${capsized[i]}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    let last = 0;
    for (let p = 0; p < n; p++) last += at(result.capsized, p * nT + nT - 1);
    expect(last).toBe(957);
    // The flag at seeding stays what it was: nobody starts capsized.
    expect(result.coefficients.capsized.every((c) => c === 0)).toBe(true);
  });

  it(`keeps every particle within ${TOLERANCE_M} m of OpenDrift at every hour (leeway reduced to 40 % once capsized)`, () => {
    let worst = 0;
    for (let i = 0; i < n * nT; i++) worst = Math.max(worst, distanceM(at(lon, i), at(lat, i), at(result.lonDeg, i), at(result.latDeg, i)));
    expect(worst).toBeLessThan(TOLERANCE_M);
  });
});
