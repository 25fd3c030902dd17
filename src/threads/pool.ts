/**
 * The simulation thread pool (piscina), created on first use and kept for the life of the process, so
 * a worker process pays thread start-up (~50 ms per thread, more under tsx) once, not per mission.
 *
 * A worker runs up to MAX_CONCURRENT_JOBS missions at once and they share this pool. When a mission asks
 * for more threads than the pool has (e.g. an rng "opendrift" mission, one thread, came first), a larger
 * pool replaces it for new missions; the old one is retired and destroyed only when the missions still
 * running on it release it — destroying it at once would kill their threads and fail those missions.
 *
 * Which worker file: compiled code (dist/threads/pool.js) loads dist/threads/worker.js. When this module
 * runs from TypeScript source (vitest, tsx), it loads src/threads/worker.ts through tsx
 * (`--import tsx`, a dev dependency), so tests always run the current source, never a stale dist/.
 */
import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';
import type { SimulationTask, SimulationTaskResult } from './protocol.js';

type SimulationPool = Piscina<SimulationTask, SimulationTaskResult>;

interface PoolEntry {
  pool: SimulationPool;
  /** Missions holding the pool (acquired, not yet released). */
  users: number;
  /** Replaced by a larger pool: destroy when the last user releases it. */
  retired: boolean;
}

let current: PoolEntry | null = null;

function workerFile(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? { filename: new URL('./worker.ts', import.meta.url).href, execArgv: ['--import', 'tsx'] }
    : { filename: new URL('./worker.js', import.meta.url).href, execArgv: [] };
}

/**
 * piscina is loaded with the first pool: its import costs ~17 ms, and small missions run on the calling
 * thread without one (src/mission/execution.ts). Its package main is CommonJS.
 */
const loadPiscina = () => (createRequire(import.meta.url)('piscina') as typeof import('piscina')).Piscina;

function newPool(threads: number): SimulationPool {
  const { filename, execArgv } = workerFile();
  const PiscinaClass = loadPiscina();
  return new PiscinaClass<SimulationTask, SimulationTaskResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    // Keep idle threads: missions come one after another in a worker process.
    idleTimeout: Number.MAX_SAFE_INTEGER,
  });
}

export interface PoolLease {
  pool: SimulationPool;
  /** Call once when the mission's tasks have settled. */
  release(): Promise<void>;
}

/** The current pool if it has at least `threads` threads, else a new one replacing it (retired). */
async function poolWith(threads: number): Promise<PoolEntry> {
  if (current === null || current.pool.maxThreads < threads) {
    const old = current;
    current = { pool: newPool(threads), users: 0, retired: false };
    if (old !== null) {
      old.retired = true;
      if (old.users === 0) await old.pool.destroy();
    }
  }
  return current;
}

/**
 * Starts the pool's threads now, so that they load their code while the caller does other work (a local
 * run: importing the pipeline and reading the forcing), instead of when the simulation asks for them.
 * The first simulation on a new pool waited 120-150 ms for its threads (20 000 × 48 h on 2 threads:
 * 453 ms on a fresh pool, 305-331 ms on a warm one, loaded 2-core machine, tmp script calling simulate()).
 */
export function prestartSimulationPool(threads: number): void {
  // Only a retired pool's destroy() can reject here; the simulation that follows asks again and would
  // meet any real failure itself.
  poolWith(threads).catch(() => undefined);
}

/** The pool new missions get now (null: none started yet), without holding it: for tests and diagnostics. */
export function currentSimulationPool(): SimulationPool | null {
  return current?.pool ?? null;
}

/** The shared pool with at least `threads` threads, held until `release()`. */
export async function acquireSimulationPool(threads: number): Promise<PoolLease> {
  const entry = await poolWith(threads);
  entry.users++;
  let released = false;
  return {
    pool: entry.pool,
    async release() {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.retired && entry.users === 0) await entry.pool.destroy();
    },
  };
}

/**
 * Stops the current pool's threads (worker shutdown, tests). Idempotent; the next simulate() starts a new
 * pool. Missions still holding it are interrupted: call it once missions have finished or been handed back.
 */
export async function closeSimulationPool(): Promise<void> {
  const old = current;
  current = null;
  if (old !== null) {
    old.retired = true;
    await old.pool.destroy();
  }
}
