/**
 * Starts the threads a mission will run on as soon as its placement is known, so that they start and
 * load their code while this thread does its own start-up (a local run still imports the pipeline,
 * ~100 ms, and reads the forcing) instead of after it. Idempotent and cheap: a pool that already has the
 * threads is kept (a worker's pool lives across missions).
 */
import { prestartSimulationPool } from '../threads/pool.js';
import type { Execution } from './execution.js';

export function prestartThreads(exec: Execution): void {
  if (exec.simThreads > 0) prestartSimulationPool(exec.simThreads);
}
