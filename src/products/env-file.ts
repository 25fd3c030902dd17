/**
 * Reading a large mission's environment record file (layout: src/model/env-records.ts, written by
 * src/threads/env-file.ts) for the products, never the whole file at once:
 *  - `envFileRows`: a component's records of a run of particles, particle-major (the layout of
 *    TrajectoryResult.env), for the trajectory file's chunks: one read per output time of that run's
 *    contiguous bytes, transposed in memory;
 *  - `readEnvWindPlane`: wind u and v of every particle at one output time (adjacent in the file: one
 *    read), for the animation's wind arrow.
 * Reads are synchronous: the NetCDF writers' chunk fillers are.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { DriftlineError } from '../errors.js';
import { ENV_COMPONENTS, envFileOffset, type EnvComponent } from '../model/env-records.js';

function readFully(fd: number, into: Uint8Array, position: number, path: string): void {
  for (let done = 0; done < into.length; ) {
    const got = readSync(fd, into, done, into.length - done, position + done);
    if (got === 0) throw new DriftlineError('E_INTERNAL', `environment record file ${path}: ends before byte ${position + into.length}`);
    done += got;
  }
}

function withFile<T>(path: string, use: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Component `name`'s records of particles [p0, p1): element (p - p0) * nTimes + t. The returned array is
 * reused by the next call of any component from the same reader (buffers of 2 × (p1 - p0) × nTimes float32).
 */
export type EnvRowsReader = (name: EnvComponent) => (p0: number, p1: number) => Float32Array;

export function envFileRows(path: string, n: number, nTimes: number): EnvRowsReader {
  let byTime = new Float32Array(0);
  let byParticle = new Float32Array(0);
  return (name) => {
    const c = ENV_COMPONENTS.indexOf(name);
    return (p0, p1) => {
      const m = p1 - p0;
      const len = m * nTimes;
      if (byTime.length < len) {
        byTime = new Float32Array(len);
        byParticle = new Float32Array(len);
      }
      const bytes = new Uint8Array(byTime.buffer, 0, len * 4);
      withFile(path, (fd) => {
        for (let t = 0; t < nTimes; t++) readFully(fd, bytes.subarray(t * m * 4, (t + 1) * m * 4), envFileOffset(n, t, c, p0), path);
      });
      // Transposed as 32-bit words, so every value (NaN payloads included) keeps its bits.
      const from = new Uint32Array(byTime.buffer, 0, len);
      const to = new Uint32Array(byParticle.buffer, 0, len);
      for (let t = 0; t < nTimes; t++) {
        const row = t * m;
        for (let j = 0; j < m; j++) to[j * nTimes + t] = from[row + j] ?? 0; // row + j < len: in range
      }
      return byParticle.subarray(0, len);
    };
  };
}

/** Wind u (elements 0..n-1) and v (n..2n-1) of every particle at output time t. */
export function readEnvWindPlane(path: string, n: number, t: number): Float32Array {
  const out = new Float32Array(2 * n);
  // windUMps and windVMps are components 0 and 1: adjacent at each output time.
  withFile(path, (fd) => readFully(fd, new Uint8Array(out.buffer), envFileOffset(n, t, ENV_COMPONENTS.indexOf('windUMps'), 0), path));
  return out;
}
