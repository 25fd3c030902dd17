/**
 * Synthetic inputs for the NetCDF / summary product tests (the model is tested on its own): a cloud that
 * drifts north-east and spreads, a staggered release (NaN positions before it), some particles stranded
 * or leaving the forcing, per-particle coefficients and the environment each particle saw. Deterministic.
 */
import { validateJob, toModelParams } from '../../src/job.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import type { ProductContext } from '../../src/products/types.js';

export interface FixtureOptions {
  nParticles: number;
  nTimes: number;
  lon0Deg?: number;
  lat0Deg?: number;
  /** Particles released over the first `releaseSteps` records (0: all at t = 0). */
  releaseSteps?: number;
  withEnv?: boolean;
  seed?: number;
}

/** Small, fast, deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const START_SEC = Date.UTC(2024, 0, 1, 12) / 1000;
const M_PER_DEG = 111_320;

export function syntheticResult(o: FixtureOptions): TrajectoryResult {
  const n = o.nParticles;
  const nT = o.nTimes;
  const lon0 = o.lon0Deg ?? 4.6;
  const lat0 = o.lat0Deg ?? 59.3;
  const rand = rng(o.seed ?? 7);
  const timesSec = Float64Array.from({ length: nT }, (_, t) => START_SEC + t * 3600);
  const lonDeg = new Float32Array(n * nT);
  const latDeg = new Float32Array(n * nT);
  const status = new Uint8Array(n * nT);
  const orientation = new Uint8Array(n * nT);
  const env = o.withEnv === false ? undefined : {
    windUMps: new Float32Array(n * nT),
    windVMps: new Float32Array(n * nT),
    currentUMps: new Float32Array(n * nT),
    currentVMps: new Float32Array(n * nT),
  };
  const coslat = Math.cos((lat0 * Math.PI) / 180);
  for (let p = 0; p < n; p++) {
    const release = o.releaseSteps ? Math.floor((p / n) * o.releaseSteps) : 0;
    const ue = (rand() - 0.5) * 2; // per-particle random walk direction, m/s-ish
    const un = (rand() - 0.5) * 2;
    const strandAt = p % 10 === 0 ? Math.floor(nT / 2) : Infinity; // 10 % strand half way
    const outsideAt = p % 10 === 1 ? Math.floor((3 * nT) / 4) : Infinity; // 10 % leave the forcing
    let orient = p % 2;
    for (let t = 0; t < nT; t++) {
      const i = p * nT + t;
      if (t < release) {
        lonDeg[i] = NaN;
        latDeg[i] = NaN;
        status[i] = STATUS.NOT_RELEASED;
        orientation[i] = orient;
        if (env) env.windUMps[i] = env.windVMps[i] = env.currentUMps[i] = env.currentVMps[i] = NaN;
        continue;
      }
      const tt = Math.min(t, strandAt) - release;
      const eastM = tt * 3600 * (0.3 + 0.2 * ue);
      const northM = tt * 3600 * (0.2 + 0.2 * un);
      lonDeg[i] = lon0 + eastM / (M_PER_DEG * coslat);
      latDeg[i] = lat0 + northM / M_PER_DEG;
      status[i] = t >= strandAt ? STATUS.STRANDED : t >= outsideAt ? STATUS.OUTSIDE : STATUS.ACTIVE;
      if (rand() < 0.04) orient = 1 - orient; // jibes
      orientation[i] = orient;
      if (env) {
        env.windUMps[i] = 8 + ue;
        env.windVMps[i] = 3 + un;
        env.currentUMps[i] = 0.15;
        env.currentVMps[i] = t >= outsideAt ? NaN : 0.05;
      }
    }
  }
  const f32 = (fn: (p: number) => number) => Float32Array.from({ length: n }, (_, p) => fn(p));
  return {
    nParticles: n,
    nTimes: nT,
    timesSec,
    lonDeg,
    latDeg,
    status,
    orientation,
    ...(env ? { env } : {}),
    coefficients: {
      dwSlopePct: f32(() => 0.96),
      dwOffsetCmps: f32(() => 0),
      dwEpsCmps: f32(() => (rand() - 0.5) * 20),
      cwSlopePct: f32((p) => (p % 2 === 0 ? 0.54 : -0.54)),
      cwOffsetCmps: f32(() => 0),
      cwEpsCmps: f32(() => (rand() - 0.5) * 15),
      orientation: Uint8Array.from({ length: n }, (_, p) => p % 2),
      capsized: new Uint8Array(n),
      releaseTimeSec: Float64Array.from({ length: n }, (_, p) => START_SEC + (o.releaseSteps ? Math.floor((p / n) * o.releaseSteps) : 0) * 3600),
      seedLonDeg: Float64Array.from({ length: n }, () => lon0),
      seedLatDeg: Float64Array.from({ length: n }, () => lat0),
    },
    particleSteps: n * (nT - 1) * 6,
  };
}

export function syntheticContext(opts: { fallbackWind?: boolean; nParticles?: number; hours?: number } = {}): ProductContext {
  const job = validateJob({
    mission_id: 'test-mission-42',
    params: {
      latitude: 59.3,
      longitude: 4.6,
      start_time: '2024-01-01T12:00:00Z',
      duration_hours: opts.hours ?? 24,
      num_particles: opts.nParticles ?? 1000,
      object_type: 'PIW-1',
      radius_m: 500,
      forcing: opts.fallbackWind ? { current: { constant: [0.15, 0.05] } } : { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
    },
  });
  const model = toModelParams(job.params);
  return {
    missionId: job.mission_id,
    params: job.params,
    model,
    category: model.category,
    forcing: {
      wind: opts.fallbackWind
        ? { kind: 'fallback', description: 'configured fallback constant [5, 0] m/s', fallback: true }
        : { kind: 'constant', description: 'constant [8, 3] m/s', fallback: false },
      current: { kind: 'constant', description: 'constant [0.15, 0.05] m/s', fallback: false },
    },
    softwareVersion: '0.1.0',
    createdAtIso: '2024-01-02T00:00:00.000Z',
  };
}
