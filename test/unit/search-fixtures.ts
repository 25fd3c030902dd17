/**
 * Helpers for the search-planning tests: a seeded random source, synthetic clouds in lon/lat, a
 * hand-made TrajectoryResult, and real model runs on constant forcing (the OpenDrift scenarios).
 */
import { constantSampler } from '../../src/forcing/sampler.js';
import { simulateLocal } from '../../src/model/simulation.js';
import type { TrajectoryResult } from '../../src/model/types.js';
import { loadScenario, scenarioModel } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** Park–Miller minimal standard generator, in (0, 1): deterministic and independent of the model's RNG. */
export function lcg(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
}

/** Metres per degree used to place synthetic clouds (spherical, good to 0.5 % for placement only). */
export const M_PER_DEG = 111_320;

/** A Gaussian cloud: σ east/north (metres) about (lon0, lat0), optional rotation (radians ccw from east). */
export function gaussianCloud(n: number, seed: number, o: { lon0: number; lat0: number; sxM: number; syM: number; rotRad?: number; dxM?: number }): { lon: Float64Array; lat: Float64Array; w: Float64Array } {
  const g = gaussian(lcg(seed));
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const c = Math.cos(o.rotRad ?? 0);
  const s = Math.sin(o.rotRad ?? 0);
  const cosLat = Math.cos((o.lat0 * Math.PI) / 180);
  for (let i = 0; i < n; i++) {
    const a = g() * o.sxM;
    const b = g() * o.syM;
    const x = a * c - b * s + (o.dxM ?? 0);
    const y = a * s + b * c;
    lon[i] = o.lon0 + x / (M_PER_DEG * cosLat);
    lat[i] = o.lat0 + y / M_PER_DEG;
  }
  return { lon, lat, w: new Float64Array(n).fill(1 / n) };
}

/** A TrajectoryResult from per-particle tracks (lon, lat, status per record). */
export function handTrajectory(timesSec: number[], tracks: { lon: number[]; lat: number[]; status: number[] }[]): TrajectoryResult {
  const n = tracks.length;
  const nT = timesSec.length;
  const lonDeg = new Float32Array(n * nT);
  const latDeg = new Float32Array(n * nT);
  const status = new Uint8Array(n * nT);
  tracks.forEach((tr, p) => {
    for (let t = 0; t < nT; t++) {
      lonDeg[p * nT + t] = at(tr.lon, t);
      latDeg[p * nT + t] = at(tr.lat, t);
      status[p * nT + t] = at(tr.status, t);
    }
  });
  const z = () => new Float32Array(n);
  return {
    nParticles: n,
    nTimes: nT,
    timesSec: Float64Array.from(timesSec),
    lonDeg,
    latDeg,
    status,
    orientation: new Uint8Array(n * nT),
    capsized: new Uint8Array(n * nT),
    coefficients: {
      dwSlopePct: z(),
      dwOffsetCmps: z(),
      dwEpsCmps: z(),
      cwSlopePct: z(),
      cwOffsetCmps: z(),
      cwEpsCmps: z(),
      orientation: new Uint8Array(n),
      capsized: new Uint8Array(n),
      releaseTimeSec: new Float64Array(n).fill(timesSec[0] ?? 0),
      seedLonDeg: new Float64Array(n),
      seedLatDeg: new Float64Array(n),
    },
    particleSteps: 0,
  };
}

/**
 * The real model on an OpenDrift reference scenario's constant forcing (wind 10 m/s east, PIW-1, etc.),
 * with another particle count, seed and duration.
 */
export function modelRun(scenario: string, o: { numParticles: number; seed: number; durationSec: number; lonDeg?: number; latDeg?: number }): TrajectoryResult {
  const inputs = loadScenario(scenario).scenario.inputs;
  const f = inputs.forcing;
  const base = scenarioModel(inputs, 'fast', { numParticles: o.numParticles, seed: o.seed, durationSec: o.durationSec, outputStepSec: 3600 });
  const model = o.lonDeg === undefined ? base : { ...base, seeding: { ...base.seeding, lonDeg: o.lonDeg, latDeg: o.latDeg ?? base.seeding.latDeg } };
  return simulateLocal(model, {
    wind: constantSampler(f.x_wind, f.y_wind),
    current: constantSampler(f.x_sea_water_velocity, f.y_sea_water_velocity),
    land: null,
  });
}
