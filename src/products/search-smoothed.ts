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
 * both. Coordinates come rounded to 6 decimals (~0.1 m); longitudes are unwrapped about the datum, so a
 * cloud across ±180° gives polygons with |lon| slightly over 180 (not split at the antimeridian yet).
 */
import { wrapLonDeg } from '../model/geo.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import { datumOf, driftingAt, kdeMap, searchAreas, weightedCloud } from '../search/index.js';
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

export function smoothedSearchAreas(result: TrajectoryResult, weights: Float64Array, percents: number[]): SmoothedAreaSet {
  const ps = normalisePercents(percents);
  const datums: DriftingDatum[] = [];
  const areas: SearchArea[] = [];
  let cellM = 0;
  for (let t = 0; t < result.nTimes; t++) {
    const d = driftingAt(result, weights, t);
    const cloud = weightedCloud(d.lonDeg, d.latDeg, d.weight);
    if (cloud === null) continue;
    const dat = datumOf(cloud);
    let strandedCount = 0;
    let releasedCount = 0;
    for (let p = 0; p < result.nParticles; p++) {
      const i = p * result.nTimes + t;
      if (result.status[i] === STATUS.STRANDED) strandedCount++;
      if (result.latDeg[i]! === result.latDeg[i]!) releasedCount++;
    }
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
    cellM = Math.max(cellM, Math.sqrt(map.cellUM * map.cellVM));
    for (const level of searchAreas(map, ps)) {
      areas.push({
        timeSec: d.timeSec,
        percent: level.percent,
        geometry:
          level.polygons.length === 1 && level.polygons[0] !== undefined
            ? { type: 'Polygon', coordinates: level.polygons[0] }
            : { type: 'MultiPolygon', coordinates: level.polygons },
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
