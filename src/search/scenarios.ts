/**
 * Weighted scenarios over a run (issue 8 item 2): which scenario each particle belongs to, the prior
 * weights (scenario weight ÷ its particle count), each scenario's probability by particle state at
 * every output record, and the probability the completed searches removed from each scenario. Pure.
 *
 * Every mass here is in terms of the PRIOR (Σ over scenarios and states = 1 at each record), so a
 * coordinator reads "of the 30 % life-raft hypothesis, 12 points are stranded and 5 were searched
 * away". The posterior share of a scenario (what the products are drawn from) is reported apart.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { STATUS } from '../model/types.js';
import { bayesUpdate, type CompletedSearch } from './bayes.js';
import type { DetectionLaw } from './detection.js';
import { equalWeights, type Tracks } from './weights.js';

/** A scenario's contiguous particle range and normalised weight (src/model/types.ts ScenarioModel). */
export interface ScenarioRange {
  first: number;
  count: number;
  weight: number;
}

/** Scenario index of every particle (0 without scenarios). At most 255 scenarios (the job allows 32). */
export function scenarioOfParticle(ranges: readonly ScenarioRange[] | undefined, nParticles: number): Uint8Array {
  const out = new Uint8Array(nParticles);
  (ranges ?? []).forEach((r, k) => out.fill(k, r.first, Math.min(nParticles, r.first + r.count)));
  return out;
}

/** Prior particle weights: scenario weight ÷ its count, or equal weights 1/n without scenarios. */
export function scenarioPrior(ranges: readonly ScenarioRange[] | undefined, nParticles: number): Float64Array {
  if (ranges === undefined || ranges.length === 0) return equalWeights(nParticles);
  const out = new Float64Array(nParticles);
  for (const r of ranges) out.fill(r.count > 0 ? r.weight / r.count : 0, r.first, Math.min(nParticles, r.first + r.count));
  return out;
}

/**
 * Mass by state, laid out [t * nScenarios + k]. With completed searches (scenarioShares), the states
 * hold the prior mass not yet detected-removed at t and `detected` what the searches ended by t
 * removed, so drifting + stranded + outside + notReleased + detected = the scenario's weight.
 */
export interface ScenarioMass {
  nScenarios: number;
  nTimes: number;
  drifting: Float64Array;
  stranded: Float64Array;
  outside: Float64Array;
  notReleased: Float64Array;
  detected: Float64Array;
}

/** Σ weight of each scenario's particles in each state at every record (one pass, particle-major). */
export function scenarioMassByTime(tracks: Tracks, scenarioOf: Uint8Array, nScenarios: number, weights: ArrayLike<number>): ScenarioMass {
  const { nParticles, nTimes, status, lonDeg } = tracks;
  const size = nTimes * nScenarios;
  const drifting = new Float64Array(size);
  const stranded = new Float64Array(size);
  const outside = new Float64Array(size);
  const notReleased = new Float64Array(size);
  for (let p = 0; p < nParticles; p++) {
    const k = scenarioOf[p] ?? 0;
    const w = weights[p] ?? 0;
    const base = p * nTimes;
    for (let t = 0; t < nTimes; t++) {
      const s = status[base + t];
      const j = t * nScenarios + k;
      // As driftingAt: an active record without a position has not been released yet.
      if (s === STATUS.ACTIVE && lonDeg[base + t] === lonDeg[base + t]) drifting[j] = (drifting[j] ?? NaN) + w;
      else if (s === STATUS.STRANDED) stranded[j] = (stranded[j] ?? NaN) + w;
      else if (s === STATUS.OUTSIDE) outside[j] = (outside[j] ?? NaN) + w;
      else notReleased[j] = (notReleased[j] ?? NaN) + w;
    }
  }
  return { nScenarios, nTimes, drifting, stranded, outside, notReleased, detected: new Float64Array(size) };
}

/** The state of particle p's record i as an index into ScenarioMass's four state arrays. */
function stateArray(mass: ScenarioMass, tracks: Tracks, i: number): Float64Array {
  const s = tracks.status[i];
  if (s === STATUS.ACTIVE && tracks.lonDeg[i] === tracks.lonDeg[i]) return mass.drifting;
  if (s === STATUS.STRANDED) return mass.stranded;
  if (s === STATUS.OUTSIDE) return mass.outside;
  return mass.notReleased;
}

/**
 * Each scenario's prior mass by state over time, less what the completed searches removed once they
 * ended (a search's removal counts from the first record at or after its end time), with that removal
 * in `detected`. Cost: one bayesUpdate per search plus searches × particles × records additions.
 */
export function scenarioShares(
  tracks: Tracks,
  scenarioOf: Uint8Array,
  nScenarios: number,
  prior: Float64Array,
  searches: CompletedSearch[],
  law: DetectionLaw,
): ScenarioMass {
  const mass = scenarioMassByTime(tracks, scenarioOf, nScenarios, prior);
  if (searches.length === 0) return mass;
  const { nTimes, timesSec } = tracks;
  scenarioRemovals(tracks, prior, searches, law, scenarioOf, nScenarios, (s, p, removed) => {
    if (removed === 0) return;
    const k = scenarioOf[p] ?? 0;
    for (let t = 0; t < nTimes; t++) {
      if (!((timesSec[t] ?? NaN) >= s.endTimeSec)) continue;
      const j = t * nScenarios + k;
      const state = stateArray(mass, tracks, p * nTimes + t);
      state[j] = (state[j] ?? NaN) - removed;
      mass.detected[j] = (mass.detected[j] ?? NaN) + removed;
    }
  });
  return mass;
}

/** Probability each completed search removed from each scenario, in prior terms: removed[j][k]. */
export interface ScenarioRemovals {
  /** removed[j][k]: search j, scenario k; Σ_k removed[j][k] = bayesUpdate's updates[j].removed. */
  removed: number[][];
  /** End time of each search (seconds since epoch): its mass counts as removed from then on. */
  endTimeSec: number[];
}

/**
 * The completed searches applied one at a time (the same chain as bayesUpdate, which renormalises after
 * each search), attributing each search's removed probability to the scenarios. Search j removes, per
 * particle, survive_{j-1} · (w_{j-1,p} − w_{j,p} · (1 − r_j)) of the prior, where w are the normalised
 * weights before and after it, r_j its removed share of the normalised prior, and survive_{j-1} the prior
 * probability left after the searches before it.
 */
export function scenarioRemovals(
  tracks: Tracks,
  prior: Float64Array,
  searches: CompletedSearch[],
  law: DetectionLaw,
  scenarioOf: Uint8Array,
  nScenarios: number,
  /** Called with each particle's removed prior mass, search by search. */
  onRemoval?: (search: CompletedSearch, particle: number, removed: number) => void,
): ScenarioRemovals {
  const removed: number[][] = [];
  const endTimeSec: number[] = [];
  let sum = 0;
  for (let p = 0; p < prior.length; p++) sum += prior[p] ?? NaN;
  let before: Float64Array = Float64Array.from(prior, (w) => w / sum);
  let survive = 1;
  for (const s of searches) {
    const step = bayesUpdate(tracks, before, [s], law, 'params.search.completed');
    const r = step.updates[0]?.removed ?? 0;
    const after = step.weight;
    const row = new Array<number>(nScenarios).fill(0);
    for (let p = 0; p < before.length; p++) {
      const k = scenarioOf[p] ?? 0;
      const removedP = survive * ((before[p] ?? NaN) - (after[p] ?? NaN) * (1 - r));
      row[k] = (row[k] ?? NaN) + removedP;
      onRemoval?.(s, p, removedP);
    }
    removed.push(row);
    endTimeSec.push(s.endTimeSec);
    survive *= 1 - r;
    before = after;
  }
  return { removed, endTimeSec };
}
