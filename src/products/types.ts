/**
 * Products of a mission. Each is written to a file under the mission's work directory at `relPath`
 * (the same relative key it gets under `s3://$S3_BUCKET/{mission_id}/`).
 */
import type { ForcingDescriptor } from '../forcing/types.js';
import type { LeewayCategory, ModelParams } from '../model/types.js';
import type { SearchParams } from '../search/params.js';

export type ProductKind =
  | 'trajectory'
  | 'density'
  | 'search_areas_geojson'
  | 'search_areas_kml'
  | 'search_areas_kmz'
  | 'search_plan_geojson'
  | 'search_plan_kml'
  | 'leeway_ascii'
  | 'animation'
  | 'stranding_geojson'
  | 'map'
  | 'summary';

export const PRODUCT_PATHS: Record<ProductKind, { relPath: string; contentType: string }> = {
  trajectory: { relPath: 'raw/particles.nc', contentType: 'application/x-netcdf' },
  density: { relPath: 'products/density.nc', contentType: 'application/x-netcdf' },
  search_areas_geojson: { relPath: 'products/search_areas.geojson', contentType: 'application/geo+json' },
  search_areas_kml: { relPath: 'products/search_areas.kml', contentType: 'application/vnd.google-earth.kml+xml' },
  // The KML plus a probability-map image per time and a legend image, for Google Earth (search-areas-kmz.ts).
  search_areas_kmz: { relPath: 'products/search_areas.kmz', contentType: 'application/vnd.google-earth.kmz' },
  // Only when the job has params.search.plan (issue 8).
  search_plan_geojson: { relPath: 'products/search_plan.geojson', contentType: 'application/geo+json' },
  search_plan_kml: { relPath: 'products/search_plan.kml', contentType: 'application/vnd.google-earth.kml+xml' },
  leeway_ascii: { relPath: 'products/leeway.txt', contentType: 'text/plain; charset=utf-8' },
  animation: { relPath: 'products/animation.mp4', contentType: 'video/mp4' },
  // The final time as a still (issue 14 item 5): drawn without ffmpeg, so also when there is no video.
  map: { relPath: 'products/map.png', contentType: 'image/png' },
  summary: { relPath: 'products/summary.json', contentType: 'application/json' },
  // Coast cells where particles strand (issue 8 item 5), every mission.
  stranding_geojson: { relPath: 'products/stranding.geojson', contentType: 'application/geo+json' },
};

/** The mission's product options (`params.products`, defaults applied by the job schema). */
export interface ProductOptions {
  /** products/animation.mp4 (needs ffmpeg). */
  animation: boolean;
  /** products/map.png, the final time as a still (drawn without ffmpeg). */
  map: boolean;
  /** Density grid cell size, metres. */
  densityCellM: number;
  /** Probability levels of the search areas, percent (50, 90, 95 by default). */
  searchAreaPercents: number[];
  /** raw/particles.nc's encoding: 'auto' picks NetCDF-4 from NETCDF4_MIN_RECORDS records up (trajectory.ts). */
  netcdfFormat: 'auto' | 'netcdf3' | 'netcdf4';
  /** Record the forcing each particle saw per output time (`products.record_environment`). */
  recordEnvironment: boolean;
}

export interface ProductFile {
  kind: ProductKind;
  relPath: string;
  /** Absolute path of the written file. */
  path: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

/** What every product needs to describe itself (attributes, titles, legends). */
export interface ProductContext {
  missionId: string;
  /** The job's params as validated, kept as provenance (summary.json `params`, `mission_*` attributes). */
  provenance: Readonly<Record<string, unknown>>;
  options: ProductOptions;
  /** Search planning inputs (`params.search`). */
  search?: SearchParams;
  /** Scenario names by scenario index (`params.scenarios[k].name`); undefined where the job gave none. */
  scenarioNames?: ReadonlyArray<string | undefined>;
  /** The wind when the job gave a constant one (the animation's wind arrow when no particle recorded wind). */
  constantWindMps?: readonly [number, number];
  model: ModelParams;
  category: LeewayCategory;
  forcing: ForcingDescriptor['sources'];
  /** driftline version, e.g. "0.1.0". */
  softwareVersion: string;
  /** ISO time the products were made. */
  createdAtIso: string;
  /**
   * Who publishes the products (ACDD creator/institution/project/license attributes). Optional: products
   * fall back to neutral driftline defaults (src/products/acdd.ts DEFAULT_ATTRIBUTION).
   */
  attribution?: Partial<ProductAttribution>;
  /**
   * The mission's warnings known before the products are written (fallback forcing, particles that left
   * the forcing, capped or coarsened output): every product carries them in its own way.
   */
  warnings?: readonly string[];
}

export interface ProductAttribution {
  creatorName: string;
  creatorEmail: string;
  creatorUrl: string;
  institution: string;
  project: string;
  license: string;
  namingAuthority: string;
}
