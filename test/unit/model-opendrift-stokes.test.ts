/**
 * drift:stokes_drift with rng "opendrift" reproduces a real OpenDrift 1.14.10 run particle for particle:
 * constant surface Stokes drift (0.15, -0.1) m/s given as `sea_surface_wave_stokes_drift_x/y_velocity`,
 * applied as a third move after the jibe draw. Fixture: stokes_wind10E_piw1_dt900.{nc,json}.
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, readReference, referenceModel, type RunInputs } from './model-helpers.js';

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
    for (let i = 0; i < n * nT; i++) worst = Math.max(worst, distanceM(lon[i]!, lat[i]!, result.lonDeg[i]!, result.latDeg[i]!));
    expect(worst).toBeLessThan(TOLERANCE_M);
  });

  it('is kilometres away without the Stokes move (0.18 m/s for 6 h is ~3.9 km)', () => {
    const plain = run(false);
    const q = nT - 1;
    const d = distanceM(lon[q]!, lat[q]!, plain.lonDeg[q]!, plain.latDeg[q]!);
    expect(d).toBeGreaterThan(3800);
    expect(d).toBeLessThan(4000);
  });
});
