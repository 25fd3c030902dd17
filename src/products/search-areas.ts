/**
 * Writes products/search_areas.geojson and products/search_areas.kml (see search-areas-compute.ts for
 * how the areas are chosen, -geojson.ts and -kml.ts for the formats).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeProduct } from '../mission/files.js';
import type { TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { computeSearchAreas } from './search-areas-compute.js';
import { searchAreasGeoJson } from './search-areas-geojson.js';
import { searchAreasKml } from './search-areas-kml.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile } from './types.js';

export { computeSearchAreas, computeDatums, isoUtc } from './search-areas-compute.js';
export type { Datum, SearchArea, SearchAreaSet } from './search-areas-compute.js';

export async function writeSearchAreaFiles(
  result: TrajectoryResult,
  grid: DensityGrid,
  ctx: ProductContext,
  workDir: string,
  percents: number[],
): Promise<ProductFile[]> {
  const set = computeSearchAreas(result, grid, percents);
  const geojsonPath = path.join(workDir, PRODUCT_PATHS.search_areas_geojson.relPath);
  const kmlPath = path.join(workDir, PRODUCT_PATHS.search_areas_kml.relPath);
  await mkdir(path.dirname(geojsonPath), { recursive: true });
  await mkdir(path.dirname(kmlPath), { recursive: true });
  await writeFile(geojsonPath, JSON.stringify(searchAreasGeoJson(set, ctx, result)));
  await writeFile(kmlPath, searchAreasKml(set, ctx, result));
  return [await describeProduct(workDir, 'search_areas_geojson'), await describeProduct(workDir, 'search_areas_kml')];
}

