/**
 * The search part of products/summary.json (issue 8): per time, the datum of the DRIFTING particles
 * (weighted centre, IAMSAR probable-error circle, and where the rest of the probability is), which
 * replaces the all-released centroid as `datum`; and, for the mission, the search plan and the
 * completed searches. Kept apart from summary.ts so that file only spreads these fields in.
 */
import geodesic from 'geographiclib-geodesic';
import type { DriftingDatum } from './search-smoothed.js';

const WGS84 = geodesic.Geodesic.WGS84;

export interface SummarySearch {
  /** Drifting datums of search-smoothed.ts (times with nothing drifting are absent). */
  datums: DriftingDatum[];
  /** Mission-level search fields (`search` object of summary.json), already plain JSON. */
  mission?: Record<string, unknown>;
}

const r = (v: number, digits: number): number => Number(v.toFixed(digits));

/**
 * Fields of one `times[]` entry that override the all-released statistics: `datum` (drifting, with
 * probable_error_m), its distance and bearing from the seed, and the probability by state. Before
 * anything drifts: datum null, the all-released centroid stays as `released_centroid`.
 */
export function driftingDatumFields(
  timeSec: number,
  search: SummarySearch,
  seedLonDeg: number,
  seedLatDeg: number,
  releasedCentroid: { lon: number | null; lat: number | null } | null,
): Record<string, unknown> {
  const d = search.datums.find((x) => x.timeSec === timeSec);
  const base = { released_centroid: releasedCentroid };
  if (d === undefined) return { ...base, datum: null, datum_distance_from_seed_m: null, datum_bearing_from_seed_deg: null };
  const inv = WGS84.Inverse(seedLatDeg, seedLonDeg, d.latDeg, d.lonDeg);
  const distanceM = inv.s12 ?? 0;
  return {
    ...base,
    datum: {
      lon: r(d.lonDeg, 6),
      lat: r(d.latDeg, 6),
      basis: 'weighted centre of the drifting particles',
      probable_error_m: r(d.probableErrorM, 1),
      sigma_major_m: r(d.sigmaMajorM, 1),
      sigma_minor_m: r(d.sigmaMinorM, 1),
      major_axis_bearing_deg: r(d.majorAxisBearingDeg, 1),
    },
    datum_distance_from_seed_m: r(distanceM, 1),
    datum_bearing_from_seed_deg: distanceM > 0 ? r((((inv.azi1 ?? 0) % 360) + 360) % 360, 1) : 0,
    probability: { drifting: r(d.driftingMass, 9), stranded: r(d.strandedMass, 9), outside: r(d.outsideMass, 9) },
  };
}
