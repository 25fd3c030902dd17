/**
 * The `scenarios` list of products/summary.json (issue 8 item 2): per weighted scenario, what it is
 * (object type, seeding, weight, particles) and its share of the mission's probability over time by
 * state, in PRIOR terms (Σ over scenarios of every field = 1 at each time): drifting, stranded, outside
 * (left the forcing), not_released, and detected_removed (what the completed searches that ended by
 * then took away; the four states hold what they left), so the five add up to the scenario's weight. `posterior_weight` is the scenario's share of the final posterior weights, the ones the
 * products are drawn from. Present only when the job has params.scenarios.
 */
import type { ModelParams } from '../model/types.js';
import type { CompletedSearch } from '../search/bayes.js';
import type { DetectionLaw } from '../search/detection.js';
import { scenarioRemovals, scenarioShares } from '../search/scenarios.js';
import type { Tracks } from '../search/weights.js';
import { isoTime } from './acdd.js';
import { plainCategoryText } from './category-text.js';

const r9 = (v: number) => Number(v.toFixed(9));

export interface ScenarioSummaryInput {
  model: ModelParams;
  /** Job names of the scenarios (params.scenarios[k].name), same order. */
  names: (string | undefined)[];
  prior: Float64Array;
  posterior: Float64Array;
  scenarioOf: Uint8Array;
  completed: CompletedSearch[];
  law: DetectionLaw;
}

export function scenariosSummary(tracks: Tracks, input: ScenarioSummaryInput): Record<string, unknown>[] {
  const scenarios = input.model.scenarios ?? [];
  const k = scenarios.length;
  if (k === 0) return [];
  const mass = scenarioShares(tracks, input.scenarioOf, k, input.prior, input.completed, input.law);
  const removals = input.completed.length > 0 ? scenarioRemovals(tracks, input.prior, input.completed, input.law, input.scenarioOf, k) : null;
  const posterior = new Array<number>(k).fill(0);
  input.posterior.forEach((w, p) => {
    const s = input.scenarioOf[p] ?? 0;
    posterior[s] = (posterior[s] ?? 0) + w;
  });
  const t0 = tracks.timesSec[0] ?? input.model.startTimeSec;
  return scenarios.map((sc, s) => {
    const seeding = sc.seeding;
    return {
      index: s,
      name: input.names[s] ?? null,
      object_type: { id: sc.category.id, key: sc.category.key, description: plainCategoryText(sc.category.description) },
      weight: r9(sc.weight),
      particles: sc.count,
      particle_weight: sc.count > 0 ? sc.weight / sc.count : 0,
      posterior_weight: r9(posterior[s] ?? 0),
      detected_removed: r9(removals === null ? 0 : removals.removed.reduce((a, row) => a + (row[s] ?? 0), 0)),
      seeding: {
        lon: seeding.lonDeg,
        lat: seeding.latDeg,
        radius_m: seeding.radiusM,
        radius_type: seeding.radiusType,
        ...(seeding.endLonDeg !== undefined ? { end_lon: seeding.endLonDeg, end_lat: seeding.endLatDeg } : {}),
        ...(seeding.endRadiusM !== undefined ? { end_radius_m: seeding.endRadiusM } : {}),
        release_start: isoTime(sc.releaseStartSec),
        release_end: seeding.endTimeSec !== undefined ? isoTime(seeding.endTimeSec) : isoTime(sc.releaseStartSec),
      },
      times: Array.from(tracks.timesSec, (timeSec, t) => {
        const j = t * k + s;
        return {
          time: isoTime(timeSec),
          hours_since_start: Number(((timeSec - t0) / 3600).toFixed(4)),
          drifting: r9(mass.drifting[j] ?? 0),
          stranded: r9(mass.stranded[j] ?? 0),
          outside: r9(mass.outside[j] ?? 0),
          not_released: r9(mass.notReleased[j] ?? 0),
          detected_removed: r9(mass.detected[j] ?? 0),
        };
      }),
    };
  });
}
