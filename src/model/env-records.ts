/**
 * The environment record file (issue 9): a large mission records the wind and current each particle saw
 * at each output time to a file in its work directory instead of four float32 arrays in memory (16 B per
 * record: 0.78 GB at 1 000 000 particles × 49 output times).
 *
 * Layout: for output time t, for component c in ENV_COMPONENTS order, particles 0..n-1; float32
 * little-endian; no header. Time-major, so that at each output time a simulation thread writes its
 * particle range of each component as one contiguous run; the readers (the trajectory file's chunks,
 * the animation's wind arrow) read a run of particles per time, or one time plane.
 *
 * Only the layout lives here (src/model is pure); the writer is src/threads/env-file.ts, the readers
 * src/products/env-file.ts.
 */

/** Component order in the file; the same names as TrajectoryResult.env. */
export const ENV_COMPONENTS = ['windUMps', 'windVMps', 'currentUMps', 'currentVMps'] as const;
export type EnvComponent = (typeof ENV_COMPONENTS)[number];

/** Bytes per particle record: four float32 components. */
export const ENV_RECORD_BYTES = 4 * ENV_COMPONENTS.length;

/** Size of the file for n particles × nTimes output times, bytes. */
export function envFileBytes(n: number, nTimes: number): number {
  return n * nTimes * ENV_RECORD_BYTES;
}

/** Byte offset of particle p's value of component c (index in ENV_COMPONENTS) at output time t. */
export function envFileOffset(n: number, t: number, c: number, p: number): number {
  return ((t * ENV_COMPONENTS.length + c) * n + p) * 4;
}

/**
 * Where writeRecord (step.ts) puts the environment of a particle range when it is not kept in memory.
 * `scratch(count)` gives 4 × count float32: component c of particle i0 + j at c * count + j; `put`
 * stores what it holds as output time r of particles [i0, i1) (count = i1 - i0).
 */
export interface EnvRecordSink {
  scratch(count: number): Float32Array;
  put(r: number, i0: number, i1: number): void;
}
