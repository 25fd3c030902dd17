/**
 * One mission, start to finish, with no knowledge of queues, databases or the job's wire format:
 * MissionSpec (src/mission/spec.ts, resolved from the job at the edge) -> forcing -> simulation
 * (on worker threads, or on the calling thread for small missions: execution.ts) -> product files in
 * `deps.workDir`. The worker uploads and records what this returns;
 * `driftline run` leaves the files where they are. Both therefore run exactly the same code. A large
 * mission's recorded environment lives in a file in `deps.workDir` meanwhile (ENV_FILE_NAME), never
 * left behind.
 *
 * Progress weights (fraction of a typical mission's wall time, measured on 100 000 particles × 48 h):
 * forcing and land 5 %, simulation 70 %, animation 15 %, other products 10 %.
 */
import { mkdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { loadForcing } from '../forcing/load.js';
import { coastlineSourceFromConfig } from '../land/coastline.js';
// ffmpeg.ts, not the animation's index: that imports canvas (~20 ms and ~10 MB), which only the product
// writers need, on a mission thread or once products are written here.
import { locateFfmpeg } from '../products/animation/ffmpeg.js';
import type { AnimationLand } from '../products/animation/land.js';
import { closeMissionThreads, missionLandOffThread, writeProductsOnMissionThreads } from './thread-pool.js';
import { closeSimulationPool, simulate } from '../threads/simulate.js';
import { VERSION } from '../version.js';
import type { ProductsInput, ProductsStage } from './products.js';
import { chooseExecution } from './execution.js';
import { prestartThreads } from './prestart.js';
import { missionLand } from './land.js';
import { productContextFor, type MissionSpec } from './spec.js';
import { fetchContextFor } from '../storage/fetch.js';
import type { MissionDeps, MissionOutcome, MissionProgress } from './types.js';
import { stageTimer } from '../products/timing.js';
import { checkForcingMemory, environmentToFile, sizeOfModel } from './estimate.js';
import { planRun } from '../model/plan.js';
import { DriftlineError } from '../errors.js';
import { envFileBytes } from '../model/env-records.js';

/** Free the threads this pipeline keeps between missions: simulation pool and mission threads (the worker calls it at shutdown). */
export async function closeMissionRunner(): Promise<void> {
  await Promise.all([closeSimulationPool(), closeMissionThreads()]);
}

const STAGE_SPAN: Record<MissionProgress['stage'], [number, number]> = {
  forcing: [0, 0.04],
  // Its own stage so the progress bar names it (it said "forcing"); the span is carved out of the
  // forcing stage's 5 %, not measured.
  land: [0.04, 0.05],
  simulation: [0.05, 0.75],
  animation: [0.75, 0.9],
  products: [0.9, 1],
  done: [1, 1],
};

/** The environment record file in the work directory (a dot file: never a product). */
export const ENV_FILE_NAME = '.env-records.f32';

export async function runMission(spec: MissionSpec, deps: MissionDeps): Promise<MissionOutcome> {
  // A large mission's environment goes to a file (16 B per record: 0.78 GB of memory at 1 000 000 × 49),
  // deleted once the products are written, or when the mission fails.
  const { nTimes } = planRun(spec.model);
  const records = spec.model.numParticles * nTimes;
  const envFile = spec.products.recordEnvironment && environmentToFile(records, deps.envFileMinBytes) ? path.join(deps.workDir, ENV_FILE_NAME) : null;
  if (envFile !== null) await checkFreeDisk(deps.workDir, envFileBytes(spec.model.numParticles, nTimes));
  try {
    return await runStages(spec, deps, envFile);
  } finally {
    if (envFile !== null) await rm(envFile, { force: true });
  }
}

/**
 * Room the environment file needs beyond its own size, as a share of it: the products written beside it
 * (particles.nc is ~19 B per record as NetCDF-4, the file 16 B) must still fit.
 */
const DISK_MARGIN = 1.5;

/**
 * The environment file is sparse when created (ftruncate) and fills as the simulation writes it, so a
 * disk that cannot hold it would fail minutes into the run. Checked before anything runs: E_DISK is
 * retryable, as another worker (or this one, once other missions' files are gone) may have the room.
 */
async function checkFreeDisk(workDir: string, fileBytes: number): Promise<void> {
  await mkdir(workDir, { recursive: true });
  const disk = await statfs(workDir);
  const freeBytes = disk.bavail * disk.bsize;
  const needBytes = Math.ceil(fileBytes * (1 + DISK_MARGIN));
  if (freeBytes < needBytes) {
    const mb = (b: number) => Math.ceil(b / 2 ** 20);
    throw new DriftlineError(
      'E_DISK',
      `the recorded environment needs a ${mb(fileBytes)} MiB file and about ${mb(needBytes - fileBytes)} MiB for the products beside it in the work directory, which has ${mb(freeBytes)} MiB free (products.record_environment: false records none)`,
      { field: 'params.products.record_environment' },
    );
  }
}

async function runStages(spec: MissionSpec, deps: MissionDeps, envFile: string | null): Promise<MissionOutcome> {
  const { config, logger, workDir } = deps;
  const { model } = spec;
  const log = logger.child({ mission_id: spec.missionId });
  const timingsMs: Record<string, number> = {};
  const warnings: string[] = [];
  const report = (stage: MissionProgress['stage'], within: number) => {
    const [a, b] = STAGE_SPAN[stage];
    deps.onProgress?.({ stage, fraction: a + (b - a) * Math.min(1, Math.max(0, within)) });
  };
  const timed = stageTimer(timingsMs);

  await mkdir(workDir, { recursive: true });
  const exec = chooseExecution(model, deps.threads ?? config.SIM_THREADS);
  // Threads start while the forcing is read (a worker's first mission; a local run started them already).
  prestartThreads(exec);

  report('forcing', 0);
  const forcing = await timed('forcing', () =>
    loadForcing(
      spec.forcing,
      model,
      fetchContextFor(config, {
        s3: deps.s3,
        logger: log,
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.forcingPolicy ? { policy: deps.forcingPolicy } : {}),
      }),
    ),
  );
  // The forcing's planes (every ensemble member's) are in memory now: count them, and refuse the mission
  // if they make it larger than MAX_MISSION_MB (the admission estimate could not see the members).
  const memory = checkForcingMemory(sizeOfModel(model, spec.products.recordEnvironment), forcing, config.MAX_MISSION_MB);
  deps.onForcingMemory?.(memory.forcing.bytes);
  log.info({ forcing_mb: Math.round(memory.forcing.bytes / 2 ** 20), members: memory.forcing.members, estimate_mb: Math.round(memory.memoryBytes / 2 ** 20) }, 'forcing loaded');
  for (const [name, source] of Object.entries(forcing.sources)) {
    if (source?.fallback) {
      const msg = `FALLBACK FORCING: no ${name} forcing was given; used ${source.description}`;
      warnings.push(msg);
      log.warn({ forcing: name, source: source.description }, msg);
    }
  }

  report('land', 0);
  const threads = exec.simThreads;
  const coastline = coastlineSourceFromConfig(config);
  // The land the model runs with (forcing mask, else the coastline over the mission window, or none
  // for coastline action 'none'), built here rather than inside simulate() so that the animation
  // draws exactly these cells.
  // On a mission thread: rasterising the coastline window blocked the event loop for 14-23 s (loaded
  // 2-core machine, bench/eventloop.bench.mjs).
  // Small windows read their coastline tiles here (milliseconds; src/mission/execution.ts).
  const coastlineOptions = { source: coastline, cacheDir: config.LAND_CACHE_DIR };
  const land = await timed('land', () => (exec.landInline ? missionLand(model, forcing.land, coastlineOptions) : missionLandOffThread(model, forcing.land, coastlineOptions)));
  report('simulation', 0);
  const result = await timed('simulation', () =>
    simulate({
      model,
      forcing,
      land,
      threads,
      recordEnvironment: spec.products.recordEnvironment,
      ...(envFile !== null ? { envFile } : {}),
      onProgress: (f) => report('simulation', f),
      ...(deps.signal ? { signal: deps.signal } : {}),
    }),
  );
  log.info(
    { particle_steps: result.particleSteps, simulation_ms: timingsMs.simulation, threads },
    'simulation finished',
  );

  const ctx = productContextFor(spec, forcing.sources, { softwareVersion: VERSION, createdAtIso: new Date().toISOString() });

  // Density grid, animation and the other products on a mission thread (src/mission/thread-pool.ts):
  // at 1 000 000 particles they blocked this thread, and so the heartbeat, for up to 14.9 s.
  let animation: ProductsInput['animation'] = null;
  // The pictures (animation and map.png) draw the land the model used.
  const animationLand: AnimationLand = {
    raster: land,
    rasterFrom: forcing.land !== null ? 'forcing' : 'coastline',
    source: coastline,
    ...(forcing.sources.land ? { forcingLabel: forcing.sources.land.description } : {}),
  };
  if (spec.products.animation) {
    const ffmpeg = locateFfmpeg(config);
    if (ffmpeg.path === null) {
      warnings.push(ffmpeg.warning);
      log.warn(ffmpeg.warning);
    } else {
      animation = { ffmpegPath: ffmpeg.path, land: animationLand };
    }
  }
  const map: ProductsInput['map'] = spec.products.map ? { land: animationLand } : null;
  const warningsBefore = warnings.length;
  const productsInput: ProductsInput = { result, ctx, workDir, cellM: spec.products.densityCellM, percents: spec.products.searchAreaPercents, animation, map, timingsMs, warnings };
  const onStage = (stage: ProductsStage) => report(stage, 0);
  // The products code (canvas, archivers) is imported on first use, not with the pipeline: an idle
  // worker that only ever hands big missions to the mission thread never loads it.
  const written = exec.productsInline
    ? await (await import('./products.js')).writeMissionProducts(productsInput, onStage)
    : await writeProductsOnMissionThreads(productsInput, onStage, exec.productsSplit);
  const products = written.products;
  for (const msg of written.warnings.slice(warningsBefore)) log.warn(msg);
  Object.assign(timingsMs, written.timingsMs);
  warnings.splice(0, warnings.length, ...written.warnings);
  report('done', 1);

  return { products, warnings, forcing: forcing.sources, timingsMs, particleSteps: result.particleSteps };
}
