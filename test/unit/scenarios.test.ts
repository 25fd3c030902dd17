/**
 * Weighted scenarios (issue 8 item 2) and the stranding report (item 5), from first principles:
 * a one-scenario job draws exactly what the plain job draws; a 70/30 mix holds 70/30 of the mass at
 * t = 0; each scenario's particles get their own category's coefficients; two scenarios 50 km apart
 * give two search-area pieces; the stranding cells hold exactly the stranded probability; bad scenario
 * input fails naming the field.
 */
import { productContextOf } from '../helpers/spec.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { describe, expect, it } from 'vitest';
import { missionWindow, seedPoints } from '../../src/model/window.js';
import { constantSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { M_PER_DEG_LAT } from '../../src/model/geo.js';
import { findCategory } from '../../src/model/objects.js';
import { BLOCK_SIZE } from '../../src/model/rng-fast.js';
import { blockCount, runBlocks, simulateLocal, trajectoryResult } from '../../src/model/simulation.js';
import { planRun } from '../../src/model/plan.js';
import { allocateSimArrays } from '../../src/model/state.js';
import { createStepContext } from '../../src/model/step.js';
import { STATUS, type LandSampler, type ModelParams, type TrajectoryResult } from '../../src/model/types.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { smoothedSearchAreas } from '../../src/products/search-smoothed.js';
import { strandingReport } from '../../src/products/stranding.js';
import type { ProductContext } from '../../src/products/types.js';
import { writeAllProducts } from '../../src/products/write.js';
import { bayesUpdate, driftingAt, erf } from '../../src/search/index.js';
import { scenarioMassByTime, scenarioOfParticle, scenarioPrior, scenarioRemovals, scenarioShares } from '../../src/search/scenarios.js';
import { jobFailure } from './job.fixtures.js';
import { at } from '../helpers/indexed.js';

const START = '2024-06-01T12:00:00Z';

function job(params: Record<string, unknown>): { mission_id: string; params: Record<string, unknown> } {
  return {
    mission_id: 'scen-test',
    params: {
      latitude: 59.3,
      longitude: 4.6,
      start_time: START,
      duration_hours: 6,
      num_particles: 1000,
      object_type: 'PIW-1',
      coastline_action: 'none',
      ...params,
    },
  };
}

function modelOf(params: Record<string, unknown>): ModelParams {
  return toModelParams(validateJob(job(params)).params);
}

const wind = constantSampler(8, 3);
const current = constantSampler(0.15, 0.05);
function run(m: ModelParams, land: LandSampler | null = null): TrajectoryResult {
  return simulateLocal(m, { wind, current, land });
}

describe('scenario job input', () => {
  it('a job without scenarios resolves to a model without scenarios (the run is exactly today’s)', () => {
    expect('scenarios' in modelOf({})).toBe(false);
  });

  it('names the field of a bad weight, too many scenarios, an unknown object type, a release window outside the run', () => {
    const cases: [Record<string, unknown>, RegExp, string][] = [
      [{ scenarios: [{ weight: 1 }, { weight: 0 }] }, /params\.scenarios\[1\]\.weight: Too small/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1 }, { weight: -2 }] }, /params\.scenarios\[1\]\.weight/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1e308 }, { weight: 1e308 }] }, /params\.scenarios: the weights must sum to a positive finite number/, 'E_JOB_INVALID'],
      [{ num_particles: 2, scenarios: [{ weight: 1 }, { weight: 1 }, { weight: 1 }] }, /params\.scenarios: 3 scenarios need at least 3 particles/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1 }, { weight: 1, object_type: 'LIFE-RAFT-XX' }] }, /params\.scenarios\[1\]\.object_type: unknown Leeway category/, 'E_OBJECT_TYPE'],
      [{ scenarios: [{ weight: 1, start_time: '2024-06-01T11:00:00Z' }] }, /params\.scenarios\[0\]\.start_time: .*outside the run/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1, end_time: '2024-06-01T19:00:00Z' }] }, /params\.scenarios\[0\]\.end_time: release window must end within the run/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1, start_time: '2024-06-01T14:00:00Z', end_time: '2024-06-01T13:00:00Z' }] }, /params\.scenarios\[0\]\.end_time: must not be before/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1, latitude: 59 }] }, /params\.scenarios\[0\]\.longitude: latitude and longitude go together/, 'E_JOB_INVALID'],
      [{ scenarios: [{ weight: 1, end_latitude: 59 }] }, /params\.scenarios\[0\]\.end_longitude/, 'E_JOB_INVALID'],
      [{ num_particles: 3, scenarios: [{ weight: 1 }, { weight: 0.001, end_latitude: 59, end_longitude: 4 }] }, /params\.scenarios\[1\]\.end_latitude: cone seeding needs at least 2 particles/, 'E_JOB_INVALID'],
      [{ scenarios: [] }, /params\.scenarios/, 'E_JOB_INVALID'],
    ];
    for (const [params, message, code] of cases) {
      const err = jobFailure(job(params));
      expect(err.message, JSON.stringify(params)).toMatch(message);
      expect(err.code).toBe(code);
    }
  });

  it('examples/mission-scenarios.json is valid: 70 % person in water at the LKP, 30 % life raft along the route', async () => {
    const raw = JSON.parse(await readFile(new URL('../../examples/mission-scenarios.json', import.meta.url), 'utf8'));
    const m = toModelParams(validateJob(raw).params);
    expect(m.scenarios!.map((s) => [s.category.key, s.count, s.weight])).toEqual([
      ['PIW-1', 3500, 0.7],
      ['LIFE-RAFT-DB-10', 1500, 0.3],
    ]);
    expect(at(m.scenarios ?? [], 1).seeding.endLatDeg).toBe(59.1);
  });

  it('a backward run takes release times back from the start (released from 10:00 back to 08:00, unreleased before in run order)', () => {
    const m = modelOf({ time_step_seconds: -600, num_particles: 50, scenarios: [{ weight: 1 }, { weight: 1, start_time: '2024-06-01T10:00:00Z', end_time: '2024-06-01T08:00:00Z' }] });
    const r = run(m);
    const sc = at(m.scenarios ?? [], 1);
    const t10 = Date.parse('2024-06-01T10:00:00Z') / 1000;
    expect(r.coefficients.releaseTimeSec[sc.first]).toBe(t10);
    expect(r.coefficients.releaseTimeSec[sc.first + sc.count - 1]).toBe(t10 - 7200);
    // Records 0 and 1 (12:00, 11:00) come before 10:00 in a backward run: nothing of scenario 1 yet.
    for (let p = sc.first; p < sc.first + sc.count; p++) {
      expect(Number.isNaN(at(r.lonDeg, p * r.nTimes + 1))).toBe(true);
      expect(Number.isNaN(at(r.lonDeg, p * r.nTimes + r.nTimes - 1))).toBe(false);
    }
    expect(r.coefficients.releaseTimeSec[0]).toBe(Date.parse(START) / 1000);
    expect(jobFailure(job({ time_step_seconds: -600, scenarios: [{ weight: 1, start_time: '2024-06-01T13:00:00Z' }] })).message).toMatch(/params\.scenarios\[0\]\.start_time/);
  });
});

describe('scenario forcing window', () => {
  it('spans every scenario’s seeding, so forcing and coastline are read for all of them', () => {
    // A second scenario 2° of longitude (about 113 km at 59.3° N) west and 1° south of the job's position.
    const m = modelOf({ scenarios: [{ weight: 1 }, { weight: 1, latitude: 58.3, longitude: 2.6 }] });
    const w = missionWindow(m);
    const plain = missionWindow(modelOf({}));
    const growLatDeg = plain.northDeg - 59.3;
    expect(w.southDeg).toBeCloseTo(58.3 - growLatDeg, 9);
    expect(w.northDeg).toBeCloseTo(59.3 + growLatDeg, 9);
    expect(w.lonCenterDeg).toBeCloseTo(3.6, 9);
    expect(w.lonCenterDeg - w.lonHalfWidthDeg).toBeLessThan(2.6 - growLatDeg);
    expect(seedPoints(m).map((p) => p[0])).toEqual(['seed position', 'params.scenarios[0] seed position', 'params.scenarios[1] seed position']);
  });
});

describe('scenario seeding', () => {
  for (const rng of ['fast', 'opendrift'] as const) {
    it(`one scenario equal to the job's seeding draws exactly the plain job's particles (rng ${rng})`, () => {
      const base = { rng, num_particles: 700, radius_m: 800, end_latitude: 59.4, end_longitude: 4.8, end_time: '2024-06-01T14:00:00Z' };
      const plain = run(modelOf(base));
      const one = run(modelOf({ ...base, scenarios: [{ weight: 3, latitude: 59.3, longitude: 4.6, end_latitude: 59.4, end_longitude: 4.8, end_time: '2024-06-01T14:00:00Z' }] }));
      expect(Buffer.from(one.lonDeg.buffer).equals(Buffer.from(plain.lonDeg.buffer))).toBe(true);
      expect(Buffer.from(one.latDeg.buffer).equals(Buffer.from(plain.latDeg.buffer))).toBe(true);
      expect(Array.from(one.coefficients.dwEpsCmps)).toEqual(Array.from(plain.coefficients.dwEpsCmps));
      expect(Array.from(one.coefficients.releaseTimeSec)).toEqual(Array.from(plain.coefficients.releaseTimeSec));
    });
  }

  it('a 70/30 mix holds 70/30 of the mass at t = 0 (within 1/N) and keeps each share over the run', () => {
    const n = 1001;
    const m = modelOf({ num_particles: n, scenarios: [{ weight: 7, object_type: 'PIW-1' }, { weight: 3, object_type: 'LIFE-RAFT-DB-10' }] });
    const r = run(m);
    const of = scenarioOfParticle(m.scenarios, n);
    const counts = [0, 0];
    for (const k of of) counts[k] = at(counts, k) + 1;
    expect(Math.abs(at(counts, 0) / n - 0.7)).toBeLessThanOrEqual(1 / n);
    // Weights: exactly 0.7 and 0.3 whatever the rounding of the counts (each particle carries w_k / n_k).
    const prior = scenarioPrior(m.scenarios, n);
    const mass = scenarioMassByTime(r, of, 2, prior);
    expect(mass.drifting[0]).toBeCloseTo(0.7, 12);
    expect(mass.drifting[1]).toBeCloseTo(0.3, 12);
    // An equal-weight count at t = 0 is within 1/N of 70/30 too.
    expect(Math.abs(at(counts, 1) / n - 0.3)).toBeLessThanOrEqual(1 / n);
    for (let t = 0; t < r.nTimes; t++) {
      const k0 = at(mass.drifting, t * 2) + at(mass.stranded, t * 2) + at(mass.outside, t * 2) + at(mass.notReleased, t * 2);
      expect(k0).toBeCloseTo(0.7, 12);
    }
  });

  it("gives each scenario's particles its own category's coefficients (slopes exactly, perturbation spread as its std)", () => {
    const n = 8000;
    const m = modelOf({ num_particles: n, seed: 5, scenarios: [{ weight: 1, object_type: 'PIW-1' }, { weight: 1, object_type: 'LIFE-RAFT-DB-10' }] });
    const r = run(m);
    const c = r.coefficients;
    const stds: number[] = [];
    for (const sc of m.scenarios!) {
      const cat = sc.category;
      const eps: number[] = [];
      for (let p = sc.first; p < sc.first + sc.count; p++) {
        const local = p - sc.first;
        expect(c.orientation[p]).toBe(local % 2);
        expect(c.dwSlopePct[p]).toBe(Math.fround(cat.dwSlopePct));
        expect(c.cwSlopePct[p]).toBe(Math.fround(local % 2 === 0 ? cat.cwrSlopePct : cat.cwlSlopePct));
        eps.push(at(c.dwEpsCmps, p));
      }
      // Downwind eps ~ N(0, DWSTD) truncated below at −20·DWSLOPE (no negative slope): its std in
      // closed form is DWSTD·sqrt(1 + aλ − λ²), a = −20·DWSLOPE/DWSTD, λ = φ(a)/(1 − Φ(a)). The sample
      // std of 4000 draws is within 5 % of it (its standard error is about 1.1 %).
      const a = (-20 * cat.dwSlopePct) / cat.dwStdCmps;
      const phi = Math.exp((-a * a) / 2) / Math.sqrt(2 * Math.PI);
      const lambda = phi / (1 - 0.5 * (1 + erf(a / Math.SQRT2)));
      const expected = cat.dwStdCmps * Math.sqrt(1 + a * lambda - lambda * lambda);
      const mean = eps.reduce((x, y) => x + y, 0) / eps.length;
      const std = Math.sqrt(eps.reduce((x, y) => x + (y - mean) ** 2, 0) / eps.length);
      expect(Math.abs(std / expected - 1)).toBeLessThan(0.05);
      stds.push(std);
    }
    const piw = findCategory('PIW-1')!;
    const raft = findCategory('LIFE-RAFT-DB-10')!;
    expect(piw.dwSlopePct).not.toBe(raft.dwSlopePct);
    // The two perturbation spreads differ as their categories' do (PIW-1 and LIFE-RAFT-DB-10 DWSTD differ by > 2×).
    expect(Math.max(...stds) / Math.min(...stds)).toBeGreaterThan(1.5);
  });

  it('seeds a block that crosses scenarios the same in any block order (what makes threads agree)', () => {
    const n = BLOCK_SIZE * 3 + 17;
    const m = modelOf({ num_particles: n, radius_m: 300, scenarios: [{ weight: 0.55 }, { weight: 0.45, object_type: 'LIFE-RAFT-DB-10', latitude: 59.2, longitude: 4.4, radius_m: 2000 }] });
    expect(at(m.scenarios ?? [], 1).first % BLOCK_SIZE).not.toBe(0);
    const plan = planRun(m);
    const go = (order: number[]) => {
      const arrays = allocateSimArrays(n, plan.nTimes, { recordEnvironment: false, land: false });
      const ctx = createStepContext(m, plan, arrays, { wind, current, stokes: null, land: null, recordEnvironment: false });
      const outcome = runBlocks(m, ctx, () => order.shift() ?? -1);
      return trajectoryResult(plan, arrays, outcome.particleSteps);
    };
    const nb = blockCount(n);
    const a = go(Array.from({ length: nb }, (_, i) => i));
    const b = go(Array.from({ length: nb }, (_, i) => nb - 1 - i));
    expect(Buffer.from(a.lonDeg.buffer).equals(Buffer.from(b.lonDeg.buffer))).toBe(true);
    expect(Array.from(a.coefficients.dwSlopePct)).toEqual(Array.from(b.coefficients.dwSlopePct));
  });

  it('two scenarios 50 km apart give two search-area pieces', () => {
    // 50 km north of the first position; each cloud starts 500 m wide and spreads a few km in 6 h.
    const m = modelOf({
      num_particles: 4000,
      radius_m: 500,
      scenarios: [{ weight: 0.6 }, { weight: 0.4, latitude: 59.3 + 50_000 / M_PER_DEG_LAT, longitude: 4.6 }],
    });
    const r = run(m);
    const set = smoothedSearchAreas(r, scenarioPrior(m.scenarios, r.nParticles), [50, 90]);
    const last = set.areas.filter((a) => a.timeSec === r.timesSec[r.nTimes - 1] && a.percent === 90);
    expect(last).toHaveLength(1);
    expect(at(last, 0).pieces).toBe(2);
    // A single scenario with the same particles is one piece (the split comes from the scenarios).
    const single = run(modelOf({ num_particles: 4000, radius_m: 500 }));
    const one = smoothedSearchAreas(single, scenarioPrior(undefined, 4000), [90]).areas.at(-1)!;
    expect(one.pieces).toBe(1);
  });
});

describe('scenario removals by completed searches', () => {
  it('attributes each search’s removed probability to the scenarios, summing to bayesUpdate’s', () => {
    const m = modelOf({ num_particles: 2000, radius_m: 2000, scenarios: [{ weight: 0.7 }, { weight: 0.3, latitude: 59.25, longitude: 4.5, radius_m: 2000 }] });
    const r = run(m);
    const prior = scenarioPrior(m.scenarios, r.nParticles);
    const of = scenarioOfParticle(m.scenarios, r.nParticles);
    const t = (h: number) => Date.parse(START) / 1000 + h * 3600;
    const box = (w: number, s: number, e: number, n: number) => [[w, s], [e, s], [e, n], [w, n], [w, s]];
    const searches = [
      { name: 'a', startTimeSec: t(1), endTimeSec: t(3), polygon: box(4.55, 59.25, 4.75, 59.4), sweepWidthNm: 1, trackSpacingNm: 1 },
      { name: 'b', startTimeSec: t(2), endTimeSec: t(4), polygon: box(4.4, 59.2, 4.62, 59.3), sweepWidthNm: 1, trackSpacingNm: 2 },
    ];
    const bayes = bayesUpdate(r, prior, searches, 'exponential');
    const rem = scenarioRemovals(r, prior, searches, 'exponential', of, 2);
    rem.removed.forEach((row, j) => {
      expect(at(row, 0) + at(row, 1)).toBeCloseTo(at(bayes.updates, j).removed, 12);
      expect(row[0]).toBeGreaterThan(0);
      expect(row[1]).toBeGreaterThan(0);
    });
    // Over time: nothing detected before the first search ends (record 0); by the last record both have
    // ended, and each scenario's five shares add up to its weight.
    const shares = scenarioShares(r, of, 2, prior, searches, 'exponential');
    const last = r.nTimes - 1;
    for (const k of [0, 1]) {
      expect(shares.detected[k]).toBe(0);
      expect(shares.detected[last * 2 + k]).toBeCloseTo(at(at(rem.removed, 0), k) + at(at(rem.removed, 1), k), 12);
      const j = last * 2 + k;
      const total = at(shares.drifting, j) + at(shares.stranded, j) + at(shares.outside, j) + at(shares.notReleased, j) + at(shares.detected, j);
      expect(total).toBeCloseTo(k === 0 ? 0.7 : 0.3, 12);
    }
    // The survivors: prior − removed, per scenario, is the unnormalised posterior of that scenario.
    for (const k of [0, 1]) {
      let post = 0;
      for (let p = 0; p < r.nParticles; p++) if (of[p] === k) post += at(bayes.weight, p) * (1 - bayes.cumulativePos);
      const prior_k = k === 0 ? 0.7 : 0.3;
      expect(prior_k - at(at(rem.removed, 0), k) - at(at(rem.removed, 1), k)).toBeCloseTo(post, 12);
    }
  });
});

describe('stranding report', () => {
  // A straight north-south coast: land east of 4.7°E, 5.8 km east of the seed; the wind blows east.
  const coastLonDeg = 4.7;
  const land: LandSampler = { isLand: (lon) => lon >= coastLonDeg };

  it('puts every stranded particle in a coast cell; the cells hold the stranded probability of the summary', async () => {
    const params = {
      num_particles: 3000,
      radius_m: 1500,
      duration_hours: 12,
      coastline_action: 'stranding',
      forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] }, land: { constant: 0 } },
      scenarios: [{ name: 'piw', weight: 0.7 }, { name: 'raft', weight: 0.3, object_type: 'LIFE-RAFT-DB-10', latitude: 59.28, longitude: 4.55, radius_m: 1000 }],
      products: { animation: false },
    };
    const v = validateJob(job(params));
    const m = toModelParams(v.params);
    const r = run(m, land);
    const grid = buildDensityGrid(r, 1000);
    const prior = scenarioPrior(m.scenarios, r.nParticles);
    const rep = strandingReport(r, grid, prior, { of: scenarioOfParticle(m.scenarios, r.nParticles), n: 2 });
    const last = r.nTimes - 1;
    const stranded = driftingAt(r, prior, last).strandedMass;
    expect(stranded).toBeGreaterThan(0.1); // the wind drives a real share ashore in 12 h
    expect(rep.probabilityByTime[last]).toBeCloseTo(stranded, 12);
    for (const c of rep.cells) {
      // Cell centres lie within one cell (≤ 0.02° of longitude here) of the coast, on either side.
      expect(Math.abs(c.lonDeg - coastLonDeg)).toBeLessThanOrEqual(grid.dLonDeg * 1.5);
      expect(at(c.byScenario ?? [], 0) + at(c.byScenario ?? [], 1)).toBeCloseTo(c.probability, 12);
    }

    const dir = await mkdtemp(path.join(tmpdir(), 'scen-'));
    try {
      const ctx: ProductContext = productContextOf(v, { wind: { kind: 'constant', description: 'constant [8, 3] m/s', fallback: false }, current: { kind: 'constant', description: 'constant [0.15, 0.05] m/s', fallback: false } }, { softwareVersion: 'test', createdAtIso: '2024-06-01T00:00:00Z' });
      const files = await writeAllProducts(r, ctx, dir, { cellM: 1000, percents: [50, 90], timingsMs: {}, warnings: [] });
      expect(files.map((f) => f.kind)).toContain('stranding_geojson');
      const summary = JSON.parse(await readFile(path.join(dir, 'products/summary.json'), 'utf8'));
      const geo = JSON.parse(await readFile(path.join(dir, 'products/stranding.geojson'), 'utf8'));
      const listed = summary.products.find((p: { kind: string }) => p.kind === 'stranding_geojson');
      expect(listed.path).toBe('products/stranding.geojson');
      expect(listed.sha256).toMatch(/^[0-9a-f]{64}$/);
      const total = geo.features.reduce((a: number, f: { properties: { probability: number } }) => a + f.properties.probability, 0);
      // Each feature's probability is rounded to 1e-9: the sum may drift by features × 5e-10.
      const tol = geo.features.length * 5e-10 + 1e-12;
      expect(Math.abs(total - summary.stranding.probability)).toBeLessThanOrEqual(tol);
      expect(Math.abs(summary.stranding.probability - summary.times[last].probability.stranded)).toBeLessThanOrEqual(1e-9);
      const counted = geo.features.reduce((a: number, f: { properties: { count: number } }) => a + f.properties.count, 0);
      expect(counted).toBe(summary.times[last].counts.stranded);
      expect(summary.stranding.times).toHaveLength(r.nTimes);
      // Per scenario: the stranded shares add up to the mission's, and each scenario keeps its weight.
      expect(summary.scenarios).toHaveLength(2);
      const sumStranded = summary.scenarios[0].times[last].stranded + summary.scenarios[1].times[last].stranded;
      expect(Math.abs(sumStranded - summary.stranding.probability)).toBeLessThanOrEqual(2e-9);
      for (const sc of summary.scenarios) {
        const at = sc.times[last];
        expect(at.drifting + at.stranded + at.outside + at.not_released + at.detected_removed).toBeCloseTo(sc.weight, 8);
      }
      expect(summary.scenarios[1].object_type.key).toBe('LIFE-RAFT-DB-10');
      // particles.nc: the scenario of each trajectory, its object type, and the prior weights (no searches).
      const nc = new NetCDFReader(await readFile(path.join(dir, 'raw/particles.nc')));
      const scen = nc.getDataVariable('scenario') as number[];
      const weight = nc.getDataVariable('weight') as number[];
      const objectType = nc.getDataVariable('object_type') as number[]; // (trajectory, time), flattened
      const sc1 = at(m.scenarios ?? [], 1);
      expect(scen.filter((k) => k === 1)).toHaveLength(sc1.count);
      expect(scen[sc1.first]).toBe(1);
      expect(scen[sc1.first - 1]).toBe(0);
      expect(weight[sc1.first]).toBeCloseTo(0.3 / sc1.count, 15);
      expect(weight[0]).toBeCloseTo(0.7 / at(m.scenarios ?? [], 0).count, 15);
      expect(objectType[sc1.first * r.nTimes]).toBe(findCategory('LIFE-RAFT-DB-10')!.id);
      expect(objectType[0]).toBe(findCategory('PIW-1')!.id);
      // The first arrival is the first record with a stranded particle.
      const first = summary.stranding.times.find((x: { particles: number }) => x.particles > 0);
      expect(summary.stranding.first_arrival).toBe(first.time);
      expect(geo.features.every((f: { properties: { first_arrival: string } }) => f.properties.first_arrival >= first.time)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(STATUS.STRANDED).toBe(1);
  });
});
