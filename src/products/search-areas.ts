/**
 * Writes products/search_areas.geojson and products/search_areas.kml: the areas of the smoothed map of
 * the drifting particles (search-smoothed.ts; the raw-histogram areas of search-areas-compute.ts are
 * kept as a library function), see -geojson.ts and -kml.ts for the formats. Both are written as they
 * are made, one feature or Placemark at a time (files.ts writeProductPieces).
 */
import { writeProductPieces } from './files.js';
import type { TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { equalWeights } from '../search/index.js';
import { searchAreasGeoJsonPieces } from './search-areas-geojson.js';
import { searchAreasKmlPieces } from './search-areas-kml.js';
import { smoothedSearchAreas, type SmoothedAreaSet } from './search-smoothed.js';
import type { ProductContext, ProductFile } from './types.js';

export { computeSearchAreas, computeDatums, isoUtc } from './search-areas-compute.js';
export type { Datum, SearchArea, SearchAreaSet } from './search-areas-compute.js';

/**
 * `grid` is no longer used for the areas (the smoothed map has its own grid along the cloud's axes);
 * `weights` are the mission's particle weights (default: equal). `set` lets a caller that already
 * computed the areas (for the summary's datums) pass them in.
 */
export async function writeSearchAreaFiles(
  result: TrajectoryResult,
  _grid: DensityGrid,
  ctx: ProductContext,
  workDir: string,
  percents: number[],
  weights: Float64Array = equalWeights(result.nParticles),
  set: SmoothedAreaSet = smoothedSearchAreas(result, weights, percents),
): Promise<ProductFile[]> {
  return [
    await writeProductPieces(workDir, 'search_areas_geojson', searchAreasGeoJsonPieces(set, ctx, result)),
    await writeProductPieces(workDir, 'search_areas_kml', searchAreasKmlPieces(set, ctx, result)),
  ];
}

