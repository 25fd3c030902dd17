/**
 * The simulation thread pool (piscina), created on first use and kept for the life of the process, so
 * a worker process pays thread start-up (~50 ms per thread, more under tsx) once, not per mission.
 *
 * Which worker file: compiled code (dist/threads/pool.js) loads dist/threads/worker.js. When this module
 * runs from TypeScript source (vitest, tsx), it loads src/threads/worker.ts through tsx
 * (`--import tsx`, a dev dependency), so tests always run the current source, never a stale dist/.
 */
import { Piscina } from 'piscina';
import type { SimulationTask, SimulationTaskResult } from './protocol.js';

let pool: Piscina<SimulationTask, SimulationTaskResult> | null = null;

function workerFile(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  return fromSource
    ? { filename: new URL('./worker.ts', import.meta.url).href, execArgv: ['--import', 'tsx'] }
    : { filename: new URL('./worker.js', import.meta.url).href, execArgv: [] };
}

/** The shared pool, grown (re-created) when a mission asks for more threads than it has. */
export async function simulationPool(threads: number): Promise<Piscina<SimulationTask, SimulationTaskResult>> {
  if (pool !== null && pool.maxThreads >= threads) return pool;
  const old = pool;
  pool = null;
  if (old !== null) await old.destroy();
  const { filename, execArgv } = workerFile();
  pool = new Piscina<SimulationTask, SimulationTaskResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    // Keep idle threads: missions come one after another in a worker process.
    idleTimeout: Number.MAX_SAFE_INTEGER,
  });
  return pool;
}

/** Stops the pool's threads (worker shutdown, tests). Idempotent; the next simulate() starts a new pool. */
export async function closeSimulationPool(): Promise<void> {
  const old = pool;
  pool = null;
  if (old !== null) await old.destroy();
}
