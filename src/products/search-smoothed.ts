/**
 * Search areas and datums from the smoothed probability map of the DRIFTING particles (issue 8, item
 * 4): per output time, driftingAt → weightedCloud → kdeMap → searchAreas (src/search). Stranded
 * particles and those that left the forcing are excluded (they are on the coast or frozen at the
 * forcing's edge, not on the water to be searched); their mass is reported beside each datum.
 *
 * Weights: the mission's particle weights (Σ = 1; equal when there are no completed searches). The
 * areas hold p % of the DRIFTING weight at that time, i.e. of the water-borne probability.
 *
 * The result has the shape of the raw-histogram SearchAreaSet so the GeoJSON and KML writers serve
 * both. Coordinates come rounded to 6 decimals (~0.1 m). searchAreas unwraps longitudes about the
 * datum, so a cloud across ±180° gives rings with |lon| over 180: those are cut at the antimeridian
 * (RFC 7946 §3.1.9) into a part on each side, each within [−180, 180].
 */
import { wrapLonDeg } from '../model/geo.js';
import type { TrajectoryResult } from '../model/types.js';
import { datumOf, driftingTimes, kdeMap, searchAreas, weightedCloud, type ProbabilityMap } from '../search/index.js';
import { normalisePercents, type Datum, type SearchArea, type SearchAreaSet } from './search-areas-compute.js';

/** Drifting datum of one record, or null when nothing drifts then (all stranded, outside or unreleased). */
export interface DriftingDatum extends Datum {
  probableErrorM: number;
  sigmaMajorM: number;
  sigmaMinorM: number;
  majorAxisBearingDeg: number;
  driftingMass: number;
  strandedMass: number;
  outsideMass: number;
}

export interface SmoothedAreaSet extends SearchAreaSet {
  datums: DriftingDatum[];
}

/** Sutherland–Hodgman clip of a closed ring to lon ≤ cut (west) or lon ≥ cut (east); null when nothing is left. */
function clipRing(ring: number[][], cut: number, west: boolean): number[][] | null {
  const keep = (lon: number) => (west ? lon <= cut : lon >= cut);
  const out: number[][] = [];
  for (let k = 0; k + 1 < ring.length; k++) {
    const [ax = 0, ay = 0] = ring[k] ?? [];
    const [bx = 0, by = 0] = ring[k + 1] ?? [];
    if (keep(ax)) out.push([ax, ay]);
    if (keep(ax) !== keep(bx)) out.push([cut, Number((ay + ((by - ay) * (cut - ax)) / (bx - ax)).toFixed(6))]);
  }
  if (out.length < 3) return null;
  out.push([...(out[0] as number[])]);
  return out;
}

/**
 * Polygons (outer rings only: holes are filled) with every longitude in [−180, 180]: a ring that passes
 * ±180 is cut there and the far part shifted by 360°. A ring cut on a concave stretch can keep a
 * zero-width seam along the meridian; its area and containment are unchanged.
 */
export function splitAtAntimeridian(polygons: number[][][][]): number[][][][] {
  const out: number[][][][] = [];
  for (const poly of polygons) {
    const ring = poly[0];
    if (ring === undefined) continue;
    const lons = ring.map((p) => p[0] ?? 0);
    const max = Math.max(...lons);
    const min = Math.min(...lons);
    if (max <= 180 && min >= -180) {
      out.push(poly);
      continue;
    }
    const cut = max > 180 ? 180 : -180;
    const shift = max > 180 ? -360 : 360;
    const near = clipRing(ring, cut, cut === 180);
    const far = clipRing(ring, cut, cut !== 180);
    if (near) out.push([near]);
    if (far) out.push([far.map(([lon = 0, lat = 0]) => [Number((lon + shift).toFixed(6)), lat])]);
  }
  return out;
}

/** `onMap` sees each record's KDE map (density.nc's smoothed layer is resampled from it, density-layers.ts). */
export function smoothedSearchAreas(result: TrajectoryResult, weights: Float64Array, percents: number[], onMap?: (t: number, map: ProbabilityMap) => void): SmoothedAreaSet {
  const ps = normalisePercents(percents);
  const datums: DriftingDatum[] = [];
  const areas: SearchArea[] = [];
  let cellM = 0;
  const drifting = driftingTimes(result, weights);
  for (let t = 0; t < result.nTimes; t++) {
    const d = drifting(t);
    const cloud = weightedCloud(d.lonDeg, d.latDeg, d.weight);
    if (cloud === null) continue;
    const dat = datumOf(cloud);
    const { strandedCount, releasedCount } = d;
    datums.push({
      timeSec: d.timeSec,
      lonDeg: wrapLonDeg(dat.lonDeg),
      latDeg: dat.latDeg,
      released: releasedCount,
      stranded: strandedCount,
      probableErrorM: dat.probableErrorM,
      sigmaMajorM: dat.sigmaMajorM,
      sigmaMinorM: dat.sigmaMinorM,
      majorAxisBearingDeg: dat.majorAxisBearingDeg,
      driftingMass: d.driftingMass,
      strandedMass: d.strandedMass,
      outsideMass: d.outsideMass,
    });
    const map = kdeMap(cloud);
    onMap?.(t, map);
    cellM = Math.max(cellM, Math.sqrt(map.cellUM * map.cellVM));
    for (const level of searchAreas(map, ps)) {
      const polygons = splitAtAntimeridian(level.polygons);
      areas.push({
        timeSec: d.timeSec,
        percent: level.percent,
        geometry:
          polygons.length === 1 && polygons[0] !== undefined ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
        areaKm2: level.areaKm2,
        areaNm2: level.areaNm2,
        bbox: level.bbox,
        pieces: level.nPieces,
        fractionInside: level.fractionInside,
        nCells: level.nCells,
      });
    }
  }
  return { percents: ps, datums, areas, cellM };
}
