/**
 * `params.search`, validated by params.ts's schema, as the numbers the products use: times in seconds
 * and the src/search types. Apart from the schema so that the product writers, on their own threads,
 * do not load zod for it (~20 ms a thread).
 */
import type { CompletedSearch } from './bayes.js';
import type { DetectionLaw } from './detection.js';
import type { SearchParams } from './params.js';
import type { SearchUnit } from './plan.js';

/** What the products need, in seconds and the src/search types. */
export interface ResolvedSearch {
  law: DetectionLaw;
  completed: CompletedSearch[];
  plan: { startTimeSec: number; units: SearchUnit[] } | null;
}

export function resolveSearch(s: SearchParams | undefined): ResolvedSearch {
  if (s === undefined) return { law: 'exponential', completed: [], plan: null };
  return {
    law: s.detection,
    completed: s.completed.map((c) => ({
      name: c.name,
      startTimeSec: Date.parse(c.start_time) / 1000,
      endTimeSec: Date.parse(c.end_time) / 1000,
      polygon: c.polygon,
      sweepWidthNm: c.sweep_width_nm,
      trackSpacingNm: c.track_spacing_nm,
    })),
    plan: s.plan
      ? {
          startTimeSec: Date.parse(s.plan.start_time) / 1000,
          units: s.plan.units.map((u) => ({
            name: u.name,
            speedKn: u.speed_kn,
            enduranceH: u.endurance_h,
            sweepWidthNm: u.sweep_width_nm,
            ...(u.track_spacing_nm !== undefined ? { trackSpacingNm: u.track_spacing_nm } : {}),
          })),
        }
      : null,
  };
}
