/**
 * Drivers that run particles from seeding to the last record, on arrays someone else allocated (so
 * threads can share them). Two orders, one per random generator:
 *
 *  - `runOpenDriftOrder` (rng "opendrift"): numpy's generator is one global stream, so the whole run
 *    goes step by step over all particles, drawing in OpenDrift's order. One thread.
 *  - `runBlocks` (rng "fast"): particles in blocks of BLOCK_SIZE, each with its own stream, each run
 *    from seeding to the end before the next (the block's state stays in cache). Blocks are claimed
 *    through a callback, so any number of threads can share the work and get identical results.
 *
 * `simulateLocal` ties them together on the calling thread (tests, and the reference for src/threads).
 */
import { M_PER_DEG_LAT } from './geo.js';
import { syncTrig } from './geodesy.js';
import { moveSeededToWater, waterSearchGrid, waterSearchGridFor, type WaterSearchGrid } from './land.js';
import { planRun, type RunPlan } from './plan.js';
import { BLOCK_SIZE, BlockStream } from './rng-fast.js';
import { NumpyRandomState } from './rng-numpy.js';
import type { RandomSource } from './rng.js';
import { seedGeometries, SeedGeometry, seedRange, seedSpan } from './seeding.js';
import { allocateSimArrays, localAllocator, type BufferAllocator, type SimArrays } from './state.js';
import { advanceStep, beginStep, createStepContext, finishRun, writeRecord, type StepContext } from './step.js';
import type { LandSampler, ModelParams, SeedingParams, TrajectoryResult, VectorSampler } from './types.js';

export interface RunHooks {
  /** Particle-steps just integrated (called once per step of each range). */
  onParticleSteps?(count: number): void;
  /** Checked between steps; true stops the run early (the result is then incomplete). */
  shouldStop?(): boolean;
}

export interface RunOutcome {
  particleSteps: number;
  stopped: boolean;
}

/**
 * The water-search lattice for the fast generator: OpenDrift spans it over the seeded particles'
 * bounding box, which a thread seeing only its blocks does not know; this one spans the seeding
 * geometry grown by 4 radii (a gaussian radius is a standard deviation: 4σ holds all but 6e-5), so it is
 * the same for every block and thread.
 */
export function seedingWaterGrid(model: ModelParams): WaterSearchGrid {
  return waterGridForSeeding(model.seeding);
}

/** seedingWaterGrid for one seeding (a scenario's: each scenario has its own lattice, as its own seed call). */
function waterGridForSeeding(s: SeedingParams): WaterSearchGrid {
  const lons = [s.lonDeg, s.endLonDeg ?? s.lonDeg];
  const lats = [s.latDeg, s.endLatDeg ?? s.latDeg];
  const rM = 4 * Math.max(s.radiusM, s.endRadiusM ?? 0);
  const south = Math.min(...lats);
  const north = Math.max(...lats);
  const cosLat = Math.max(0.01, Math.cos((Math.max(Math.abs(south), Math.abs(north)) * Math.PI) / 180));
  const dLat = rM / M_PER_DEG_LAT;
  const dLon = Math.min(180, rM / (M_PER_DEG_LAT * cosLat));
  return waterSearchGrid(Math.min(...lons) - dLon, Math.max(...lons) + dLon, Math.max(-90, south - dLat), Math.min(90, north + dLat));
}

/** Moves particles [i0, i1) seeded on land to water (OpenDrift seed:ocean_only) and re-stores their seed. */
function relocateSeeded(ctx: StepContext, i0: number, i1: number, grid: WaterSearchGrid): void {
  if (ctx.land === null) return;
  const st = ctx.arrays.state;
  const c = ctx.arrays.coefficients;
  if (moveSeededToWater(ctx.land, st.lonDeg, st.latDeg, i0, i1, grid) === 0) return;
  for (let k = i0; k < i1; k++) {
    const lo = Math.fround(st.lonDeg[k] ?? NaN); // k < i1 <= n: in range (NaN is what a read past the end gave)
    const la = Math.fround(st.latDeg[k] ?? NaN);
    st.lonDeg[k] = lo;
    st.latDeg[k] = la;
    c.seedLonDeg[k] = lo;
    c.seedLatDeg[k] = la;
  }
  syncTrig(st, i0, i1);
}

/** Steps already seeded particles [i0, i1) from step 0 to the end with one random source. */
export function runSeeded(ctx: StepContext, i0: number, i1: number, rng: RandomSource, hooks: RunHooks = {}): RunOutcome {
  const plan = ctx.plan;
  let particleSteps = 0;
  for (let k = 0; k < plan.nSteps; k++) {
    if (hooks.shouldStop?.()) return { particleSteps, stopped: true };
    beginStep(ctx, i0, i1, k, rng);
    if (k % plan.stepsPerOutput === 0) writeRecord(ctx, i0, i1, k / plan.stepsPerOutput);
    const moved = advanceStep(ctx, i0, i1, rng);
    particleSteps += moved;
    hooks.onParticleSteps?.(moved);
  }
  finishRun(ctx, i0, i1);
  return { particleSteps, stopped: false };
}

/** rng "opendrift": the whole run on one thread, numpy's legacy generator seeded with model.seed. */
export function runOpenDriftOrder(model: ModelParams, ctx: StepContext, hooks: RunHooks = {}): RunOutcome {
  const n = ctx.arrays.n;
  const rng = new NumpyRandomState(model.seed);
  // OpenDrift keeps its generator untouched while it looks for water (basemodel closest_ocean_points).
  // seed:ocean_only false: particles seeded on land stay there (and strand at the first step).
  const toWater = (i0: number, i1: number) => {
    if (ctx.land !== null && model.oceanOnly !== false) relocateSeeded(ctx, i0, i1, waterSearchGridFor(ctx.arrays.state.lonDeg, ctx.arrays.state.latDeg, i0, i1));
  };
  if (model.scenarios === undefined) {
    seedRange(model, new SeedGeometry(model), ctx.plan, ctx.arrays, 0, n, rng);
    toWater(0, n);
  } else {
    // One numpy stream over the scenarios in order, as consecutive seed_elements calls would draw.
    seedSpan(model, seedGeometries(model), ctx.plan, ctx.arrays, 0, n, rng, (_g, a, b) => toWater(a, b));
  }
  return runSeeded(ctx, 0, n, rng, hooks);
}

/**
 * rng "fast": runs the blocks that `nextBlock` hands out (a block index, or -1 when none is left), each
 * with its own stream, from seeding to the end.
 */
export function runBlocks(model: ModelParams, ctx: StepContext, nextBlock: () => number, hooks: RunHooks = {}): RunOutcome {
  const n = ctx.arrays.n;
  const geometries = seedGeometries(model);
  // One water lattice per scenario (the same for every block and thread), else the run's; none when
  // seed:ocean_only is false (particles seeded on land stay there).
  const grids =
    ctx.land === null || model.oceanOnly === false
      ? null
      : model.scenarios === undefined
        ? [seedingWaterGrid(model)]
        : model.scenarios.map((sc) => waterGridForSeeding(sc.seeding));
  let particleSteps = 0;
  for (let b = nextBlock(); b >= 0; b = nextBlock()) {
    const i0 = b * BLOCK_SIZE;
    const i1 = Math.min(n, i0 + BLOCK_SIZE);
    if (i0 >= n) break;
    const rng = new BlockStream(model.seed, b);
    // A block may cross scenarios: each part seeds with its scenario's geometry, from the block's stream.
    seedSpan(model, geometries, ctx.plan, ctx.arrays, i0, i1, rng, (gi, a, c) => {
      const grid = grids?.[gi];
      if (grid !== undefined) relocateSeeded(ctx, a, c, grid);
    });
    const r = runSeeded(ctx, i0, i1, rng, hooks);
    particleSteps += r.particleSteps;
    if (r.stopped) return { particleSteps, stopped: true };
  }
  return { particleSteps, stopped: false };
}

export function blockCount(n: number): number {
  return Math.ceil(n / BLOCK_SIZE);
}

/** Assembles the result from a finished run's arrays (no copy). */
export function trajectoryResult(plan: RunPlan, arrays: SimArrays, particleSteps: number): TrajectoryResult {
  return {
    nParticles: arrays.n,
    nTimes: arrays.nTimes,
    timesSec: plan.timesSec,
    lonDeg: arrays.out.lonDeg,
    latDeg: arrays.out.latDeg,
    status: arrays.out.status,
    orientation: arrays.out.orientation,
    capsized: arrays.out.capsized,
    ...(arrays.out.env ? { env: arrays.out.env } : {}),
    coefficients: arrays.coefficients,
    particleSteps,
  };
}

export interface LocalRunOptions {
  wind: VectorSampler;
  current: VectorSampler;
  /** Surface Stokes drift (drift:stokes_drift); absent or null: none. */
  stokes?: VectorSampler | null;
  land: LandSampler | null;
  recordEnvironment?: boolean;
  alloc?: BufferAllocator;
  hooks?: RunHooks;
}

/** A whole run on the calling thread. */
export function simulateLocal(model: ModelParams, opts: LocalRunOptions): TrajectoryResult {
  const plan = planRun(model);
  const land = model.coastlineAction === 'none' ? null : opts.land;
  const recordEnvironment = opts.recordEnvironment ?? false;
  const stokes = opts.stokes ?? null;
  const arrays = allocateSimArrays(model.numParticles, plan.nTimes, { recordEnvironment, land: land !== null, stokes: stokes !== null }, opts.alloc ?? localAllocator);
  const ctx = createStepContext(model, plan, arrays, {
    wind: opts.wind,
    current: opts.current,
    stokes,
    land,
    recordEnvironment,
  });
  let outcome: RunOutcome;
  if (model.rng === 'opendrift') {
    outcome = runOpenDriftOrder(model, ctx, opts.hooks);
  } else {
    let next = 0;
    const nBlocks = blockCount(model.numParticles);
    outcome = runBlocks(model, ctx, () => (next < nBlocks ? next++ : -1), opts.hooks);
  }
  return trajectoryResult(plan, arrays, outcome.particleSteps);
}
