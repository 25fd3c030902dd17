/** src/products/search-plan.ts: weights, grouping of units by window middle, summary fields. Pure (no files). */
import { describe, expect, it } from 'vitest';
import { missionSearch, planMission, searchSummary } from '../../src/products/search-plan.js';
import { syntheticCloud } from './products.fixtures.js';

const T = 13; // hourly records 00:00 … 12:00 on 2024-03-01
const cloud = syntheticCloud({ nParticles: 1500, nTimes: T, lon0Deg: 4.6, lat0Deg: 60.3, driftEastMPerStep: 800, sigma0M: 300, sigmaGrowthMPerStep: 250, strandedFraction: 0.2 });
const iso = (h: number) => new Date(Date.UTC(2024, 2, 1, h) * 1).toISOString();
const unit = (name: string, endurance_h: number) => ({ name, speed_kn: 20, endurance_h, sweep_width_nm: 0.5 });
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('missionSearch', () => {
  it('gives equal weights without completed searches, a renormalised posterior with one', () => {
    const none = missionSearch(cloud, undefined);
    expect(none.bayes).toBeNull();
    expect(new Set(none.weights)).toEqual(new Set([1 / 1500]));
    // A box over the seed, swept at 00:00–01:00 (record 0 only): every particle starts inside it.
    const box = [[4.5, 60.2], [4.7, 60.2], [4.7, 60.4], [4.5, 60.4], [4.5, 60.2]];
    const ms = missionSearch(cloud, { detection: 'exponential', completed: [{ name: 'S', start_time: iso(0), end_time: iso(1), polygon: box as [number, number][], sweep_width_nm: 1, track_spacing_nm: 1 }] });
    // All 1 500 inside at the one record: each weight × (1 − POD), POD = 1 − e^−1; renormalised back to equal.
    expect(ms.bayes?.updates[0]?.removed).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(Math.abs(sum(ms.weights) - 1)).toBeLessThan(1e-12);
    expect(ms.weights[0]).toBeCloseTo(1 / 1500, 15);
  });
});

describe('planMission', () => {
  it('plans units sharing a window middle jointly (non-overlapping) and others at their own record, POS summing', () => {
    const ms = missionSearch(cloud, { detection: 'exponential', completed: [], plan: { start_time: iso(4), units: [unit('A', 2), unit('B', 2), unit('C', 6)] } });
    const mp = planMission(cloud, ms)!;
    expect(mp.plan.units.map((u) => u.unit)).toEqual(['A', 'B', 'C']);
    // A and B: middle 05:00; C: middle 07:00.
    expect(mp.plannedAtSec.map((s) => new Date(s * 1000).toISOString())).toEqual([iso(5), iso(5), iso(7)]);
    expect(mp.windows[2]).toEqual({ startTimeSec: Date.UTC(2024, 2, 1, 4) / 1000, endTimeSec: Date.UTC(2024, 2, 1, 10) / 1000, law: 'exponential' });
    for (const u of mp.plan.units) {
      expect(u.pos).toBeGreaterThan(0);
      expect(u.pos).toBeLessThanOrEqual(u.poc);
    }
    expect(mp.plan.cumulativePos).toBeCloseTo(sum(mp.plan.units.map((u) => u.pos)), 12);
    // Unsuccessful planned searches remove exactly the plan's POS from the weights.
    expect(1 - sum(mp.posteriorWeight)).toBeCloseTo(mp.plan.cumulativePos, 12);
    // The input weights are not changed by planning.
    expect(sum(ms.weights)).toBeCloseTo(1, 12);
    const s = searchSummary(ms, mp) as { weights: string; plan: { units: { cumulative_pos: number }[]; cumulative_pos: number } };
    expect(s.weights).toBe('equal');
    expect(s.plan.units.at(-1)?.cumulative_pos).toBeCloseTo(s.plan.cumulative_pos, 9);
  });

  it('returns null without a plan', () => {
    expect(planMission(cloud, missionSearch(cloud, undefined))).toBeNull();
  });
});
