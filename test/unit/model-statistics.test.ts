/**
 * rng "fast" (the default) against OpenDrift: the same jobs agree statistically. With 1000 particles the
 * sampling noise of a centroid is ~0.3 km and of a spread ~3 % per run, so two independent runs differ by
 * ~0.45 km and ~4.5 % (1σ); the bounds (1 km, 10 %) are ~2.2σ.
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { distanceM, eastNorthKm, loadScenario, meanStd, scenarioModel, scenarioNames } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

describe.each(scenarioNames())('scenario %s with rng "fast"', (name) => {
  const { scenario } = loadScenario(name);
  const inputs = scenario.inputs;
  const f = inputs.forcing;
  const result = simulateLocal(scenarioModel(inputs, 'fast'), {
    wind: constantSampler(f.x_wind, f.y_wind),
    current: constantSampler(f.x_sea_water_velocity, f.y_sea_water_velocity),
    land: null,
  });
  const T = result.nTimes;

  it('puts the centroid within 1 km of OpenDrift\'s and the down-/crosswind spreads within 10 % at every hour', () => {
    for (let t = 1; t < T; t++) {
      const ref = at(scenario.hourly, t);
      // Downwind unit vector (sin d, cos d), crosswind-right (cos d, −sin d), as the fixture defines them.
      const d = (ref.wind_dir_to_deg_used * Math.PI) / 180;
      const down: number[] = [];
      const cross: number[] = [];
      let sLon = 0;
      let sLat = 0;
      for (let p = 0; p < result.nParticles; p++) {
        const lon = at(result.lonDeg, p * T + t);
        const lat = at(result.latDeg, p * T + t);
        sLon += lon;
        sLat += lat;
        const [e, n] = eastNorthKm(lon, lat, inputs.seed_lon, inputs.seed_lat);
        down.push(e * Math.sin(d) + n * Math.cos(d));
        cross.push(e * Math.cos(d) - n * Math.sin(d));
      }
      const label = `hour ${t}`;
      expect(distanceM(ref.centroid_lon, ref.centroid_lat, sLon / result.nParticles, sLat / result.nParticles), label).toBeLessThan(1000);
      expect(Math.abs(meanStd(down).std / ref.std_downwind_km - 1), label).toBeLessThan(0.1);
      expect(Math.abs(meanStd(cross).std / ref.std_crosswind_km - 1), label).toBeLessThan(0.1);
    }
  });
});

interface Analytic {
  mean_downwind_displacement_km_after_run: number;
  std_downwind_leeway_m_s_across_particles: number;
  downwind_eps_truncated_mean_cm_s: number;
}

describe('rng "fast" against the analytic truncated-normal leeway (100 000 particles, no sampling noise to speak of)', () => {
  it.each(['a_wind10E_piw1_dt3600', 'a_wind10E_fishing_vessel1_dt3600'])('%s: mean and spread of the downwind drift within 1 %', (name) => {
    const { scenario } = loadScenario(name);
    const analytic = (scenario as unknown as { analytic_expectation_constant_wind_no_current_part: Analytic }).analytic_expectation_constant_wind_no_current_part;
    const inputs = scenario.inputs;
    const n = 100_000;
    const r = simulateLocal(scenarioModel(inputs, 'fast', { numParticles: n }), { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null });
    const T = r.nTimes;
    const down: number[] = [];
    for (let p = 0; p < n; p++) down.push(eastNorthKm(at(r.lonDeg, p * T + T - 1), at(r.latDeg, p * T + T - 1), inputs.seed_lon, inputs.seed_lat)[0]);
    const { mean, std } = meanStd(down);
    // Standard errors for 1e5 particles: 0.3 % of the spread for the mean, 0.3 % for the spread.
    expect(Math.abs(mean / analytic.mean_downwind_displacement_km_after_run - 1)).toBeLessThan(0.01);
    expect(Math.abs(std / ((analytic.std_downwind_leeway_m_s_across_particles * inputs.duration_s) / 1000) - 1)).toBeLessThan(0.01);
    const epsMean = r.coefficients.dwEpsCmps.reduce((a, b) => a + b, 0) / n;
    // Truncated-normal mean: +1.408 cm/s for PIW-1 (truncated at −1.6σ), ~0 for FISHING-VESSEL-1 (−4.1σ).
    expect(Math.abs(epsMean - analytic.downwind_eps_truncated_mean_cm_s)).toBeLessThan(0.15);
  });
});
