/**
 * Seeding (point + radius, release window, cone), the run plan, and the fast generator's independence
 * from the order in which blocks are run (what makes results identical for any thread count).
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { GeodesicSegment } from '../../src/model/geodesy.js';
import { findCategory } from '../../src/model/objects.js';
import { planRun } from '../../src/model/plan.js';
import { BLOCK_SIZE } from '../../src/model/rng-fast.js';
import { divideRoundHalfEven } from '../../src/model/seeding.js';
import { blockCount, runBlocks, simulateLocal, trajectoryResult } from '../../src/model/simulation.js';
import { allocateSimArrays } from '../../src/model/state.js';
import { createStepContext } from '../../src/model/step.js';
import { STATUS, type ModelParams, type TrajectoryResult } from '../../src/model/types.js';
import { distanceM, eastNorthKm, meanStd } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

const T0 = Date.UTC(2024, 5, 1, 12) / 1000;
const calm = constantSampler(0, 0);

function params(overrides: Partial<ModelParams>): ModelParams {
  return {
    category: findCategory('LIFE-RAFT-SB-6')!,
    numParticles: 1000,
    seed: 11,
    rng: 'fast',
    startTimeSec: T0,
    durationSec: 6 * 3600,
    timeStepSec: 600,
    outputStepSec: 3600,
    seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 0, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}

function run(m: ModelParams): TrajectoryResult {
  return simulateLocal(m, { wind: constantSampler(9, 4), current: constantSampler(0.1, 0.05), land: null });
}

describe('run plan', () => {
  it('has duration/output step + 1 records, a step of |dt| and descending times for a backward run', () => {
    const fwd = planRun(params({}));
    expect([fwd.nTimes, fwd.nSteps, fwd.stepsPerOutput]).toEqual([7, 36, 6]);
    const bwd = planRun(params({ timeStepSec: -600 }));
    expect(bwd.timesSec[6]).toBe(T0 - 6 * 3600);
    expect(bwd.direction).toBe(-1);
  });

  it('rounds the duration up to whole output steps, as OpenDrift', () => {
    const p = planRun(params({ durationSec: 5.5 * 3600 }));
    expect(p.nTimes).toBe(7);
    expect(p.nSteps).toBe(36);
  });

  it('refuses an output step that is not a multiple of the time step, naming the field', () => {
    expect(() => planRun(params({ outputStepSec: 1000 }))).toThrow(/params\.output_step_seconds/);
    expect(() => planRun(params({ timeStepSec: 0 }))).toThrow(/params\.time_step_seconds/);
  });
});

describe('coefficients', () => {
  it('alternates orientation 0, 1, 0, 1 … and takes CWR coefficients for 0, CWL for 1', () => {
    const r = run(params({ category: findCategory('LIFE-RAFT-DB-10')!, numParticles: 10 }));
    const cat = findCategory('LIFE-RAFT-DB-10')!;
    for (let p = 0; p < 10; p++) {
      expect(r.coefficients.orientation[p]).toBe(p % 2);
      expect(r.coefficients.cwSlopePct[p]).toBe(Math.fround(p % 2 === 0 ? cat.cwrSlopePct : cat.cwlSlopePct));
      expect(r.coefficients.cwOffsetCmps[p]).toBe(Math.fround(p % 2 === 0 ? cat.cwrOffsetCmps : cat.cwlOffsetCmps));
      expect(r.coefficients.dwSlopePct[p]).toBe(Math.fround(cat.dwSlopePct));
    }
  });

  it('truncates the downwind perturbation so that no slope is negative (PIW-2: cut at −1.16σ)', () => {
    const cat = findCategory('PIW-2')!;
    const r = run(params({ category: cat, numParticles: 20_000 }));
    let min = Infinity;
    for (const e of r.coefficients.dwEpsCmps) min = Math.min(min, cat.dwSlopePct + e / 20);
    expect(min).toBeGreaterThanOrEqual(0);
    // Truncated-normal mean for a cut at −1.157σ: σ·φ(1.157)/(1 − Φ(−1.157)) = 8.3·0.2041/0.8764 = 1.93 cm/s.
    const mean = r.coefficients.dwEpsCmps.reduce((a, b) => a + b, 0) / r.nParticles;
    expect(mean).toBeCloseTo(1.93, 1);
  });
});

describe('release window', () => {
  it("releases particle k at start + k·(end − start)/(N − 1), rounded to the microsecond like Python's timedelta", () => {
    expect(divideRoundHalfEven(21_600_000_000, 99)).toBe(218_181_818);
    expect(divideRoundHalfEven(5, 2)).toBe(2); // ties to even
    expect(divideRoundHalfEven(7, 2)).toBe(4);
    expect(divideRoundHalfEven(-7, 2)).toBe(-4);
    const r = run(params({ numParticles: 5, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 0, radiusType: 'gaussian', endTimeSec: T0 + 4 * 3600 } }));
    expect(Array.from(r.coefficients.releaseTimeSec)).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * 3600));
  });

  it('keeps a particle out of the records until its release, then starts it from the seed position', () => {
    const m = params({ numParticles: 5, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 0, radiusType: 'gaussian', endTimeSec: T0 + 4 * 3600 } });
    const r = run(m);
    const T = r.nTimes;
    for (let p = 0; p < 5; p++) {
      for (let t = 0; t < T; t++) {
        const q = p * T + t;
        if (t < p) {
          expect(r.status[q]).toBe(STATUS.NOT_RELEASED);
          expect(r.lonDeg[q]).toBeNaN();
        } else {
          expect(r.status[q]).toBe(STATUS.ACTIVE);
          if (t === p) expect([r.lonDeg[q], r.latDeg[q]]).toEqual([Math.fround(12.5), Math.fround(54.2)]);
          else expect(distanceM(12.5, 54.2, at(r.lonDeg, q), at(r.latDeg, q))).toBeGreaterThan(100);
        }
      }
    }
    // Released particles integrate (6 - k) hours × 6 steps each.
    expect(r.particleSteps).toBe([6, 5, 4, 3, 2].reduce((a, h) => a + h * 6, 0));
  });

  it('releases into the past for a backward run (end_time before start_time)', () => {
    const m = params({ numParticles: 3, timeStepSec: -600, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 0, radiusType: 'gaussian', endTimeSec: T0 - 2 * 3600 } });
    const r = run(m);
    const T = r.nTimes;
    expect(Array.from(r.coefficients.releaseTimeSec)).toEqual([T0, T0 - 3600, T0 - 7200]);
    expect([r.status[T], r.status[T + 1]]).toEqual([STATUS.NOT_RELEASED, STATUS.ACTIVE]);
  });
});

describe('radius', () => {
  it('spreads a gaussian radius as a standard deviation in x and in y', () => {
    const r = run(params({ numParticles: 20_000, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 2000, radiusType: 'gaussian' } }));
    const T = r.nTimes;
    const e: number[] = [];
    const n: number[] = [];
    for (let p = 0; p < r.nParticles; p++) {
      const [x, y] = eastNorthKm(at(r.lonDeg, p * T), at(r.latDeg, p * T), 12.5, 54.2);
      e.push(x);
      n.push(y);
    }
    // Standard error of a standard deviation for 20 000 draws: 0.5 %; bound 2 %.
    expect(meanStd(e).std).toBeCloseTo(2, 1);
    expect(Math.abs(meanStd(e).std / 2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(meanStd(n).std / 2 - 1)).toBeLessThan(0.02);
    expect(Math.abs(meanStd(e).mean)).toBeLessThan(0.06);
  });

  it('spreads a uniform radius evenly over the disc', () => {
    const r = run(params({ numParticles: 20_000, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 1500, radiusType: 'uniform' } }));
    const T = r.nTimes;
    let inner = 0;
    for (let p = 0; p < r.nParticles; p++) {
      const d = distanceM(12.5, 54.2, at(r.lonDeg, p * T), at(r.latDeg, p * T));
      // float32 seed positions: 0.3 m of rounding.
      expect(d).toBeLessThan(1500.3);
      if (d < 750) inner++;
    }
    // A quarter of the disc's area lies within half the radius; binomial error 0.3 %, bound 1.5 %.
    expect(Math.abs(inner / r.nParticles - 0.25)).toBeLessThan(0.015);
  });
});

describe('cone seeding', () => {
  const m = params({
    numParticles: 4000,
    seeding: { lonDeg: 3, latDeg: 56, endLonDeg: 4, endLatDeg: 56.5, radiusM: 100, endRadiusM: 3000, radiusType: 'gaussian', endTimeSec: T0 + 3 * 3600 },
  });
  const r = run(m);
  const T = r.nTimes;

  it('spreads particles around the geodesic between the two positions, the radius growing from start to end', () => {
    const seg = new GeodesicSegment(3, 56, 4, 56.5);
    const centre = new Float64Array(2);
    // Per particle: its offset from its own centre, (p + 1)/(N + 1) along the geodesic, over its radius
    // linspace(100, 3000, N)[p]: a standard normal in east and in north.
    const z: number[] = [];
    const offsetsM: number[][] = [[], []];
    for (let p = 0; p < r.nParticles; p++) {
      seg.intermediatePoint(p, r.nParticles, centre);
      const radiusM = 100 + (p * 2900) / (r.nParticles - 1);
      const [e, n] = eastNorthKm(at(r.coefficients.seedLonDeg, p), at(r.coefficients.seedLatDeg, p), at(centre, 0), at(centre, 1));
      z.push((e * 1000) / radiusM, (n * 1000) / radiusM);
      if (p < 400) at(offsetsM, 0).push(e * 1000, n * 1000);
      if (p >= 3600) at(offsetsM, 1).push(e * 1000, n * 1000);
    }
    // 8000 standard normals: standard error of their spread 0.8 %; bound 3 %.
    expect(Math.abs(meanStd(z).std - 1)).toBeLessThan(0.03);
    // First tenth: radius 100–390 m; last tenth: 2710–3000 m.
    expect(meanStd(at(offsetsM, 0)).std).toBeLessThan(400);
    expect(meanStd(at(offsetsM, 1)).std).toBeGreaterThan(2500);
  });

  it('releases particles over the window in order', () => {
    expect(r.coefficients.releaseTimeSec[0]).toBe(T0);
    // Δ = 3 h / 3999 = 2 700 675.168… µs, rounded to 2 700 675 µs as Python's timedelta does.
    expect(r.coefficients.releaseTimeSec[r.nParticles - 1]).toBe(T0 + (3999 * 2_700_675) / 1e6);
    expect(r.status[(r.nParticles - 1) * T + 2]).toBe(STATUS.NOT_RELEASED);
  });
});

describe('rng "fast": one stream per block of particles', () => {
  it('gives identical results whatever order the blocks run in (so for any thread count)', () => {
    const m = params({ numParticles: 3 * BLOCK_SIZE + 123, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 800, radiusType: 'gaussian', endTimeSec: T0 + 3600 } });
    const inOrder = run(m);
    const plan = planRun(m);
    const arrays = allocateSimArrays(m.numParticles, plan.nTimes, { recordEnvironment: false, land: false });
    const ctx = createStepContext(m, plan, arrays, { wind: constantSampler(9, 4), current: constantSampler(0.1, 0.05), land: null, recordEnvironment: false });
    const order = [3, 1, 0, 2];
    expect(blockCount(m.numParticles)).toBe(4);
    const outcome = runBlocks(m, ctx, () => order.shift() ?? -1);
    const shuffled = trajectoryResult(plan, arrays, outcome.particleSteps);
    expect(shuffled.particleSteps).toBe(inOrder.particleSteps);
    expect(Buffer.from(shuffled.lonDeg.buffer).equals(Buffer.from(inOrder.lonDeg.buffer))).toBe(true);
    expect(Buffer.from(shuffled.latDeg.buffer).equals(Buffer.from(inOrder.latDeg.buffer))).toBe(true);
    expect(Buffer.from(shuffled.orientation.buffer).equals(Buffer.from(inOrder.orientation.buffer))).toBe(true);
  });

  it('depends on the seed', () => {
    const a = run(params({ numParticles: 100, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 800, radiusType: 'gaussian' } }));
    const b = run(params({ numParticles: 100, seed: 12, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 800, radiusType: 'gaussian' } }));
    expect(a.lonDeg[0]).not.toBe(b.lonDeg[0]);
  });

  it('records the environment each particle saw when asked (NaN before release)', () => {
    const m = params({ numParticles: 3, seeding: { lonDeg: 12.5, latDeg: 54.2, radiusM: 0, radiusType: 'gaussian', endTimeSec: T0 + 2 * 3600 } });
    const r = simulateLocal(m, { wind: constantSampler(9, 4), current: calm, land: null, recordEnvironment: true });
    const T = r.nTimes;
    expect(r.env).toBeDefined();
    expect(r.env!.windUMps[0]).toBe(9);
    expect(r.env!.windVMps[T - 1]).toBe(4);
    expect(r.env!.windUMps[2 * T]).toBeNaN();
    expect(r.env!.currentUMps[2 * T + 2]).toBe(0);
  });
});
