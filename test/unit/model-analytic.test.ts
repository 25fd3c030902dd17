/**
 * Analytic and measured facts of the Leeway model: pure current transport, OpenDrift's calm-wind drift,
 * which side "right" drifts to, jibing and capsizing statistics, and forward/backward symmetry.
 */
import geodesic from 'geographiclib-geodesic';
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { findCategory } from '../../src/model/objects.js';
import { planRun } from '../../src/model/plan.js';
import { BlockStream } from '../../src/model/rng-fast.js';
import { NumpyRandomState } from '../../src/model/rng-numpy.js';
import { SeedGeometry, seedRange } from '../../src/model/seeding.js';
import { runOpenDriftOrder, runSeeded, simulateLocal } from '../../src/model/simulation.js';
import { allocateSimArrays, type SimArrays } from '../../src/model/state.js';
import { createStepContext, jibeProbabilityPerStep } from '../../src/model/step.js';
import { STATUS, type ModelParams } from '../../src/model/types.js';
import { distanceM, eastNorthKm, loadScenario, readFixture } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

const WGS84 = geodesic.Geodesic.WGS84;
const T0 = Date.UTC(2024, 0, 1) / 1000;

function model(overrides: Partial<ModelParams> & { category?: ModelParams['category'] }): ModelParams {
  return {
    category: findCategory(1)!,
    numParticles: 1000,
    seed: 0,
    rng: 'opendrift',
    startTimeSec: T0,
    durationSec: 24 * 3600,
    timeStepSec: 900,
    outputStepSec: 3600,
    seeding: { lonDeg: -30, latDeg: 45, radiusM: 0, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}

/** A run with numpy's generator that returns its arrays (final state included). */
function runArrays(m: ModelParams, wind: [number, number], current: [number, number]): SimArrays {
  const plan = planRun(m);
  const arrays = allocateSimArrays(m.numParticles, plan.nTimes, { recordEnvironment: false, land: false });
  const ctx = createStepContext(m, plan, arrays, { wind: constantSampler(...wind), current: constantSampler(...current), land: null, recordEnvironment: false });
  runOpenDriftOrder(m, ctx);
  return arrays;
}

interface Checks {
  crosswind_side: { mean_dlat_deg_orientation0_by_hour: number[]; mean_dlat_deg_orientation1_by_hour: number[] };
  zero_wind: { mean_north_km: number; mean_east_km: number; orientation0_mean_east_km: number; orientation1_mean_east_km: number };
  jibing: Record<'900' | '3600', { per_step_jibe_probability: number; fraction_with_odd_number_of_jibes_after_24h: number; observed_hourly_sign_changes_per_particle_per_hour: number }>;
  capsize_test_forward: { capsized_sum: number };
}
const checks = readFixture<Checks>('checks.json');

describe('pure current transport (category 67 SLDMB: every coefficient is zero)', () => {
  const sldmb = findCategory('SLDMB')!;

  it.each([
    ['north at 45° N', -30, 45, [0, 0.5] as [number, number], 0],
    ['east along the equator', 10, 0, [0.7, 0] as [number, number], 90],
    ['south at 70° S', 120, -70, [0, -1.2] as [number, number], 180],
  ])('moves every particle exactly v·t (%s)', (_label, lon0, lat0, current, azDeg) => {
    for (const rng of ['opendrift', 'fast'] as const) {
      const m = model({ category: sldmb, rng, numParticles: 50, seeding: { lonDeg: lon0, latDeg: lat0, radiusM: 0, radiusType: 'gaussian' } });
      const r = simulateLocal(m, { wind: constantSampler(8, -3), current: constantSampler(...current), land: null });
      const T = r.nTimes;
      const speed = Math.hypot(...current);
      for (let t = 0; t < T; t++) {
        // Along a meridian or the equator the azimuth stays constant, so the steps add up to one geodesic.
        const d = WGS84.Direct(lat0, lon0, azDeg, speed * 3600 * t);
        for (let p = 0; p < 50; p++) {
          // Records are float32: equal to the exact position rounded to float32 (the double state is
          // checked to 1 mm below).
          expect([r.lonDeg[p * T + t], r.latDeg[p * T + t]]).toEqual([Math.fround(d.lon2!), Math.fround(d.lat2!)]);
        }
      }
    }
  });

  it('keeps the double-precision state within 1 mm of v·t after 96 steps', () => {
    const m = model({ category: sldmb, numParticles: 10 });
    const arrays = runArrays(m, [5, 5], [0, 0.5]);
    const d = WGS84.Direct(45, -30, 0, 0.5 * 86_400);
    for (let p = 0; p < 10; p++) expect(distanceM(d.lon2!, d.lat2!, at(arrays.state.lonDeg, p), at(arrays.state.latDeg, p))).toBeLessThan(1e-3);
  });

  it("ends where OpenDrift's passive tracer ends (scenario b, 0.5 m/s north for 24 h)", () => {
    const { scenario } = loadScenario('b_current05N_nowind_piw1_dt900');
    const last = at(scenario.hourly, scenario.hourly.length - 1);
    const m = model({ category: sldmb, numParticles: 1 });
    const arrays = runArrays(m, [0, 0], [0, 0.5]);
    // The fixture holds OpenDrift's float32 position (printed to 7 decimals, enough to identify a float32
    // at these magnitudes): ours rounded to float32 is the same number.
    expect(Math.fround(at(arrays.state.lonDeg, 0))).toBe(Math.fround(last.ref_passive_tracer_lon!));
    expect(Math.fround(at(arrays.state.latDeg, 0))).toBe(Math.fround(last.ref_passive_tracer_lat!));
  });
});

describe("OpenDrift's calm-wind behaviour (checks.json zero_wind: PIW-6, no wind, no current, 24 h)", () => {
  // atan2(0, 0) = 0 makes "downwind" north: DWOFFSET 10.2 cm/s + eps/2 pushes north, the crosswind
  // offsets (±3.9 cm/s) push orientation 0 west (left of north) and orientation 1 east.
  const m = model({ category: findCategory('PIW-6')!, timeStepSec: 3600 });
  const r = simulateLocal(m, { wind: constantSampler(0, 0), current: constantSampler(0, 0), land: null });
  const T = r.nTimes;
  const east: number[][] = [[], []];
  let sumNorth = 0;
  let sumEast = 0;
  for (let p = 0; p < r.nParticles; p++) {
    const [e, n] = eastNorthKm(at(r.lonDeg, p * T + T - 1), at(r.latDeg, p * T + T - 1), -30, 45);
    sumNorth += n;
    sumEast += e;
    at(east, at(r.coefficients.orientation, p)).push(e);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

  it('drifts 8.754 km north on average, as OpenDrift (within 1 m)', () => {
    expect(Math.abs(sumNorth / r.nParticles - checks.zero_wind.mean_north_km)).toBeLessThan(1e-3);
    expect(Math.abs(sumEast / r.nParticles - checks.zero_wind.mean_east_km)).toBeLessThan(1e-3);
  });

  it('sends orientation 0 west and orientation 1 east by the crosswind offsets, as OpenDrift (within 1 m)', () => {
    expect(Math.abs(mean(at(east, 0)) - checks.zero_wind.orientation0_mean_east_km)).toBeLessThan(1e-3);
    expect(Math.abs(mean(at(east, 1)) - checks.zero_wind.orientation1_mean_east_km)).toBeLessThan(1e-3);
  });
});

describe('crosswind side (checks.json crosswind_side: FISHING-VESSEL-1, wind 10 m/s to the east, no jibing)', () => {
  it('moves orientation 0 ("RIGHT", CWR coefficients) north, i.e. LEFT of downwind, by OpenDrift\'s amounts', () => {
    const m = model({ category: findCategory(50)!, jibeProbabilityPerHour: 0, durationSec: 3 * 3600 });
    const r = simulateLocal(m, { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null });
    const T = r.nTimes;
    for (let t = 0; t < T; t++) {
      const dLat: number[][] = [[], []];
      for (let p = 0; p < r.nParticles; p++) at(dLat, at(r.coefficients.orientation, p)).push(at(r.latDeg, p * T + t) - 45);
      const m0 = at(dLat, 0).reduce((a, b) => a + b, 0) / at(dLat, 0).length;
      const m1 = at(dLat, 1).reduce((a, b) => a + b, 0) / at(dLat, 1).length;
      // 1e-7° (1 cm): the fixture's printed precision.
      expect(Math.abs(m0 - at(checks.crosswind_side.mean_dlat_deg_orientation0_by_hour, t))).toBeLessThan(1e-7);
      expect(Math.abs(m1 - at(checks.crosswind_side.mean_dlat_deg_orientation1_by_hour, t))).toBeLessThan(1e-7);
    }
  });
});

describe('jibing (checks.json jibing: PIW-1, 20 000 particles, 24 h)', () => {
  it.each([900, 3600] as const)('reproduces OpenDrift\'s jibe statistics with rng "opendrift" (dt %d s)', (dt) => {
    const c = checks.jibing[String(dt) as '900' | '3600'];
    expect(jibeProbabilityPerStep(0.04, dt)).toBeCloseTo(c.per_step_jibe_probability, 7);
    const m = model({ numParticles: 20_000, timeStepSec: dt });
    const r = simulateLocal(m, { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null });
    const T = r.nTimes;
    let odd = 0;
    let changes = 0;
    for (let p = 0; p < r.nParticles; p++) {
      if (r.orientation[p * T + T - 1] !== r.coefficients.orientation[p]) odd++;
      for (let t = 1; t < T; t++) if (r.orientation[p * T + t] !== r.orientation[p * T + t - 1]) changes++;
    }
    // Same draws as OpenDrift: the counts are equal, not just close.
    expect(odd / r.nParticles).toBe(c.fraction_with_odd_number_of_jibes_after_24h);
    expect((changes / r.nParticles / 24).toFixed(6)).toBe(c.observed_hourly_sign_changes_per_particle_per_hour.toFixed(6));
  });

  it('jibes with the same statistics under rng "fast": odd-jibe fraction (1 − (1 − 2q)^N)/2', () => {
    const m = model({ numParticles: 20_000, rng: 'fast' });
    const r = simulateLocal(m, { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null });
    const T = r.nTimes;
    let odd = 0;
    for (let p = 0; p < r.nParticles; p++) if (r.orientation[p * T + T - 1] !== r.coefficients.orientation[p]) odd++;
    const q = jibeProbabilityPerStep(0.04, 900);
    const expected = (1 - (1 - 2 * q) ** 96) / 2;
    // Binomial standard error for 20 000 particles: 0.0035; 4 standard errors.
    expect(Math.abs(odd / r.nParticles - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / r.nParticles));
  });
});

describe("capsizing (OpenDrift's test_capsize: PIW-1, wind 25 m/s, threshold 30 ± 3 m/s, 6 h at 900 s)", () => {
  const capsizing = { windThresholdMps: 30, windThresholdSigmaMps: 3, leewayFraction: 0.4 };
  const base = model({ numParticles: 100, seeding: { lonDeg: 0, latDeg: 60, radiusM: 0, radiusType: 'gaussian' }, capsizing, durationSec: 6 * 3600, outputStepSec: 900 });
  const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

  it('capsizes 18 of 100 forward, exactly as OpenDrift', () => {
    const arrays = runArrays(base, [25, 0], [0, 0]);
    expect(sum(arrays.state.capsized)).toBe(checks.capsize_test_forward.capsized_sum);
  });

  it('never capsizes upright objects in a backward run', () => {
    expect(sum(runArrays({ ...base, timeStepSec: -900 }, [25, 0], [0, 0]).state.capsized)).toBe(0);
  });

  it('rights 18 of 100 capsized objects in a backward run (OpenDrift: sum 82)', () => {
    const m = { ...base, timeStepSec: -900 };
    const plan = planRun(m);
    const arrays = allocateSimArrays(100, plan.nTimes, { recordEnvironment: false, land: false });
    const ctx = createStepContext(m, plan, arrays, { wind: constantSampler(25, 0), current: constantSampler(0, 0), land: null, recordEnvironment: false });
    const rng = new NumpyRandomState(0);
    seedRange(m, new SeedGeometry(m), plan, arrays, 0, 100, rng);
    arrays.state.capsized.fill(1);
    runSeeded(ctx, 0, 100, rng);
    expect(sum(arrays.state.capsized)).toBe(82);
  });

  it('cuts the leeway of capsized objects to the leeway fraction (40 %)', () => {
    // No jibing and a wind far above the threshold: every object capsizes in the first step.
    const m = model({ numParticles: 2, category: findCategory(50)!, jibeProbabilityPerHour: 0, capsizing: { ...capsizing, windThresholdMps: 1 }, timeStepSec: 3600, durationSec: 7200 });
    const upright = runArrays({ ...m, capsizing: null }, [40, 0], [0, 0]);
    const capsized = runArrays(m, [40, 0], [0, 0]);
    const d = (a: SimArrays) => distanceM(-30, 45, at(a.state.lonDeg, 0), at(a.state.latDeg, 0));
    // float32 leeway times float32(0.4): the ratio is 0.4 within float32 rounding (1e-7 relative).
    expect(d(capsized) / d(upright)).toBeCloseTo(0.4, 6);
  });
});

describe('backward runs (negative time step)', () => {
  it("equal a forward run with negated forcing (OpenDrift's test_simulation_matches_forw_backward)", () => {
    const m = model({ category: findCategory(50)!, numParticles: 100, seeding: { lonDeg: 4.5, latDeg: 60, radiusM: 0, radiusType: 'gaussian' }, timeStepSec: 36_000, outputStepSec: 36_000, durationSec: 72_000 });
    const fwd = simulateLocal(m, { wind: constantSampler(-1.5, -10), current: constantSampler(-1.5, 0), land: null });
    const bwd = simulateLocal({ ...m, timeStepSec: -36_000 }, { wind: constantSampler(1.5, 10), current: constantSampler(1.5, 0), land: null });
    expect(bwd.timesSec[2]).toBe(m.startTimeSec - 72_000);
    // (−v)·(−dt) is v·dt: identical draws and displacements, so identical positions.
    expect(Array.from(bwd.lonDeg)).toEqual(Array.from(fwd.lonDeg));
    expect(Array.from(bwd.latDeg)).toEqual(Array.from(fwd.latDeg));
  });

  /** Runs m forward, then a backward run from the forward run's final state (same coefficients). */
  function forwardThenBack(m: ModelParams, wind: [number, number], current: [number, number]): { start: SimArrays; back: SimArrays } {
    const plan = planRun(m);
    const fwd = allocateSimArrays(m.numParticles, plan.nTimes, { recordEnvironment: false, land: false });
    const fctx = createStepContext(m, plan, fwd, { wind: constantSampler(...wind), current: constantSampler(...current), land: null, recordEnvironment: false });
    const rng = new BlockStream(m.seed, 0);
    seedRange(m, new SeedGeometry(m), plan, fwd, 0, m.numParticles, rng);
    const start = allocateSimArrays(m.numParticles, 1, { recordEnvironment: false, land: false });
    start.state.lonDeg.set(fwd.state.lonDeg);
    start.state.latDeg.set(fwd.state.latDeg);
    runSeeded(fctx, 0, m.numParticles, rng);
    const bm = { ...m, timeStepSec: -m.timeStepSec, startTimeSec: m.startTimeSec + m.durationSec };
    const bplan = planRun(bm);
    const back = allocateSimArrays(m.numParticles, bplan.nTimes, { recordEnvironment: false, land: false });
    back.coefficients.dwSlopePct.set(fwd.coefficients.dwSlopePct);
    back.coefficients.dwOffsetCmps.set(fwd.coefficients.dwOffsetCmps);
    back.coefficients.dwEpsCmps.set(fwd.coefficients.dwEpsCmps);
    back.coefficients.cwSlopePct.set(fwd.coefficients.cwSlopePct);
    back.coefficients.cwOffsetCmps.set(fwd.coefficients.cwOffsetCmps);
    back.coefficients.cwEpsCmps.set(fwd.coefficients.cwEpsCmps);
    back.coefficients.orientation.set(fwd.coefficients.orientation);
    back.state.orientation.set(fwd.state.orientation);
    back.state.lonDeg.set(fwd.state.lonDeg);
    back.state.latDeg.set(fwd.state.latDeg);
    back.state.sinLat.set(fwd.state.sinLat);
    back.state.cosLat.set(fwd.state.cosLat);
    back.state.status.fill(STATUS.NOT_RELEASED);
    back.state.releaseStep.fill(0);
    const bctx = createStepContext(bm, bplan, back, { wind: constantSampler(...wind), current: constantSampler(...current), land: null, recordEnvironment: false });
    runSeeded(bctx, 0, m.numParticles, new BlockStream(m.seed, 1));
    return { start, back };
  }

  it('returns a current-only run exactly to its start (0.8 m/s north, 24 h)', () => {
    const m = model({ category: findCategory('SLDMB')!, numParticles: 20, rng: 'fast', seeding: { lonDeg: 5, latDeg: 58, radiusM: 3000, radiusType: 'gaussian' } });
    const { start, back } = forwardThenBack(m, [0, 0], [0, 0.8]);
    for (let p = 0; p < 20; p++) {
      // Along meridians every step reverses exactly: only double rounding is left (< 1 µm).
      expect(distanceM(at(start.state.lonDeg, p), at(start.state.latDeg, p), at(back.state.lonDeg, p), at(back.state.latDeg, p))).toBeLessThan(1e-6);
    }
  });

  it('returns a leeway + current run near its start (no jibing, wind 12 m/s from the south-west, 24 h)', () => {
    const m = model({ category: findCategory(26)!, numParticles: 200, rng: 'fast', jibeProbabilityPerHour: 0, seeding: { lonDeg: 5, latDeg: 58, radiusM: 2000, radiusType: 'gaussian' } });
    const { start, back } = forwardThenBack(m, [8.5, 8.5], [0.3, -0.2]);
    let worst = 0;
    for (let p = 0; p < 200; p++) worst = Math.max(worst, distanceM(at(start.state.lonDeg, p), at(start.state.latDeg, p), at(back.state.lonDeg, p), at(back.state.latDeg, p)));
    // A geodesic step does not reverse exactly: the way back starts with the opposite of the forward
    // azimuth, not of the arrival azimuth, which differs by s·sin α·tan φ / N. With ~700 m moves at 58° N
    // each of the 192 moves is off by up to s²·tan φ/(2N) ≈ 0.06 m, the same way: 14 m measured.
    expect(worst).toBeLessThan(20);
  });
});
