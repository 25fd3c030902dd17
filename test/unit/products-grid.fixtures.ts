/**
 * Synthetic trajectories for the product tests (the model is tested on its own): a Gaussian cloud
 * whose centre drifts and whose spread grows linearly, optionally in two lobes, with a staggered
 * release and a share of particles stranded half way. Deterministic (mulberry32 seeded).
 */
import { toModelParams, validateJob } from '../../src/job.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import type { ProductContext } from '../../src/products/types.js';

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

const M_PER_DEG = 111_320;

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

function wrap(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
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
      const lat = o.lat0Deg + northM / M_PER_DEG;
      const lon = o.lon0Deg + eastM / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));
      lonDeg[i] = wrap(lon);
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

/** A ProductContext for a mission seeded at (lon, lat) at `startSec`, built through the real job schema. */
export function syntheticContext(o: { lonDeg: number; latDeg: number; startSec?: number; objectType?: number | string; missionId?: string }): ProductContext {
  const startSec = o.startSec ?? Date.UTC(2024, 2, 1, 0, 0, 0) / 1000;
  const job = validateJob({
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
  });
  const model = toModelParams(job.params);
  return {
    missionId: job.mission_id,
    params: job.params,
    model,
    category: model.category,
    forcing: {
      wind: { kind: 'constant', description: 'constant [5, 0]', fallback: false },
      current: { kind: 'constant', description: 'constant [0.2, 0]', fallback: false },
    },
    softwareVersion: '0.1.0-test',
    createdAtIso: '2024-03-03T00:00:00Z',
  };
}
