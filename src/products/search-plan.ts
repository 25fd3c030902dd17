/**
 * The mission's search (issue 8) from `params.search`: the particle weights (posterior after the
 * completed searches, Σ = 1; equal when there are none), the search plan, the summary's `search`
 * object, and products/search_plan.{geojson,kml}. The mathematics is src/search; this file wires it.
 *
 * Plan over several units: each unit is planned at the output record nearest to the middle of its
 * window [plan start, plan start + endurance]. Units whose middles fall on the same record are planned
 * jointly by planSearch (greedy, non-overlapping rectangles, each on the probability the earlier ones
 * leave). Groups at different records are planned in the order of their first unit, each on the
 * weights the earlier groups leave (so a later group does not count probability an earlier unit
 * would already have found); their rectangles may overlap on the chart, since the cloud has moved.
 * The cumulative POS is then Σ POS over units (unconditional probabilities of success).
 */
import { writeProductPieces } from './files.js';
import { formatDdm, searchPlanGeoJsonPieces, searchPlanKmlPieces, type PlanWindow } from './search-plan-format.js';
import {
  bayesUpdate,
  driftingAt,
  equalWeights,
  planSearch,
  recordIndexAt,
  weightedCloud,
  type BayesResult,
  type Plan,
  type SearchUnit,
  type Tracks,
  type UnitPlan,
} from '../search/index.js';
import type { SearchParams } from '../search/params.js';
import { resolveSearch, type ResolvedSearch } from '../search/resolve.js';
import { isoUtc } from './search-areas-compute.js';
import type { ProductFile } from './types.js';

export interface MissionSearch {
  resolved: ResolvedSearch;
  /** Posterior particle weights after the completed searches (Σ = 1), or equal weights. */
  weights: Float64Array;
  bayes: BayesResult | null;
}

/** `prior`: the scenarios' particle weights (src/search/scenarios.ts scenarioPrior); default equal weights. */
export function missionSearch(result: Tracks, search: SearchParams | undefined, prior: Float64Array = equalWeights(result.nParticles)): MissionSearch {
  const resolved = resolveSearch(search);
  if (resolved.completed.length === 0 || result.nParticles === 0) return { resolved, weights: prior, bayes: null };
  const bayes = bayesUpdate(result, prior, resolved.completed, resolved.law);
  return { resolved, weights: bayes.weight, bayes };
}

export interface MissionPlan {
  plan: Plan;
  /** One per planned unit, same order as plan.units. */
  windows: PlanWindow[];
  /** Record time each unit was planned at. */
  plannedAtSec: number[];
  /** Units that could not be planned (nothing drifting then, or no room left), by name. */
  skipped: string[];
  /** Particle weights after every planned unit searched without success (not renormalised). */
  posteriorWeight: Float64Array;
}

export function planMission(result: Tracks, ms: MissionSearch): MissionPlan | null {
  const p = ms.resolved.plan;
  if (p === null || result.nTimes === 0) return null;
  const law = ms.resolved.law;
  const weights = Float64Array.from(ms.weights);
  // Group the units by the record nearest their window's middle, in the order of first appearance.
  const groups = new Map<number, { unit: SearchUnit; index: number }[]>();
  const skipped: string[] = [];
  p.units.forEach((unit, index) => {
    const t = recordIndexAt(result.timesSec, p.startTimeSec + (unit.enduranceH * 3600) / 2);
    if (t === null) {
      skipped.push(unit.name); // validated against the run in src/job.ts; kept for plans made elsewhere
      return;
    }
    const list = groups.get(t) ?? [];
    list.push({ unit, index });
    groups.set(t, list);
  });
  const planned: { order: number; unit: UnitPlan; window: PlanWindow; atSec: number }[] = [];
  for (const [t, members] of groups) {
    const d = driftingAt(result, weights, t);
    const cloud = weightedCloud(d.lonDeg, d.latDeg, d.weight);
    if (cloud === null) {
      skipped.push(...members.map((m) => m.unit.name));
      continue;
    }
    const plan = planSearch(cloud, members.map((m) => m.unit), law);
    // One posterior weight per drifting particle, in d.index's order (NaN only satisfies the type).
    d.index.forEach((p, k) => {
      weights[p] = plan.posteriorWeight[k] ?? NaN;
    });
    const left = [...members];
    for (const u of plan.units) {
      const at = left.findIndex((m) => m.unit.name === u.unit);
      const m = left.splice(at < 0 ? 0 : at, 1)[0];
      if (m === undefined) continue;
      planned.push({
        order: m.index,
        unit: u,
        window: { startTimeSec: p.startTimeSec, endTimeSec: p.startTimeSec + m.unit.enduranceH * 3600, law },
        atSec: d.timeSec,
      });
    }
    skipped.push(...left.map((m) => m.unit.name));
  }
  planned.sort((a, b) => a.order - b.order);
  const units = planned.map((x) => x.unit);
  return {
    plan: { units, cumulativePos: units.reduce((s, u) => s + u.pos, 0), posteriorWeight: weights },
    windows: planned.map((x) => x.window),
    plannedAtSec: planned.map((x) => x.atSec),
    skipped,
    posteriorWeight: weights,
  };
}

const r = (v: number, digits: number): number => Number(v.toFixed(digits));

/** The `search` object of summary.json. */
export function searchSummary(ms: MissionSearch, mp: MissionPlan | null): Record<string, unknown> {
  const out: Record<string, unknown> = {
    detection: ms.resolved.law,
    weights: ms.bayes === null ? 'equal' : 'posterior after the completed searches',
  };
  if (ms.bayes !== null) {
    out.completed = ms.bayes.updates.map((u, k) => {
      const c = ms.resolved.completed[k];
      return {
        name: u.name,
        ...(c ? { start_time: isoUtc(c.startTimeSec), end_time: isoUtc(c.endTimeSec) } : {}),
        coverage: r(u.coverage, 6),
        pod: r(u.pod, 6),
        probability_removed: r(u.removed, 9),
        records_used: u.records.length,
      };
    });
    out.completed_cumulative_pos = r(ms.bayes.cumulativePos, 9);
  }
  if (mp !== null) {
    let running = 0;
    out.plan = {
      start_time: ms.resolved.plan ? isoUtc(ms.resolved.plan.startTimeSec) : null,
      cumulative_pos: r(mp.plan.cumulativePos, 9),
      skipped_units: mp.skipped,
      units: mp.plan.units.map((u, k) => {
        running += u.pos;
        const w = mp.windows[k];
        return {
          unit: u.unit,
          start_time: w ? isoUtc(w.startTimeSec) : null,
          end_time: w ? isoUtc(w.endTimeSec) : null,
          planned_at: isoUtc(mp.plannedAtSec[k] ?? NaN),
          poc: r(u.poc, 9),
          pod: r(u.pod, 9),
          pos: r(u.pos, 9),
          cumulative_pos: r(running, 9),
          coverage: r(u.coverage, 6),
          track_spacing_nm: r(u.trackSpacingNm, 4),
          sweep_width_nm: u.sweepWidthNm,
          area_nm2: r(u.areaNm2, 3),
          length_nm: r(u.lengthNm, 3),
          width_nm: r(u.widthNm, 3),
          track_bearing_deg: r(u.trackBearingDeg, 1),
          creep_bearing_deg: r(u.creepBearingDeg, 1),
          centre: { lon: u.centreLonDeg, lat: u.centreLatDeg, ddm: formatDdm(u.centreLonDeg, u.centreLatDeg) },
        };
      }),
    };
  }
  return out;
}

/** products/search_plan.geojson and .kml. */
export async function writeSearchPlanFiles(mp: MissionPlan, workDir: string, missionId: string): Promise<ProductFile[]> {
  return [
    await writeProductPieces(workDir, 'search_plan_geojson', searchPlanGeoJsonPieces(mp.plan, mp.windows, { mission_id: missionId, skipped_units: mp.skipped })),
    await writeProductPieces(workDir, 'search_plan_kml', searchPlanKmlPieces(mp.plan, mp.windows, `Search plan — mission ${missionId}`)),
  ];
}
