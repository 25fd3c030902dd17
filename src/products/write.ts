/**
 * All products of a mission except the animation and map.png, in the order a coordinator needs them: the
 * trajectory file, the density grid (built once, shared with the search areas), the search areas, the
 * Leeway ASCII file (OpenDrift's export_ascii format, up to LEEWAY_ASCII_MAX_RECORDS), then the summary,
 * which lists the others with their sizes and checksums. Each stage's wall time goes into opts.timingsMs
 * (`trajectory_nc`, `density_grid`, `density_nc`, `search_areas`, `search_areas_kmz`, `checksums`, `leeway_ascii`, `summary`;
 * with issue 8, `search_weights`, `search_plan`, `stranding`, `stranding_geojson` and, with scenarios, `scenarios`).
 * products/stranding.geojson (stranding.ts) is written for every mission, after the search plan.
 *
 * They come in two parts that share nothing but the trajectory and the particle weights: the record
 * files (records.ts: particles.nc, leeway.txt) and the files made from the density grid and the search
 * (writeSearchFiles); summary.json (finish.ts) is written once both are. writeAllProducts writes them
 * one after the other; a large mission writes the two parts on two mission threads at once
 * (src/mission/thread-pool.ts writeProductsOnMissionThreads).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TrajectoryResult } from '../model/types.js';
import { buildDensityGrid, type DensityGrid } from './density-grid.js';
import { DensityLayerBuilder } from './density-layers.js';
import { writeDensityNc } from './density-nc.js';
import { finishProducts, type ProductsDraft } from './finish.js';
import { netcdfProduct, writeRecordFiles } from './records.js';
import { writeSearchAreaFiles } from './search-areas.js';
import { writeSearchAreasKmz } from './search-areas-kmz.js';
import { smoothedSearchAreas, type SmoothedAreaSet } from './search-smoothed.js';
import { missionSearch, planMission, searchSummary, writeSearchPlanFiles, type MissionPlan, type MissionSearch } from './search-plan.js';
import { buildSummary } from './summary.js';
import { scenarioOfParticle, scenarioPrior } from '../search/scenarios.js';
import { productStages } from './stages.js';
import { strandingReport, strandingSummary, writeStrandingFile } from './stranding.js';
import { scenariosSummary } from './summary-scenarios.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile, type ProductKind } from './types.js';
import { addProductWarnings, pushOnce } from './warnings.js';

export interface WriteAllOptions {
  /** Density grid cell size asked for, metres (params.products.density_cell_m). */
  cellM: number;
  /** Search-area containment levels, percent (params.products.search_area_percents). */
  percents: number[];
  /** Stage timings so far (forcing, simulation, animation); product stages are added here. */
  timingsMs: Record<string, number>;
  /** Non-fatal problems so far; the summary lists them, and grid coarsening is added here. */
  warnings: string[];
  /** A grid already built by buildDensityGrid(result, cellM) (e.g. for the animation), to avoid building it twice. */
  grid?: DensityGrid;
  /** Products written before these (the animation), listed in summary.json after the others. */
  earlierProducts?: ProductFile[];
  /**
   * The search already computed for the animation and map.png (missionSearchProducts), so the areas and
   * the plan are computed once and the pictures show exactly what the files hold.
   */
  searchProducts?: SearchProducts;
}

/** The mission's particle weights, smoothed search areas and plan (what the pictures draw too). */
export interface SearchProducts {
  search: MissionSearch;
  areaSet: SmoothedAreaSet;
  plan: MissionPlan | null;
  /** density.nc's smoothed layer and per-state accounting, filled from the same KDE maps as the areas. */
  layers: DensityLayerBuilder;
}

/**
 * Weights (scenario prior, then completed searches), smoothed areas and plan of a mission: the inputs of
 * search_areas.*, search_plan.*, density.nc's smoothed layer and the pictures, computed once.
 */
export function missionSearchProducts(result: TrajectoryResult, ctx: ProductContext, percents: number[], grid: DensityGrid): SearchProducts {
  const prior = scenarioPrior(ctx.model.scenarios, result.nParticles);
  const search = missionSearch(result, ctx.search, prior);
  const layers = new DensityLayerBuilder(grid, result, search.weights);
  const areaSet = smoothedSearchAreas(result, search.weights, percents, (t, map) => layers.add(t, map));
  return { search, areaSet, plan: planMission(result, search), layers };
}

/** The particle weights and the density grid every product is written from, with the warnings they raise (warnings.ts). */
export interface ProductInputs {
  search: MissionSearch;
  grid: DensityGrid;
}

/** The weights (opts.searchProducts', else computed: stage `search_weights`) and the grid (opts.grid, else `density_grid`). */
export async function productInputs(result: TrajectoryResult, missionCtx: ProductContext, opts: WriteAllOptions): Promise<ProductInputs> {
  const timed = productStages(opts.timingsMs);
  // Particle weights (Σ = 1): the posterior after params.search.completed, else the prior: the
  // scenarios' weights (scenario weight ÷ its particle count), else equal (issue 8).
  const search =
    opts.searchProducts?.search ?? (await timed('search_weights', () => missionSearch(result, missionCtx.search, scenarioPrior(missionCtx.model.scenarios, result.nParticles))));
  const grid = opts.grid ?? (await timed('density_grid', () => buildDensityGrid(result, opts.cellM)));
  addProductWarnings(result, grid, opts.warnings);
  return { search, grid };
}

/** Every product but the animation and map.png, one after the other on this thread. */
export async function writeAllProducts(
  result: TrajectoryResult,
  missionCtx: ProductContext,
  workDir: string,
  opts: WriteAllOptions,
): Promise<ProductFile[]> {
  const inputs = await productInputs(result, missionCtx, opts);
  const records = await writeRecordFiles(result, { ...missionCtx, warnings: [...opts.warnings] }, workDir, inputs.search.weights, opts.timingsMs);
  const draft = await writeSearchFiles(result, missionCtx, workDir, { ...opts, ...inputs });
  return finishProducts(draft, records, workDir, opts.earlierProducts ?? [], opts.timingsMs);
}

/**
 * The products made from the density grid and the search (density.nc, the search areas and their KMZ,
 * the search plan, stranding.geojson) and summary.json's content (see ProductsDraft), written from
 * productInputs' weights and grid.
 */
export async function writeSearchFiles(
  result: TrajectoryResult,
  missionCtx: ProductContext,
  workDir: string,
  opts: WriteAllOptions & ProductInputs,
): Promise<ProductsDraft> {
  const timed = productStages(opts.timingsMs);
  const target = (kind: ProductKind) => path.join(workDir, PRODUCT_PATHS[kind].relPath);
  await mkdir(path.dirname(target('density')), { recursive: true });
  const { search, grid } = opts;
  const weights = search.weights;
  const scenarios = missionCtx.model.scenarios;
  const pre = opts.searchProducts;
  const ctx: ProductContext = { ...missionCtx, warnings: [...opts.warnings] };
  // The smoothed areas first: their KDE maps are also density.nc's smoothed layer (density-layers.ts).
  let areaSet: SmoothedAreaSet | undefined;
  const layers = pre?.layers ?? new DensityLayerBuilder(grid, result, weights);
  await timed('search_areas', () => {
    areaSet = pre?.areaSet ?? smoothedSearchAreas(result, weights, opts.percents, (t, map) => layers.add(t, map));
  });
  const density = await timed('density_nc', () => writeDensityNc(grid, ctx, target('density'), {}, layers.layers));
  const areaFiles = await timed('search_areas_files', () => writeSearchAreaFiles(result, grid, ctx, workDir, opts.percents, weights, areaSet));
  const files = [await netcdfProduct(workDir, 'density', density, opts.timingsMs), ...areaFiles];
  if (areaSet) {
    // The KMZ (areas + probability images + legend) is a convenience for Google Earth: if it fails the
    // mission keeps every other product and says why.
    const set = areaSet;
    try {
      const kmz = await timed('search_areas_kmz', () => writeSearchAreasKmz(result, grid, ctx, workDir, set, weights));
      files.push(kmz.file);
      for (const w of kmz.warnings) pushOnce(opts.warnings, w);
    } catch (err) {
      opts.warnings.push(`products/search_areas.kmz not written: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const plan = pre !== undefined ? pre.plan : await timed('search_plan', () => planMission(result, search));
  if (plan !== null) {
    files.push(...(await timed('search_plan_files', () => writeSearchPlanFiles(plan, workDir, ctx.missionId))));
    if (plan.skipped.length > 0) opts.warnings.push(`search plan: no rectangle for ${plan.skipped.join(', ')} (nothing drifting then, or no room left)`);
  }
  const scenarioOf = scenarioOfParticle(scenarios, result.nParticles);
  const stranding = await timed('stranding', () =>
    strandingReport(result, grid, weights, scenarios !== undefined ? { of: scenarioOf, n: scenarios.length } : undefined),
  );
  files.push(await timed('stranding_geojson', () => writeStrandingFile(stranding, result.timesSec, grid, workDir, ctx.missionId)));
  const scenarioList =
    scenarios === undefined
      ? undefined
      : await timed('scenarios', () => {
          const resolved = search.resolved;
          return scenariosSummary(result, {
            model: missionCtx.model,
            names: [...(missionCtx.scenarioNames ?? [])],
            prior: scenarioPrior(scenarios, result.nParticles),
            posterior: weights,
            scenarioOf,
            completed: resolved.completed,
            law: resolved.law,
          });
        });
  // Built here, where the search and stranding objects are; written by finishProducts.
  const summaryT0 = performance.now();
  const summary = buildSummary(result, ctx, {
    timingsMs: opts.timingsMs,
    warnings: opts.warnings,
    grid,
    ...(areaSet ? { search: { datums: areaSet.datums, mission: searchSummary(search, plan), areas: areaSet.areas } } : {}),
    ...(scenarioList ? { scenarios: scenarioList } : {}),
    stranding: strandingSummary(stranding, result.timesSec),
  });
  return { files, summary, summaryBuildMs: performance.now() - summaryT0 };
}
