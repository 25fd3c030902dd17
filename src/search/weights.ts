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
  /** Particles stranded at this time, and particles with a position (released), whatever their weight. */
  strandedCount: number;
  releasedCount: number;
}

/** Drifting particles (status ACTIVE) at record t; stranded, outside and unreleased mass reported apart. */
export function driftingAt(result: Tracks, weights: Float64Array, tIndex: number): DriftingParticles {
  const [d] = driftingBlock(result, weights, tIndex, 1);
  if (d === undefined) throw new RangeError(`time index ${tIndex} outside [0, ${result.nTimes})`);
  return d;
}

/**
 * Largest block driftingTimes reads at once: bytes of the drifting copies (index, lon, lat, weight: 28
 * per particle and time) kept for the block, 32 MiB. 100 000 particles: 11 times per pass; 1 M: 1.
 */
const BLOCK_BYTES = 32 * 2 ** 20;
/** More than 16 times per pass buys nothing: 16 float32 records of one particle fill a 64-byte cache line. */
const MAX_BLOCK_TIMES = 16;

/**
 * driftingAt for t = 0, 1, 2, … in order, read a block of times per pass. The records are particle-major
 * (p · nTimes + t), so reading one time strides over memory and misses the cache on every particle; a
 * block reads neighbouring records of each particle together. 100 000 particles × 49 times: driftingAt one
 * time at a time took 2.7 s of the smoothed search areas' 7.9 s (bench/animation.bench.mjs, loaded).
 *
 * Every block's arrays are views into one set of buffers, allocated once: a time's arrays hold its
 * particles until the getter reads the next block, so a caller copies what it keeps longer (the smoothed
 * search areas use each time's particles before asking for the next). Fresh arrays for every block cost
 * their first touches again (100 000 × 49 reads 5 blocks of 30 MiB; on the development VM a first touch
 * costs ~10 µs a 4 KiB page, CHANGELOG). 100 000 × 48 h `driftline run`, 3 alternating runs: search
 * products 1 549–1 614 → 1 375–1 520 ms, minor faults 117 208 → 104 291 (medians); 20 000 × 48 h (4 blocks
 * of 9 MiB): no change that 6 runs could show.
 */
export function driftingTimes(result: Tracks, weights: Float64Array): (tIndex: number) => DriftingParticles {
  const blockTimes = Math.max(1, Math.min(MAX_BLOCK_TIMES, Math.floor(BLOCK_BYTES / (28 * Math.max(1, result.nParticles)))));
  const buffers = blockBuffers(result.nParticles, Math.min(blockTimes, result.nTimes));
  let first = 0;
  let block: DriftingParticles[] = [];
  return (tIndex) => {
    let d = block[tIndex - first];
    if (d === undefined) {
      first = tIndex;
      block = driftingBlock(result, weights, tIndex, Math.min(blockTimes, result.nTimes - tIndex), buffers);
      d = block[0];
    }
    if (d === undefined) throw new RangeError(`time index ${tIndex} outside [0, ${result.nTimes})`);
    return d;
  };
}

/** Storage for the drifting particles of up to `times` records of `capacity` particles each (driftingBlock's `into`). */
export interface BlockBuffers {
  capacity: number;
  times: number;
  index: Int32Array;
  lonDeg: Float64Array;
  latDeg: Float64Array;
  weight: Float64Array;
}

export function blockBuffers(capacity: number, times: number): BlockBuffers {
  const n = capacity * times;
  return { capacity, times, index: new Int32Array(n), lonDeg: new Float64Array(n), latDeg: new Float64Array(n), weight: new Float64Array(n) };
}

/**
 * driftingAt for records t0 … t0 + count - 1, in two passes over the particles. With `into`, each record's
 * arrays are views into it (record b at b · capacity), overwritten by the next call given the same buffers;
 * without, fresh arrays.
 */
export function driftingBlock(result: Tracks, weights: Float64Array, t0: number, count: number, into?: BlockBuffers): DriftingParticles[] {
  const { nParticles, nTimes, lonDeg, latDeg, status } = result;
  if (weights.length !== nParticles) throw new RangeError(`weights: ${weights.length} for ${nParticles} particles`);
  if (!(t0 >= 0 && count >= 1 && t0 + count <= nTimes)) throw new RangeError(`time indices [${t0}, ${t0 + count}) outside [0, ${nTimes})`);
  if (into !== undefined && (into.capacity < nParticles || into.times < count)) throw new RangeError(`buffers for ${into.times} × ${into.capacity}: ${count} records of ${nParticles} particles`);
  const n = new Int32Array(count);
  const stranded = new Float64Array(count);
  const outside = new Float64Array(count);
  const notReleased = new Float64Array(count);
  const strandedCount = new Int32Array(count);
  const releasedCount = new Int32Array(count);
  for (let p = 0; p < nParticles; p++) {
    const w = weights[p] ?? NaN;
    const base = p * nTimes + t0;
    for (let b = 0; b < count; b++) {
      const i = base + b;
      const s = status[i] ?? NaN;
      const lo = lonDeg[i] ?? NaN;
      const la = latDeg[i] ?? NaN;
      // b < count = every array's length: the `?? 0` reads never take their default.
      if (la === la) releasedCount[b] = (releasedCount[b] ?? 0) + 1;
      if (s === STATUS.STRANDED) strandedCount[b] = (strandedCount[b] ?? 0) + 1;
      if (s === STATUS.ACTIVE && w > 0 && lo === lo && la === la) n[b] = (n[b] ?? 0) + 1;
      else if (s === STATUS.STRANDED) stranded[b] = (stranded[b] ?? 0) + w;
      else if (s === STATUS.OUTSIDE) outside[b] = (outside[b] ?? 0) + w;
      else if (s === STATUS.NOT_RELEASED || s === STATUS.ACTIVE) notReleased[b] = (notReleased[b] ?? 0) + w; // active with NaN: unreleased
    }
  }
  const out = Array.from({ length: count }, (_, b) => {
    const m = n[b] ?? 0;
    const at = b * (into?.capacity ?? 0);
    return {
      timeSec: result.timesSec[t0 + b] ?? NaN,
      tIndex: t0 + b,
      index: into ? into.index.subarray(at, at + m) : new Int32Array(m),
      lonDeg: into ? into.lonDeg.subarray(at, at + m) : new Float64Array(m),
      latDeg: into ? into.latDeg.subarray(at, at + m) : new Float64Array(m),
      weight: into ? into.weight.subarray(at, at + m) : new Float64Array(m),
      driftingMass: 0,
      strandedMass: stranded[b] ?? 0,
      outsideMass: outside[b] ?? 0,
      notReleasedMass: notReleased[b] ?? 0,
      strandedCount: strandedCount[b] ?? 0,
      releasedCount: releasedCount[b] ?? 0,
    };
  });
  const k = new Int32Array(count);
  for (let p = 0; p < nParticles; p++) {
    const w = weights[p] ?? NaN;
    if (!(w > 0)) continue;
    const base = p * nTimes + t0;
    for (let b = 0; b < count; b++) {
      const i = base + b;
      const lo = lonDeg[i] ?? NaN;
      const la = latDeg[i] ?? NaN;
      const d = out[b];
      if (d !== undefined && status[i] === STATUS.ACTIVE && lo === lo && la === la) {
        const j = k[b] ?? 0;
        d.index[j] = p;
        d.lonDeg[j] = lo;
        d.latDeg[j] = la;
        d.weight[j] = w;
        d.driftingMass += w;
        k[b] = j + 1;
      }
    }
  }
  return out;
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
