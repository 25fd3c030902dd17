/**
 * A backward run with rng "opendrift" reproduces a real OpenDrift 1.14.10 backward Leeway run particle for
 * particle at every output hour, once particles are numbered as OpenDrift numbers them (it flips element
 * IDs at the start of a backward run: output row i is the particle seeded last-but-i).
 * Fixture: test/fixtures/opendrift/backward_wind10E_cur_piw1_dt-900.{nc,json} (scripts/opendrift/make_references.py).
 */
import { readFileSync } from 'node:fs';
import { NetCDFReader } from 'netcdfjs';
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { findCategory } from '../../src/model/objects.js';
import { particleOfRow } from '../../src/model/numbering.js';
import { simulateLocal } from '../../src/model/simulation.js';
import type { ModelParams } from '../../src/model/types.js';
import { distanceM, FIXTURES } from './model-helpers.js';

/** Same bound as the forward scenarios (model-opendrift.test.ts): float32 output rounding, 0.42 m in latitude at 45° N. */
const TOLERANCE_M = 1;

export interface RunInputs {
  wind: [number, number];
  current: [number, number];
  number: number;
  object_type: number;
  time_step_s: number;
  duration_h: number;
  radius_m: number;
  seed_time: string;
  lon: number;
  lat: number;
  configs: Record<string, unknown>;
}

/** Reads one of the trimmed OpenDrift outputs written by scripts/opendrift/make_references.py. */
export function readReference(name: string): { inputs: RunInputs; nc: NetCDFReader; nT: number; n: number } {
  const inputs = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as RunInputs;
  const nc = new NetCDFReader(readFileSync(new URL(`${name}.nc`, FIXTURES)));
  const n = nc.dimensions.find((d) => d.name === 'trajectory')!.size;
  const nT = nc.dimensions.find((d) => d.name === 'time')!.size;
  return { inputs, nc, n, nT };
}

export function referenceModel(inputs: RunInputs, overrides: Partial<ModelParams> = {}): ModelParams {
  return {
    category: findCategory(inputs.object_type)!,
    numParticles: inputs.number,
    seed: 0,
    rng: 'opendrift',
    startTimeSec: Date.parse(inputs.seed_time) / 1000,
    durationSec: inputs.duration_h * 3600,
    timeStepSec: inputs.time_step_s,
    outputStepSec: 3600,
    seeding: { lonDeg: inputs.lon, latDeg: inputs.lat, radiusM: inputs.radius_m, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}

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
        worst = Math.max(worst, distanceM(lon[row * nT + t]!, lat[row * nT + t]!, result.lonDeg[q]!, result.latDeg[q]!));
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
      if (distanceM(lon[q]!, lat[q]!, result.lonDeg[q]!, result.latDeg[q]!) > 1000) far++;
    }
    expect(far).toBeGreaterThan(n / 2);
  });
});
