/**
 * Every array a run uses, struct-of-arrays, allocated once per run (never per step). The allocator is
 * passed in so that src/threads can put them all in SharedArrayBuffers: threads then advance disjoint
 * particle ranges of the same arrays and the result needs no copy.
 *
 * Bytes per particle: state 43 (+16 with land), coefficients 50, forcing scratch 16; per record 11
 * (+16 with the environment in memory). 1 000 000 particles × 49 records: ~0.12 GB of state, 0.54 GB of
 * records (+0.78 GB with the environment, which a mission that large records to a file instead:
 * allocated with `recordEnvironment: false`, env-records.ts).
 */
import type { ParticleCoefficients, TrajectoryResult } from './types.js';

export type BufferAllocator = (bytes: number) => ArrayBuffer | SharedArrayBuffer;

export const localAllocator: BufferAllocator = (bytes) => new ArrayBuffer(bytes);

/** Per-particle state that changes during the run. */
export interface ParticleState {
  lonDeg: Float64Array;
  latDeg: Float64Array;
  /** sin and cos of the latitude, kept up to date with latDeg (geodesy.ts TrigPositions). */
  sinLat: Float64Array;
  cosLat: Float64Array;
  /** Position at the start of the current step (OpenDrift's previous_lon/lat), for coastline actions. */
  prevLonDeg: Float64Array;
  prevLatDeg: Float64Array;
  /** STATUS code; NOT_RELEASED until the particle's release step. */
  status: Uint8Array;
  /** Current orientation (flips on every jibe); the one at seeding is in coefficients.orientation. */
  orientation: Uint8Array;
  capsized: Uint8Array;
  /** Calculation step in which the particle is released (OpenDrift: t <= release < t + dt). */
  releaseStep: Int32Array;
}

/** Forcing sampled at the particles at the start of a step (float32, as OpenDrift's environment). */
export interface ForcingScratch {
  windUMps: Float32Array;
  windVMps: Float32Array;
  currentUMps: Float32Array;
  currentVMps: Float32Array;
  /** Surface Stokes drift (empty unless the run has Stokes drift). */
  stokesUMps: Float32Array;
  stokesVMps: Float32Array;
}

export interface SimArrays {
  n: number;
  nTimes: number;
  state: ParticleState;
  scratch: ForcingScratch;
  coefficients: ParticleCoefficients;
  /** Records, particle-major (p * nTimes + t). */
  out: Pick<TrajectoryResult, 'lonDeg' | 'latDeg' | 'status' | 'orientation' | 'capsized' | 'env'>;
}

export function allocateSimArrays(
  n: number,
  nTimes: number,
  opts: { recordEnvironment: boolean; land: boolean; stokes?: boolean },
  alloc: BufferAllocator = localAllocator,
): SimArrays {
  const f64 = (len: number) => new Float64Array(alloc(len * 8));
  const f32 = (len: number) => new Float32Array(alloc(len * 4));
  const u8 = (len: number) => new Uint8Array(alloc(len));
  const nRec = n * nTimes;
  // Without land the previous position is never read: one shared empty array keeps the shape.
  const prevLen = opts.land ? n : 0;
  return {
    n,
    nTimes,
    state: {
      lonDeg: f64(n),
      latDeg: f64(n),
      sinLat: f64(n),
      cosLat: f64(n),
      prevLonDeg: f64(prevLen),
      prevLatDeg: f64(prevLen),
      status: u8(n),
      orientation: u8(n),
      capsized: u8(n),
      releaseStep: new Int32Array(alloc(n * 4)),
    },
    scratch: {
      windUMps: f32(n),
      windVMps: f32(n),
      currentUMps: f32(n),
      currentVMps: f32(n),
      stokesUMps: f32(opts.stokes ? n : 0),
      stokesVMps: f32(opts.stokes ? n : 0),
    },
    coefficients: {
      dwSlopePct: f32(n),
      dwOffsetCmps: f32(n),
      dwEpsCmps: f32(n),
      cwSlopePct: f32(n),
      cwOffsetCmps: f32(n),
      cwEpsCmps: f32(n),
      orientation: u8(n),
      capsized: u8(n),
      releaseTimeSec: f64(n),
      seedLonDeg: f64(n),
      seedLatDeg: f64(n),
    },
    out: {
      lonDeg: f32(nRec),
      latDeg: f32(nRec),
      status: u8(nRec),
      orientation: u8(nRec),
      capsized: u8(nRec),
      ...(opts.recordEnvironment
        ? { env: { windUMps: f32(nRec), windVMps: f32(nRec), currentUMps: f32(nRec), currentVMps: f32(nRec) } }
        : {}),
    },
  };
}
