/**
 * Bayesian update after searches that found nothing (Stone, Theory of Optimal Search; as SAROPS):
 * w_i ← w_i × (1 − POD(C) × f_i), then renormalised, where C = W/S and f_i is the fraction of the
 * model's output records in [start, end) at which particle i was drifting inside the polygon. Pure.
 *
 * Records, not calculation steps: the trajectory keeps only output records (hourly by default), so
 * f_i is counted on those. A window shorter than the output step holds no record; then the record
 * nearest to the window's middle is used (f_i is 0 or 1). Only drifting (status active) particles
 * count as inside: a stranded particle is on the coast, not on the water being swept.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { DriftlineError } from '../errors.js';
import { STATUS } from '../model/types.js';
import type { Tracks } from './weights.js';
import { coverageFromSpacing, pod, type DetectionLaw } from './detection.js';
import { indexRing, ringContains, validateRing, type Ring } from './polygon.js';

export interface CompletedSearch {
  name: string;
  startTimeSec: number;
  endTimeSec: number;
  /** [[lon, lat], …] closed ring (untrusted: validated here). */
  polygon: unknown;
  sweepWidthNm: number;
  trackSpacingNm: number;
}

export interface SearchUpdate {
  name: string;
  coverage: number;
  pod: number;
  /** Prior probability removed by this search (Σ w_i · POD · f_i, before renormalising). */
  removed: number;
  /** Record indices used. */
  records: number[];
}

export interface BayesResult {
  /** Renormalised posterior (Σ = 1). */
  weight: Float64Array;
  updates: SearchUpdate[];
  /** 1 − Π of survival: the probability the searches would have found the object, = Σ removed. */
  cumulativePos: number;
}

/** Records of [start, end) (either order of timesSec), or the nearest to the middle when none. */
export function recordsInWindow(timesSec: ArrayLike<number>, startSec: number, endSec: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < timesSec.length; t++) if ((timesSec[t] ?? NaN) >= startSec && (timesSec[t] ?? NaN) < endSec) out.push(t);
  if (out.length === 0 && timesSec.length > 0) {
    const mid = (startSec + endSec) / 2;
    let best = 0;
    for (let t = 1; t < timesSec.length; t++) if (Math.abs((timesSec[t] ?? NaN) - mid) < Math.abs((timesSec[best] ?? NaN) - mid)) best = t;
    out.push(best);
  }
  return out;
}

/** Validate one completed search against the run; errors name the field, e.g. `params.search.completed[0].end_time`. */
export function validateCompleted(s: CompletedSearch, timesSec: ArrayLike<number>, field: string): Ring {
  const bad = (name: string, what: string) => new DriftlineError('E_JOB_INVALID', `${field}.${name}: ${what}`, { field: `${field}.${name}` });
  for (const [name, v] of [
    ['sweep_width_nm', s.sweepWidthNm],
    ['track_spacing_nm', s.trackSpacingNm],
  ] as const) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw bad(name, `must be a positive finite number, got ${v}`);
  }
  if (!Number.isFinite(s.startTimeSec)) throw bad('start_time', 'must be a valid time');
  if (!Number.isFinite(s.endTimeSec)) throw bad('end_time', 'must be a valid time');
  if (!(s.endTimeSec > s.startTimeSec)) throw bad('end_time', 'must be after start_time');
  const n = timesSec.length;
  const lo = Math.min(timesSec[0] ?? NaN, timesSec[n - 1] ?? NaN);
  const hi = Math.max(timesSec[0] ?? NaN, timesSec[n - 1] ?? NaN);
  const iso = (t: number) => new Date(t * 1000).toISOString();
  if (s.startTimeSec < lo || s.startTimeSec > hi) throw bad('start_time', `${iso(s.startTimeSec)} is outside the run [${iso(lo)}, ${iso(hi)}]`);
  // An end up to one output step past the last record is accepted ([start, end) excludes it anyway).
  if (s.endTimeSec > hi + Math.abs((timesSec[1] ?? hi) - (timesSec[0] ?? hi))) {
    throw bad('end_time', `${iso(s.endTimeSec)} is outside the run [${iso(lo)}, ${iso(hi)}]`);
  }
  return validateRing(s.polygon, `${field}.polygon`);
}

/** Apply the completed searches in order to the prior weights (Σ > 0). */
export function bayesUpdate(result: Tracks, prior: Float64Array, searches: CompletedSearch[], law: DetectionLaw, fieldPrefix = 'params.search.completed'): BayesResult {
  const { nParticles, nTimes, lonDeg, latDeg, status, timesSec } = result;
  if (prior.length !== nParticles) throw new RangeError(`weights: ${prior.length} for ${nParticles} particles`);
  const w = Float64Array.from(prior);
  let total = 0;
  for (let i = 0; i < nParticles; i++) total += w[i] ?? NaN;
  if (!(total > 0)) throw new DriftlineError('E_JOB_INVALID', 'weights: must sum to a positive number', { field: 'weights' });
  for (let i = 0; i < nParticles; i++) w[i] = (w[i] ?? NaN) / total;
  const updates: SearchUpdate[] = [];
  let survive = 1;
  searches.forEach((s, k) => {
    const field = `${fieldPrefix}[${k}]`;
    const ix = indexRing(validateCompleted(s, timesSec, field));
    const coverage = coverageFromSpacing(s.sweepWidthNm, s.trackSpacingNm);
    const d = pod(law, coverage);
    const records = recordsInWindow(timesSec, s.startTimeSec, s.endTimeSec);
    const invR = 1 / records.length;
    let removed = 0;
    for (let p = 0; p < nParticles; p++) {
      if (w[p] === 0) continue;
      const base = p * nTimes;
      let inside = 0;
      for (const t of records) {
        const i = base + t;
        if (status[i] === STATUS.ACTIVE && ringContains(ix, lonDeg[i] ?? NaN, latDeg[i] ?? NaN)) inside++;
      }
      if (inside === 0) continue;
      const loss = (w[p] ?? NaN) * d * inside * invR;
      removed += loss;
      w[p] = (w[p] ?? NaN) - loss;
    }
    let sum = 0;
    for (let p = 0; p < nParticles; p++) sum += w[p] ?? NaN;
    // Probability this search removes, in terms of the original prior: the survivor share so far × removed share now.
    updates.push({ name: s.name, coverage, pod: d, removed: removed * survive, records });
    survive *= sum;
    if (!(sum > 0)) throw new DriftlineError('E_JOB_INVALID', `${field}: the search removes all the probability (POD = 1 over every particle)`, { field });
    for (let p = 0; p < nParticles; p++) w[p] = (w[p] ?? NaN) / sum;
  });
  return { weight: w, updates, cumulativePos: 1 - survive };
}
