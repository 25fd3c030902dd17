/**
 * All products of a mission except the animation, in the order a coordinator needs them: the trajectory
 * file, the density grid (built once, shared with the search areas), the search areas, the Leeway ASCII
 * file (OpenDrift's export_ascii format, up to LEEWAY_ASCII_MAX_RECORDS), then the summary,
 * which lists the others with their sizes and checksums. Each stage's wall time goes into opts.timingsMs
 * (`trajectory_nc`, `density_grid`, `density_nc`, `search_areas`, `search_areas_kmz`, `checksums`, `leeway_ascii`, `summary`;
 * with issue 8, `search_weights`, `search_plan`, `stranding`, `stranding_geojson` and, with scenarios, `scenarios`).
 * products/stranding.geojson (stranding.ts) is written for every mission, after the search plan.
 * writeAllProducts writes them one after the other; a large mission's mission threads split them in
 * two (writeProductsButLeeway and writeLeewayFile at the same time, then finishProducts:
 * src/mission/thread-pool.ts writeProductsOnMissionThreads).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DriftlineError } from '../errors.js';
import { describeProduct, writePieces, writtenProduct } from './files.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import { buildDensityGrid, type DensityGrid } from './density-grid.js';
import { DensityLayerBuilder } from './density-layers.js';
import { writeDensityNc } from './density-nc.js';
import { LEEWAY_ASCII_MAX_RECORDS, writeLeewayAscii } from './leeway-ascii.js';
import { writeSearchAreaFiles } from './search-areas.js';
import { writeSearchAreasKmz } from './search-areas-kmz.js';
import { smoothedSearchAreas, type SmoothedAreaSet } from './search-smoothed.js';
import { missionSearch, planMission, searchSummary, writeSearchPlanFiles, type MissionPlan, type MissionSearch } from './search-plan.js';
import { buildSummary, summaryPieces, summaryProductList } from './summary.js';
import { scenarioOfParticle, scenarioPrior } from '../search/scenarios.js';
import { strandingReport, strandingSummary, writeStrandingFile } from './stranding.js';
import { scenariosSummary } from './summary-scenarios.js';
import { writeTrajectoryNc } from './trajectory.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile, type ProductKind } from './types.js';
import { stageTimer, type StageTimer } from './timing.js';

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

/**
 * What writeProductsButLeeway leaves to its caller: leeway.txt (written apart, by writeLeewayFile, maybe
 * on another thread at the same time) and summary.json, whose content is built but whose product list
 * and timings are completed by finishProducts once every product is written.
 */
export interface ProductsDraft {
  /** Every product written so far, in the order summary.json lists them. */
  files: ProductFile[];
  /** summary.json's content; plain data, so it can cross a thread boundary. */
  summary: Record<string, unknown>;
  /** Time spent building `summary`, ms: part of stage `summary` (finishProducts adds the writing). */
  summaryBuildMs: number;
  /** Whether leeway.txt is to be written (not over LEEWAY_ASCII_MAX_RECORDS). */
  leewayAscii: boolean;
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

function pushOnce(warnings: string[], msg: string): void {
  if (!warnings.includes(msg)) warnings.push(msg);
}

/**
 * Adds to `warnings` (once each) what the products would otherwise hide: particles that left the forcing,
 * a coarsened density grid, a Leeway ASCII file over its cap. Called before the animation and again in
 * writeAllProducts, so every product (not only summary.json) carries them.
 */
export function addProductWarnings(result: TrajectoryResult, grid: DensityGrid, warnings: string[]): void {
  let outside = 0;
  const last = result.nTimes - 1;
  for (let p = 0; p < result.nParticles; p++) if (result.status[p * result.nTimes + last] === STATUS.OUTSIDE) outside++;
  if (outside > 0) {
    pushOnce(
      warnings,
      `${outside} of ${result.nParticles} particles left the forcing area and stopped there (not drifting); their positions say nothing about the object`,
    );
  }
  if (grid.cellM > grid.requestedCellM * 1.001) {
    pushOnce(
      warnings,
      `density grid coarsened from ${grid.requestedCellM} m to ${Math.round(grid.cellM)} m cells to cap memory (${grid.nx} × ${grid.ny} cells × ${grid.nTimes} times)`,
    );
  }
  if (result.nParticles * result.nTimes > LEEWAY_ASCII_MAX_RECORDS) {
    pushOnce(
      warnings,
      `products/leeway.txt not written: ${result.nParticles} particles × ${result.nTimes} records exceed ${LEEWAY_ASCII_MAX_RECORDS} (about 40 bytes each in that format)`,
    );
  }
}

/** Local-disk failures another attempt (possibly on another worker) may not hit. */
const TRANSIENT_FS_CODES = new Set(['ENOSPC', 'EIO', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY']);

function productError(stage: string, err: unknown): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new DriftlineError('E_INTERNAL', `products: ${stage} failed: ${message}`, {
    cause: err,
    retryable: code !== undefined && TRANSIENT_FS_CODES.has(code),
  });
}

/** Every product but the animation, one after the other on this thread. */
export async function writeAllProducts(
  result: TrajectoryResult,
  missionCtx: ProductContext,
  workDir: string,
  opts: WriteAllOptions,
): Promise<ProductFile[]> {
  const draft = await writeProductsButLeeway(result, missionCtx, workDir, opts);
  const leeway = draft.leewayAscii ? await writeLeewayFile(result, missionCtx, workDir, opts.timingsMs) : undefined;
  return finishProducts(draft, workDir, leeway, opts.earlierProducts ?? [], opts.timingsMs);
}

/** A stage's error as the product it was writing (productError), timed into timingsMs. */
function productStages(timingsMs: Record<string, number>): StageTimer {
  const time = stageTimer(timingsMs);
  return (stage, fn) =>
    time(stage, async () => {
      try {
        return await fn();
      } catch (err) {
        throw productError(stage, err);
      }
    });
}

/**
 * products/leeway.txt (stage `leeway_ascii`). It reads only the trajectory, so a mission thread writes it
 * while another writes the rest: 0.3 s of 1.9 s of products at 20 000 × 48 h, 1.6 s at 100 000 × 48 h.
 */
export async function writeLeewayFile(result: TrajectoryResult, ctx: ProductContext, workDir: string, timingsMs: Record<string, number>): Promise<ProductFile> {
  const written = await productStages(timingsMs)('leeway_ascii', () => writeLeewayAscii(result, ctx, path.join(workDir, PRODUCT_PATHS.leeway_ascii.relPath)));
  return writtenProduct(workDir, 'leeway_ascii', written);
}

/**
 * The products of a draft, leeway.txt (when written) and summary.json, in the order summary.json lists
 * them; summary.json lists those and `earlier` (the animation, map.png) with their sizes and sha256, and
 * the final timings. Stage `summary`: building its content (in writeProductsButLeeway) and writing it.
 */
export async function finishProducts(
  draft: ProductsDraft,
  workDir: string,
  leeway: ProductFile | undefined,
  earlier: ProductFile[],
  timingsMs: Record<string, number>,
): Promise<ProductFile[]> {
  const files = leeway === undefined ? [...draft.files] : [...draft.files, leeway];
  const summary = { ...draft.summary, timings_ms: timingsMs, products: summaryProductList([...files, ...earlier]) };
  const written = await productStages(timingsMs)('summary', () => writePieces(path.join(workDir, PRODUCT_PATHS.summary.relPath), summaryPieces(summary)));
  timingsMs.summary = Math.round((timingsMs.summary ?? 0) + draft.summaryBuildMs);
  return [...files, writtenProduct(workDir, 'summary', written)];
}

/** Every product but the animation, leeway.txt and summary.json (see ProductsDraft). */
export async function writeProductsButLeeway(
  result: TrajectoryResult,
  missionCtx: ProductContext,
  workDir: string,
  opts: WriteAllOptions,
): Promise<ProductsDraft> {
  const timed = productStages(opts.timingsMs);
  const target = (kind: ProductKind) => path.join(workDir, PRODUCT_PATHS[kind].relPath);
  await mkdir(path.dirname(target('trajectory')), { recursive: true });
  await mkdir(path.dirname(target('density')), { recursive: true });

  // Particle weights (Σ = 1): the posterior after params.search.completed, else the prior: the
  // scenarios' weights (scenario weight ÷ its particle count), else equal (issue 8).
  // Computed first: particles.nc stores them, and every product below uses them.
  const scenarios = missionCtx.model.scenarios;
  const prior = scenarioPrior(scenarios, result.nParticles);
  const pre = opts.searchProducts;
  const search = pre?.search ?? (await timed('search_weights', () => missionSearch(result, missionCtx.search, prior)));
  const weights = search.weights;
  const grid = opts.grid ?? (await timed('density_grid', () => buildDensityGrid(result, opts.cellM)));
  addProductWarnings(result, grid, opts.warnings);
  const ctx: ProductContext = { ...missionCtx, warnings: [...opts.warnings] };
  const trajectory = await timed('trajectory_nc', () => writeTrajectoryNc(result, ctx, target('trajectory'), {}, weights));
  // The smoothed areas first: their KDE maps are also density.nc's smoothed layer (density-layers.ts).
  let areaSet: SmoothedAreaSet | undefined;
  const layers = pre?.layers ?? new DensityLayerBuilder(grid, result, weights);
  await timed('search_areas', () => {
    areaSet = pre?.areaSet ?? smoothedSearchAreas(result, weights, opts.percents, (t, map) => layers.add(t, map));
  });
  const density = await timed('density_nc', () => writeDensityNc(grid, ctx, target('density'), {}, layers.layers));
  const areaFiles = await timed('search_areas_files', () => writeSearchAreaFiles(result, grid, ctx, workDir, opts.percents, weights, areaSet));
  // Hashed while written (NetCDF-3); read back only when h5wasm wrote the file (NetCDF-4).
  const hashedOr = async (kind: 'trajectory' | 'density', w: { bytes: number; sha256?: string }) =>
    w.sha256 !== undefined ? writtenProduct(workDir, kind, { bytes: w.bytes, sha256: w.sha256 }) : describeProduct(workDir, kind);
  const files = await timed('checksums', async () => [await hashedOr('trajectory', trajectory), await hashedOr('density', density)]);
  files.push(...areaFiles);
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
            prior,
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
  return { files, summary, summaryBuildMs: performance.now() - summaryT0, leewayAscii: result.nParticles * result.nTimes <= LEEWAY_ASCII_MAX_RECORDS };
}
