/**
 * What the main thread sends a simulation thread, and what comes back. Everything is plain data or
 * typed arrays on SharedArrayBuffers, so a task crosses the thread boundary by structured clone without
 * copying any particle or grid data: all threads work on the same arrays, each on its own blocks.
 */
import type { VectorFieldDescriptor } from '../forcing/types.js';
import type { LandRaster } from '../land/types.js';
import type { SimArrays } from '../model/state.js';
import type { ModelParams } from '../model/types.js';

/** Slots of the shared control array (Int32Array on a SharedArrayBuffer). */
export const CONTROL = {
  /** 1 once the main thread asks the threads to stop (checked between steps). */
  ABORT: 0,
  /** Next block to claim (rng "fast"): each thread takes blocks with Atomics.add until none is left. */
  NEXT_BLOCK: 1,
  /** Steps completed, summed over blocks (rng "fast": nBlocks × nSteps in all; "opendrift": nSteps). */
  STEPS_DONE: 2,
} as const;
export const CONTROL_SLOTS = 3;

export interface SimulationTask {
  model: ModelParams;
  wind: VectorFieldDescriptor;
  current: VectorFieldDescriptor;
  /** Surface Stokes drift, when the mission has drift:stokes_drift. */
  stokes: VectorFieldDescriptor | null;
  land: LandRaster | null;
  arrays: SimArrays;
  recordEnvironment: boolean;
  /** With recordEnvironment: the environment record file (env-file.ts) the arrays stand in for; null: in the arrays. */
  envFile: string | null;
  nBlocks: number;
  control: Int32Array;
}

export interface SimulationTaskResult {
  particleSteps: number;
  stopped: boolean;
}
