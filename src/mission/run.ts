/**
 * One mission, start to finish, with no knowledge of queues or databases: job -> forcing -> simulation
 * on worker threads -> product files in `deps.workDir`. The worker uploads and records what this returns;
 * `driftline run` leaves the files where they are. Both therefore run exactly the same code.
 *
 * Progress weights (fraction of a typical mission's wall time, measured on 100 000 particles × 48 h):
 * forcing 5 %, simulation 70 %, animation 15 %, other products 10 %.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadForcing } from '../forcing/load.js';
import { toModelParams, type Job } from '../job.js';
import { coastlineSourceFromConfig } from '../land/coastline.js';
import { findFfmpeg, writeAnimation, type AnimationLand } from '../products/animation/index.js';
import { buildDensityGrid } from '../products/density-grid.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile } from '../products/types.js';
import { writeAllProducts } from '../products/write.js';
import { missionLand, simulate } from '../threads/simulate.js';
import { VERSION } from '../version.js';
import { describeProduct } from './files.js';
import type { MissionDeps, MissionOutcome, MissionProgress } from './types.js';

const STAGE_SPAN: Record<MissionProgress['stage'], [number, number]> = {
  forcing: [0, 0.05],
  simulation: [0.05, 0.75],
  animation: [0.75, 0.9],
  products: [0.9, 1],
  done: [1, 1],
};

export async function runMission(job: Job, deps: MissionDeps): Promise<MissionOutcome> {
  const { config, logger, workDir } = deps;
  const log = logger.child({ mission_id: job.mission_id });
  const timingsMs: Record<string, number> = {};
  const warnings: string[] = [];
  const report = (stage: MissionProgress['stage'], within: number) => {
    const [a, b] = STAGE_SPAN[stage];
    deps.onProgress?.({ stage, fraction: a + (b - a) * Math.min(1, Math.max(0, within)) });
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timingsMs[name] = Math.round(performance.now() - t0);
    }
  };

  const model = toModelParams(job.params);
  await mkdir(workDir, { recursive: true });

  report('forcing', 0);
  const forcing = await timed('forcing', () =>
    loadForcing(job.params, model, { config, s3: deps.s3, logger: log, ...(deps.signal ? { signal: deps.signal } : {}) }),
  );
  for (const [name, source] of Object.entries(forcing.sources)) {
    if (source?.fallback) {
      const msg = `FALLBACK FORCING: no ${name} forcing was given; used ${source.description}`;
      warnings.push(msg);
      log.warn({ forcing: name, source: source.description }, msg);
    }
  }

  report('simulation', 0);
  const threads = model.rng === 'opendrift' ? 1 : (deps.threads ?? config.SIM_THREADS);
  const coastline = coastlineSourceFromConfig(config);
  // The land the model runs with (forcing mask, else the coastline over the mission window, or none
  // for coastline action 'none'), built here rather than inside simulate() so that the animation
  // draws exactly these cells.
  const land = await timed('land', async () => missionLand(model, forcing.land, { source: coastline, cacheDir: config.LAND_CACHE_DIR }));
  const result = await timed('simulation', () =>
    simulate({
      model,
      forcing,
      land,
      threads,
      recordEnvironment: true,
      onProgress: (f) => report('simulation', f),
      ...(deps.signal ? { signal: deps.signal } : {}),
    }),
  );
  log.info(
    { particle_steps: result.particleSteps, simulation_ms: timingsMs.simulation, threads },
    'simulation finished',
  );

  const ctx: ProductContext = {
    missionId: job.mission_id,
    params: job.params,
    model,
    category: model.category,
    forcing: forcing.sources,
    softwareVersion: VERSION,
    createdAtIso: new Date().toISOString(),
  };

  // One density grid serves density.nc, the search areas and the animation's shading (~70 ms at
  // 100 000 particles × 49 records: worth building once).
  const grid = await timed('density_grid', async () => buildDensityGrid(result, job.params.products.density_cell_m));

  const products: ProductFile[] = [];
  if (job.params.products.animation) {
    report('animation', 0);
    const ffmpegPath = findFfmpeg(config);
    if (ffmpegPath === null) {
      warnings.push('animation skipped: no ffmpeg found (set FFMPEG_PATH or install ffmpeg)');
      log.warn('animation skipped: no ffmpeg');
    } else {
      try {
        const filePath = path.join(workDir, PRODUCT_PATHS.animation.relPath);
        await mkdir(path.dirname(filePath), { recursive: true });
        const animationLand: AnimationLand = {
          raster: land,
          rasterFrom: forcing.land !== null ? 'forcing' : 'coastline',
          source: coastline,
          ...(forcing.sources.land ? { forcingLabel: forcing.sources.land.description } : {}),
        };
        await timed('animation', () => writeAnimation(result, ctx, filePath, { ffmpegPath, grid, land: animationLand }));
        products.push(await describeProduct(workDir, 'animation'));
      } catch (err) {
        // A failed animation does not fail the mission: the coordinator still has every other product.
        const msg = `animation failed: ${(err as Error).message}`;
        warnings.push(msg);
        log.warn({ err }, msg);
      }
    }
  }

  report('products', 0);
  const t0 = performance.now();
  const written = await writeAllProducts(result, ctx, workDir, {
    cellM: job.params.products.density_cell_m,
    percents: job.params.products.search_area_percents,
    grid,
    timingsMs,
    warnings,
  });
  timingsMs.products = Math.round(performance.now() - t0);
  products.unshift(...written);
  report('done', 1);

  return { products, warnings, forcing: forcing.sources, timingsMs, particleSteps: result.particleSteps };
}
