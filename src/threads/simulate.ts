/**
 * A mission's simulation on worker threads (main-thread side).
 *
 * All particle state, scratch and output arrays are allocated once, in SharedArrayBuffers; every
 * thread gets the same arrays (structured clone shares them) and advances its own blocks of particles,
 * so nothing is copied per step or at the end. rng "fast" splits the particles in blocks of
 * BLOCK_SIZE that threads claim one at a time (results identical for any thread count); rng
 * "opendrift" runs on one thread because numpy's draw order is global.
 *
 * The main thread only waits: it reports progress about once a second from a shared counter and,
 * when `signal` aborts, raises a shared flag that the threads check between steps.
 *
 * `threads: 0` runs the same task on the calling thread instead, with no pool to start: for small
 * missions (src/mission/execution.ts), where starting a thread costs more than the run.
 *
 * `envFile`: the environment is written to a file rather than held in shared arrays (large missions,
 * src/mission/estimate.ts ENV_FILE_MIN_BYTES); every task writes its own particles' runs (env-file.ts).
 */
import { rm } from 'node:fs/promises';
import { DriftlineError } from '../errors.js';
import type { ForcingDescriptor } from '../forcing/types.js';
import type { LandRaster } from '../land/types.js';
import { planRun } from '../model/plan.js';
import { blockCount, trajectoryResult } from '../model/simulation.js';
import { allocateSimArrays } from '../model/state.js';
import type { ModelParams, TrajectoryResult } from '../model/types.js';
import { createEnvFile } from './env-file.js';
import { acquireSimulationPool } from './pool.js';
import { CONTROL, CONTROL_SLOTS, type SimulationTask } from './protocol.js';
import runSimulationTask from './worker.js';

export { closeSimulationPool } from './pool.js';

export interface SimulateOptions {
  model: ModelParams;
  forcing: ForcingDescriptor;
  /** The land the run uses, already decided (src/mission/land.ts missionLand); null: no land at all. */
  land: LandRaster | null;
  /** Simulation threads; 0: on the calling thread (blocks it for the whole run). */
  threads: number;
  recordEnvironment: boolean;
  /**
   * With recordEnvironment: record the environment to this file (created here; layout in
   * src/model/env-records.ts) instead of memory, and return its path as `envFile`. The caller deletes
   * it when done with the result; simulate() deletes it itself if it fails.
   */
  envFile?: string;
  /** Fraction of the run done, in [0, 1], about once a second at most. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const PROGRESS_INTERVAL_MS = 1000;

const sharedAllocator = (bytes: number) => new SharedArrayBuffer(bytes);

function cancelled(): DriftlineError {
  return new DriftlineError('E_CANCELLED', 'simulation interrupted (shutdown or cancel) before it finished');
}


export async function simulate(opts: SimulateOptions): Promise<TrajectoryResult> {
  if (opts.signal?.aborted) throw cancelled();
  const envFile = opts.recordEnvironment ? (opts.envFile ?? null) : null;
  if (envFile === null) return simulateInto(opts, null);
  createEnvFile(envFile, opts.model.numParticles, planRun(opts.model).nTimes);
  try {
    return { ...(await simulateInto(opts, envFile)), envFile };
  } catch (err) {
    await rm(envFile, { force: true });
    throw err;
  }
}

async function simulateInto(opts: SimulateOptions, envFile: string | null): Promise<TrajectoryResult> {
  const { model, forcing, recordEnvironment, signal } = opts;
  const plan = planRun(model);
  const land = model.coastlineAction === 'none' ? null : opts.land;
  const stokes = model.stokesDrift ? (forcing.stokes ?? null) : null;
  // With a record file the arrays hold no environment: that is the 16 B per record it saves.
  const inMemory = recordEnvironment && envFile === null;
  const arrays = allocateSimArrays(model.numParticles, plan.nTimes, { recordEnvironment: inMemory, land: land !== null, stokes: stokes !== null }, sharedAllocator);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));

  const nBlocks = blockCount(model.numParticles);
  const task: SimulationTask = { model, wind: forcing.wind, current: forcing.current, stokes, land, arrays, recordEnvironment, envFile, nBlocks, control };
  if (opts.threads === 0) {
    const r = runSimulationTask(task);
    opts.onProgress?.(1);
    return trajectoryResult(plan, arrays, r.particleSteps);
  }
  // numpy's draw order is global: one thread. Otherwise no more threads than blocks.
  const nTasks = model.rng === 'opendrift' ? 1 : Math.max(1, Math.min(Math.floor(opts.threads) || 1, nBlocks));
  const totalSteps = (model.rng === 'opendrift' ? 1 : nBlocks) * plan.nSteps;
  const lease = await acquireSimulationPool(nTasks);
  const pool = lease.pool;
  const stop = () => Atomics.store(control, CONTROL.ABORT, 1);
  signal?.addEventListener('abort', stop, { once: true });
  let lastReported = -1;
  const report = () => {
    const fraction = Math.min(1, Atomics.load(control, CONTROL.STEPS_DONE) / totalSteps);
    if (fraction !== lastReported) {
      lastReported = fraction;
      opts.onProgress?.(fraction);
    }
  };
  const timer = opts.onProgress ? setInterval(report, PROGRESS_INTERVAL_MS) : null;
  timer?.unref();
  try {
    const runs = Array.from({ length: nTasks }, () =>
      pool.run(task).catch((err: unknown) => {
        stop(); // one thread failed: the others need not finish
        throw err;
      }),
    );
    const settled = await Promise.allSettled(runs);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      const err = failed.reason as unknown;
      if (err instanceof DriftlineError) throw err;
      throw new DriftlineError('E_INTERNAL', `simulation thread failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    let particleSteps = 0;
    let stopped = false;
    for (const s of settled) {
      if (s.status === 'fulfilled') {
        particleSteps += s.value.particleSteps;
        stopped ||= s.value.stopped;
      }
    }
    if (stopped || signal?.aborted) throw cancelled();
    report();
    return trajectoryResult(plan, arrays, particleSteps);
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', stop);
    await lease.release();
  }
}
