/**
 * A backward run with rng "opendrift" reproduces a real OpenDrift 1.14.10 backward Leeway run particle for
 * particle at every output hour, once particles are numbered as OpenDrift numbers them (it flips element
 * IDs at the start of a backward run: output row i is the particle seeded last-but-i).
 * Fixture: test/fixtures/opendrift/backward_wind10E_cur_piw1_dt-900.{nc,json} (scripts/opendrift/make_references.py).
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { particleOfRow } from '../../src/model/numbering.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** Same bound as the forward scenarios (model-opendrift.test.ts): float32 output rounding, 0.42 m in latitude at 45° N. */
const TOLERANCE_M = 1;

describe('backward run (wind 10 m/s east, current 0.2/0.3 m/s, PIW-1, 500 m radius, dt -900 s, 24 h) with rng "opendrift"', () => {
  const { inputs, nc, n, nT } = readReference('backward_wind10E_cur_piw1_dt-900');
  const model = referenceModel(inputs);
  const result = simulateLocal(model, {
    wind: constantSampler(inputs.wind[0], inputs.wind[1]),
    current: constantSampler(inputs.current[0], inputs.current[1]),
    land: null,
  });
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];
  // netcdfjs returns byte variables as one array per row.
  const orientation = (nc.getDataVariable('orientation') as number[][]).flat();

  it('has OpenDrift\'s descending record times', () => {
    expect(result.nTimes).toBe(nT);
    expect(Array.from(result.timesSec)).toEqual(nc.getDataVariable('time'));
  });

  it(`puts every particle within ${TOLERANCE_M} m of OpenDrift's trajectory of the same number at every output hour, with its orientation`, () => {
    let worst = 0;
    let orientationMismatches = 0;
    for (let row = 0; row < n; row++) {
      const p = particleOfRow(row, n, true);
      for (let t = 0; t < nT; t++) {
        const q = p * nT + t;
        worst = Math.max(worst, distanceM(at(lon, row * nT + t), at(lat, row * nT + t), at(result.lonDeg, q), at(result.latDeg, q)));
        if (orientation[row * nT + t] !== result.orientation[q]) orientationMismatches++;
      }
    }
    expect(orientationMismatches).toBe(0);
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('is off by kilometres without the renumbering (the check can fail)', () => {
    let far = 0;
    for (let p = 0; p < n; p++) {
      const q = p * nT + nT - 1;
      if (distanceM(at(lon, q), at(lat, q), at(result.lonDeg, q), at(result.latDeg, q)) > 1000) far++;
    }
    expect(far).toBeGreaterThan(n / 2);
  });
});
