/**
 * Synthetic inputs for the product tests (the model is tested on its own). Deterministic (mulberry32).
 *  - `syntheticCloud`: a Gaussian cloud whose centre drifts and whose spread grows linearly, optionally in
 *    two lobes, with a staggered release and a share of particles stranded half way or leaving the
 *    forcing (density grid, search areas, animation); `seededContext` is its mission.
 *  - `syntheticResult`: a cloud that drifts north-east and spreads, a staggered release (NaN positions
 *    before it), some particles stranded or leaving the forcing, per-particle coefficients and the
 *    environment each particle saw (NetCDF and summary products); `syntheticContext` is its mission.
 */
import { productContextOf } from '../helpers/spec.js';
import { validateJob } from '../../src/job/validate.js';
import { M_PER_DEG_LAT, wrapLonDeg } from '../../src/model/geo.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import type { ProductContext } from '../../src/products/types.js';

/** Small, fast, deterministic generator (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussianPair(rand: () => number): [number, number] {
  const u = Math.max(1e-12, rand());
  const v = rand();
  const r = Math.sqrt(-2 * Math.log(u));
  return [r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v)];
}

/** A ProductContext around a job validated by the real job schema. */
function contextFor(
  jobInput: unknown,
  forcing: ProductContext['forcing'],
  meta: { softwareVersion: string; createdAtIso: string },
): ProductContext {
  return productContextOf(validateJob(jobInput), forcing, meta);
}

export interface CloudOptions {
  nParticles: number;
  nTimes: number;
  lon0Deg: number;
  lat0Deg: number;
  /** Centre drift per output step, metres east / north. */
  driftEastMPerStep?: number;
  driftNorthMPerStep?: number;
  /** Standard deviation of the cloud at t = 0 and its growth per step, metres. */
  sigma0M?: number;
  sigmaGrowthMPerStep?: number;
  /** Fraction of particles that strand (frozen) from the middle of the run. */
  strandedFraction?: number;
  /** Fraction of particles that leave the forcing (OUTSIDE) from 3/4 of the run. */
  outsideFraction?: number;
  /** Particle p is released at step floor(p / nParticles * releaseSteps) (0: all at t = 0). */
  releaseSteps?: number;
  /** Second lobe: this fraction of particles is offset by (lobeEastM, lobeNorthM). */
  lobeFraction?: number;
  lobeEastM?: number;
  lobeNorthM?: number;
  startSec?: number;
  outputStepSec?: number;
  seed?: number;
}

export function syntheticCloud(o: CloudOptions): TrajectoryResult {
  const n = o.nParticles;
  const nT = o.nTimes;
  const rand = mulberry32(o.seed ?? 1);
  const startSec = o.startSec ?? Date.UTC(2024, 2, 1, 0, 0, 0) / 1000;
  const stepSec = o.outputStepSec ?? 3600;
  const timesSec = new Float64Array(nT);
  for (let t = 0; t < nT; t++) timesSec[t] = startSec + t * stepSec;
  const lonDeg = new Float32Array(n * nT);
  const latDeg = new Float32Array(n * nT);
  const status = new Uint8Array(n * nT);
  const orientation = new Uint8Array(n * nT);
  const strandAt = Math.floor(nT / 2);
  const outsideAt = Math.floor((3 * nT) / 4);
  const nStranded = Math.round((o.strandedFraction ?? 0) * n);
  const nOutside = Math.round((o.outsideFraction ?? 0) * n);
  const nLobe = Math.round((o.lobeFraction ?? 0) * n);
  for (let p = 0; p < n; p++) {
    const [gx, gy] = gaussianPair(rand);
    const releaseT = o.releaseSteps ? Math.floor((p / n) * o.releaseSteps) : 0;
    const inLobe = p >= n - nLobe;
    for (let t = 0; t < nT; t++) {
      const i = p * nT + t;
      if (t < releaseT) {
        lonDeg[i] = NaN;
        latDeg[i] = NaN;
        status[i] = STATUS.NOT_RELEASED;
        continue;
      }
      const stranded = p < nStranded && t >= strandAt;
      const outside = !stranded && p >= nStranded && p < nStranded + nOutside && t >= outsideAt;
      const tt = stranded ? strandAt : outside ? outsideAt : t;
      const sigma = (o.sigma0M ?? 500) + (o.sigmaGrowthMPerStep ?? 200) * tt;
      let eastM = (o.driftEastMPerStep ?? 0) * tt + gx * sigma;
      let northM = (o.driftNorthMPerStep ?? 0) * tt + gy * sigma;
      if (inLobe) {
        eastM += o.lobeEastM ?? 0;
        northM += o.lobeNorthM ?? 0;
      }
      const lat = o.lat0Deg + northM / M_PER_DEG_LAT;
      const lon = o.lon0Deg + eastM / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
      lonDeg[i] = wrapLonDeg(lon);
      latDeg[i] = lat;
      status[i] = stranded ? STATUS.STRANDED : outside ? STATUS.OUTSIDE : STATUS.ACTIVE;
    }
  }
  const zeros32 = () => new Float32Array(n);
  return {
    nParticles: n,
    nTimes: nT,
    timesSec,
    lonDeg,
    latDeg,
    status,
    orientation,
    capsized: new Uint8Array(n * nT),
    coefficients: {
      dwSlopePct: zeros32(),
      dwOffsetCmps: zeros32(),
      dwEpsCmps: zeros32(),
      cwSlopePct: zeros32(),
      cwOffsetCmps: zeros32(),
      cwEpsCmps: zeros32(),
      orientation: new Uint8Array(n),
      capsized: new Uint8Array(n),
      releaseTimeSec: new Float64Array(n).fill(startSec),
      seedLonDeg: new Float64Array(n).fill(o.lon0Deg),
      seedLatDeg: new Float64Array(n).fill(o.lat0Deg),
    },
    particleSteps: n * (nT - 1),
  };
}

/** A ProductContext for a mission seeded at (lon, lat) at `startSec`. */
export function seededContext(o: { lonDeg: number; latDeg: number; startSec?: number; objectType?: number | string; missionId?: string }): ProductContext {
  const startSec = o.startSec ?? Date.UTC(2024, 2, 1, 0, 0, 0) / 1000;
  return contextFor(
    {
      mission_id: o.missionId ?? 'test-mission-1',
      params: {
        latitude: o.latDeg,
        longitude: o.lonDeg,
        start_time: new Date(startSec * 1000).toISOString(),
        duration_hours: 48,
        num_particles: 1000,
        object_type: o.objectType ?? 'PIW-1',
        radius_m: 500,
      },
    },
    {
      wind: { kind: 'constant', description: 'constant [5, 0]', fallback: false },
      current: { kind: 'constant', description: 'constant [0.2, 0]', fallback: false },
    },
    { softwareVersion: '0.1.0-test', createdAtIso: '2024-03-03T00:00:00Z' },
  );
}

export const START_SEC = Date.UTC(2024, 0, 1, 12) / 1000;

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

export function syntheticResult(o: FixtureOptions): TrajectoryResult {
  const n = o.nParticles;
  const nT = o.nTimes;
  const lon0 = o.lon0Deg ?? 4.6;
  const lat0 = o.lat0Deg ?? 59.3;
  const rand = mulberry32(o.seed ?? 7);
  const timesSec = Float64Array.from({ length: nT }, (_, t) => START_SEC + t * 3600);
  const lonDeg = new Float32Array(n * nT);
  const latDeg = new Float32Array(n * nT);
  const status = new Uint8Array(n * nT);
  const orientation = new Uint8Array(n * nT);
  // Every 5th particle capsizes a third of the way through the run (and stays capsized).
  const capsized = new Uint8Array(n * nT);
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
      lonDeg[i] = lon0 + eastM / (M_PER_DEG_LAT * coslat);
      latDeg[i] = lat0 + northM / M_PER_DEG_LAT;
      status[i] = t >= strandAt ? STATUS.STRANDED : t >= outsideAt ? STATUS.OUTSIDE : STATUS.ACTIVE;
      if (rand() < 0.04) orient = 1 - orient; // jibes
      orientation[i] = orient;
      capsized[i] = p % 5 === 2 && t >= Math.floor(nT / 3) ? 1 : 0;
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
    capsized,
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

/** The ProductContext of `syntheticResult`'s mission (seeded at 59.3 N 4.6 E, 2024-01-01 12:00 UTC). */
export function syntheticContext(opts: { fallbackWind?: boolean; nParticles?: number; hours?: number } = {}): ProductContext {
  return contextFor(
    {
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
    },
    {
      wind: opts.fallbackWind
        ? { kind: 'fallback', description: 'configured fallback constant [5, 0] m/s', fallback: true }
        : { kind: 'constant', description: 'constant [8, 3] m/s', fallback: false },
      current: { kind: 'constant', description: 'constant [0.15, 0.05] m/s', fallback: false },
    },
    { softwareVersion: '0.1.0', createdAtIso: '2024-01-02T00:00:00.000Z' },
  );
}
