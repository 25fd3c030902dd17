/**
 * Particle probability weights: validation, scenario splitting, and the drifting particles at one
 * output time. Pure (no I/O). A weight is a probability mass; the weights of a mission sum to 1.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { DriftlineError } from '../errors.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';

/** What the search maths reads of a trajectory (a full TrajectoryResult, or positions read back from particles.nc). */
export type Tracks = Pick<TrajectoryResult, 'nParticles' | 'nTimes' | 'lonDeg' | 'latDeg' | 'status' | 'timesSec'>;

/** Equal weights 1/n (a mission with no scenarios and no searches). */
export function equalWeights(nParticles: number): Float64Array {
  return new Float64Array(nParticles).fill(nParticles > 0 ? 1 / nParticles : 0);
}

/**
 * Weights divided by their sum. Every weight must be finite and ≥ 0 and the sum positive; the error
 * names `field` (e.g. `params.scenarios`).
 */
export function normaliseWeights(weights: ArrayLike<number>, field = 'weights'): Float64Array {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    if (!Number.isFinite(w) || w < 0) {
      throw new DriftlineError('E_JOB_INVALID', `${field}[${i}]: weight must be a finite number >= 0, got ${w}`, { field: `${field}[${i}]` });
    }
    sum += w;
  }
  if (!(sum > 0) || !Number.isFinite(sum)) {
    throw new DriftlineError('E_JOB_INVALID', `${field}: weights must sum to a positive finite number, got ${sum}`, { field });
  }
  const out = new Float64Array(weights.length);
  for (let i = 0; i < weights.length; i++) out[i] = (weights[i] as number) / sum;
  return out;
}

export interface ScenarioSplit {
  /** Particles per scenario (each ≥ 1, summing to nParticles). */
  counts: number[];
  /** Index of the first particle of each scenario (scenario k owns [first[k], first[k] + counts[k])). */
  first: number[];
  /** Weight of one particle of each scenario: scenario weight (normalised) ÷ its particle count. */
  particleWeight: number[];
}

/**
 * Split nParticles over scenarios in proportion to their weights, at least 1 each, by largest
 * remainder (Hamilton): the counts differ from n·w_k by less than 1 except where the floor of 1 bites.
 * Each particle then carries w_k / counts[k], so every scenario keeps exactly its weight.
 */
export function splitScenarioParticles(scenarioWeights: number[], nParticles: number, field = 'params.scenarios'): ScenarioSplit {
  const k = scenarioWeights.length;
  if (k === 0) throw new DriftlineError('E_JOB_INVALID', `${field}: at least one scenario is needed`, { field });
  if (!Number.isInteger(nParticles) || nParticles < k) {
    throw new DriftlineError('E_JOB_INVALID', `${field}: ${k} scenarios need at least ${k} particles, got ${nParticles}`, { field });
  }
  const w = normaliseWeights(scenarioWeights, field);
  const counts = new Array<number>(k).fill(1);
  // 1 each first, then the rest (n − k) by largest remainder of the remaining quota.
  const rest = nParticles - k;
  const quota = Array.from(w, (wk) => Math.max(0, wk * nParticles - 1));
  const quotaSum = quota.reduce((a, b) => a + b, 0);
  const scaled = quota.map((q) => (quotaSum > 0 ? (q * rest) / quotaSum : rest / k));
  let given = 0;
  for (let i = 0; i < k; i++) {
    const f = Math.floor(scaled[i] as number);
    counts[i] = (counts[i] as number) + f;
    given += f;
  }
  const order = scaled.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let j = 0; j < rest - given; j++) {
    const i = (order[j % k] as { i: number }).i;
    counts[i] = (counts[i] as number) + 1;
  }
  const first: number[] = [];
  let at = 0;
  for (const c of counts) {
    first.push(at);
    at += c;
  }
  return { counts, first, particleWeight: counts.map((c, i) => (w[i] as number) / c) };
}

/** Per-particle weights of a split (particle-major, scenario by scenario). */
export function splitWeights(split: ScenarioSplit): Float64Array {
  const n = split.counts.reduce((a, b) => a + b, 0);
  const out = new Float64Array(n);
  split.counts.forEach((c, k) => out.fill(split.particleWeight[k] as number, split.first[k] as number, (split.first[k] as number) + c));
  return out;
}

/** The weighted drifting particles at one output record, and where the rest of the mass is. */
export interface DriftingParticles {
  timeSec: number;
  /** Record index in the trajectory. */
  tIndex: number;
  /** Particle indices of the drifting (status active) particles with weight > 0. */
  index: Int32Array;
  lonDeg: Float64Array;
  latDeg: Float64Array;
  /** Their weights as given (not renormalised): `driftingMass` = Σ weight. */
  weight: Float64Array;
  driftingMass: number;
  strandedMass: number;
  /** Left the forcing (frozen at its edge): never mixed into the probability map. */
  outsideMass: number;
  /** Not released yet at this time. */
  notReleasedMass: number;
}

/** Drifting particles (status ACTIVE) at record t; stranded, outside and unreleased mass reported apart. */
export function driftingAt(result: Tracks, weights: Float64Array, tIndex: number): DriftingParticles {
  const { nParticles, nTimes, lonDeg, latDeg, status } = result;
  if (weights.length !== nParticles) throw new RangeError(`weights: ${weights.length} for ${nParticles} particles`);
  if (!(tIndex >= 0 && tIndex < nTimes)) throw new RangeError(`time index ${tIndex} outside [0, ${nTimes})`);
  let n = 0;
  let stranded = 0;
  let outside = 0;
  let notReleased = 0;
  for (let p = 0; p < nParticles; p++) {
    const i = p * nTimes + tIndex;
    const s = status[i] ?? NaN;
    const w = weights[p] ?? NaN;
    const lo = lonDeg[i] ?? NaN;
    const la = latDeg[i] ?? NaN;
    if (s === STATUS.ACTIVE && w > 0 && lo === lo && la === la) n++;
    else if (s === STATUS.STRANDED) stranded += w;
    else if (s === STATUS.OUTSIDE) outside += w;
    else if (s === STATUS.NOT_RELEASED || s === STATUS.ACTIVE) notReleased += w; // active with NaN: unreleased
  }
  const index = new Int32Array(n);
  const lon = new Float64Array(n);
  const lat = new Float64Array(n);
  const weight = new Float64Array(n);
  let k = 0;
  let drifting = 0;
  for (let p = 0; p < nParticles; p++) {
    const i = p * nTimes + tIndex;
    const w = weights[p] ?? NaN;
    const lo = lonDeg[i] ?? NaN;
    const la = latDeg[i] ?? NaN;
    if (status[i] === STATUS.ACTIVE && w > 0 && lo === lo && la === la) {
      index[k] = p;
      lon[k] = lo;
      lat[k] = la;
      weight[k] = w;
      drifting += w;
      k++;
    }
  }
  return {
    timeSec: result.timesSec[tIndex] ?? NaN,
    tIndex,
    index,
    lonDeg: lon,
    latDeg: lat,
    weight,
    driftingMass: drifting,
    strandedMass: stranded,
    outsideMass: outside,
    notReleasedMass: notReleased,
  };
}

/** Record index nearest to timeSec (the middle of a search window), or null outside the run. */
export function recordIndexAt(timesSec: ArrayLike<number>, timeSec: number): number | null {
  const n = timesSec.length;
  if (n === 0) return null;
  const a = timesSec[0] ?? NaN;
  const b = timesSec[n - 1] ?? NaN;
  if (timeSec < Math.min(a, b) || timeSec > Math.max(a, b)) return null;
  let best = 0;
  for (let t = 1; t < n; t++) if (Math.abs((timesSec[t] ?? NaN) - timeSec) < Math.abs((timesSec[best] ?? NaN) - timeSec)) best = t;
  return best;
}
