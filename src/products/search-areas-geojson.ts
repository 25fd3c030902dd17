/**
 * search_areas.geojson (RFC 7946): one FeatureCollection with, per output time, a `datum` Point and
 * one `search_area` Polygon/MultiPolygon per percent, plus the `seed` (last known position). Positions
 * are [lon, lat] in WGS 84, outer rings counter-clockwise, holes clockwise, nothing crosses ±180°.
 * Coordinates keep full double precision: rounding a cell edge could move a particle that sits on it
 * outside its polygon.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { TrajectoryResult } from '../model/types.js';
import { wrapLonDeg } from '../model/geo.js';
import { isoUtc, type SearchAreaSet } from './search-areas-compute.js';
import type { ProductContext } from './types.js';
import { plainCategoryText } from './category-text.js';
import { jsonPieces, lazyArray } from './json-pieces.js';

/** Seed geometry: a point, or the seeding line of a cone release. */
export function seedGeometry(ctx: ProductContext): Geometry {
  const s = ctx.model.seeding;
  const start = [wrapLonDeg(s.lonDeg), s.latDeg];
  if (s.endLonDeg === undefined || s.endLatDeg === undefined) return { type: 'Point', coordinates: start };
  return { type: 'LineString', coordinates: [start, [wrapLonDeg(s.endLonDeg), s.endLatDeg]] };
}

/** The features in file order: the seed, the datum of each time, then every search area. */
function* searchAreaFeatures(set: SearchAreaSet, ctx: ProductContext, result: TrajectoryResult): Generator<Feature> {
  yield {
    type: 'Feature',
    geometry: seedGeometry(ctx),
    properties: {
      kind: 'seed',
      time: isoUtc(ctx.model.startTimeSec),
      radius_m: ctx.model.seeding.radiusM,
      particles: result.nParticles,
    },
  };
  for (const d of set.datums) {
    yield {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [d.lonDeg, d.latDeg] },
      properties: {
        kind: 'datum',
        time: isoUtc(d.timeSec),
        released: d.released,
        stranded: d.stranded,
        ...(d.probableErrorM !== undefined ? { probable_error_m: Math.round(d.probableErrorM * 10) / 10 } : {}),
      },
    };
  }
  for (const a of set.areas) {
    yield {
      type: 'Feature',
      ...(a.bbox !== undefined ? { bbox: a.bbox } : {}),
      geometry: a.geometry,
      properties: {
        kind: 'search_area',
        time: isoUtc(a.timeSec),
        percent: a.percent,
        // 1e-3 km² = 1000 m², far below one cell (1 km² at the default size).
        area_km2: Math.round(a.areaKm2 * 1000) / 1000,
        ...(a.areaNm2 !== undefined ? { area_nm2: Math.round(a.areaNm2 * 1000) / 1000 } : {}),
        ...(a.bbox !== undefined ? { bbox: a.bbox } : {}),
        ...(a.pieces !== undefined ? { pieces: a.pieces } : {}),
        particles_fraction: Math.round(a.fractionInside * 1e6) / 1e6,
        cells: a.nCells,
      },
    };
  }
}

/** The collection around its features (a list, or a lazy array for jsonPieces). */
function searchAreasCollection<F>(set: SearchAreaSet, ctx: ProductContext, features: F) {
  // Foreign members (RFC 7946 §6.1) describe the collection for a reader that opens it alone.
  return {
    type: 'FeatureCollection' as const,
    mission_id: ctx.missionId,
    object_category: `${ctx.category.key}: ${plainCategoryText(ctx.category.description)}`,
    cell_size_m: set.cellM,
    percents: set.percents,
    software: `driftline ${ctx.softwareVersion}`,
    created: ctx.createdAtIso,
    warnings: ctx.warnings ?? [],
    features,
  };
}

export function searchAreasGeoJson(set: SearchAreaSet, ctx: ProductContext, result: TrajectoryResult): FeatureCollection {
  return searchAreasCollection(set, ctx, [...searchAreaFeatures(set, ctx, result)]) as FeatureCollection;
}

/** The text of JSON.stringify(searchAreasGeoJson(…)) in pieces, one feature at a time. */
export function searchAreasGeoJsonPieces(set: SearchAreaSet, ctx: ProductContext, result: TrajectoryResult): Generator<string> {
  return jsonPieces(searchAreasCollection(set, ctx, lazyArray(() => searchAreaFeatures(set, ctx, result))));
}
