/**
 * The search part of products/summary.json (issue 8): per time, the datum of the DRIFTING particles
 * (weighted centre, IAMSAR probable-error circle, and where the rest of the probability is), which
 * replaces the all-released centroid as `datum`; and, for the mission, the search plan and the
 * completed searches. Kept apart from summary.ts so that file only spreads these fields in.
 */
import geodesic from 'geographiclib-geodesic';
import type { SearchArea } from './search-areas-compute.js';
import type { DriftingDatum } from './search-smoothed.js';

const WGS84 = geodesic.Geodesic.WGS84;

export interface SummarySearch {
  /** Drifting datums of search-smoothed.ts (times with nothing drifting are absent). */
  datums: DriftingDatum[];
  /** Mission-level search fields (`search` object of summary.json), already plain JSON. */
  mission?: Record<string, unknown>;
  /** The search areas of search_areas.geojson/.kml (issue 14: their sizes per level and time in summary.json). */
  areas?: SearchArea[];
}

/** Square kilometres per square nautical mile (1 NM = 1852 m exactly). */
const KM2_PER_NM2 = 1.852 * 1.852;

/**
 * `search_areas` of one `times[]` entry: per containment level (ascending percent) the area in km² and
 * NM², its share of the drifting probability and the number of separate pieces, as in the GeoJSON
 * and KML. An empty list when nothing drifts at that time (no areas).
 */
export function areaSizeFields(timeSec: number, areas: SearchArea[]): { search_areas: Record<string, number>[] } {
  return {
    search_areas: areas
      .filter((a) => a.timeSec === timeSec)
      .sort((a, b) => a.percent - b.percent)
      .map((a) => ({
        percent: a.percent,
        area_km2: r(a.areaKm2, 3),
        area_nm2: r(a.areaNm2 ?? a.areaKm2 / KM2_PER_NM2, 3),
        fraction_inside: r(a.fractionInside, 4),
        ...(a.pieces !== undefined ? { pieces: a.pieces } : {}),
      })),
  };
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
