/**
 * Writing the environment record file (layout: src/model/env-records.ts). simulate() creates it at its
 * full size; each simulation task (any thread, or the calling thread) opens its own descriptor and
 * writes, at every output time, its particle range of each component with one positioned write. Ranges
 * are disjoint, so tasks never write the same bytes and need no lock.
 *
 * Write count: rng "fast" ranges are blocks of 4 096 particles, so 1 000 000 particles × 49 output
 * times make 245 × 49 × 4 = 48 020 writes of 16 KiB, into the page cache.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { DriftlineError } from '../errors.js';
import { ENV_COMPONENTS, envFileBytes, envFileOffset, type EnvRecordSink } from '../model/env-records.js';

function checkLittleEndian(): void {
  // Float32Array bytes are the platform's: the file is little-endian because every platform Node runs
  // driftline on is (x86-64, arm64); say so rather than write a file of the wrong order.
  if (endianness() !== 'LE') throw new DriftlineError('E_INTERNAL', 'environment record file: a big-endian platform would write the wrong byte order');
}

/** Creates (or truncates) the file at its full size for n particles × nTimes output times. */
export function createEnvFile(path: string, n: number, nTimes: number): void {
  checkLittleEndian();
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, envFileBytes(n, nTimes));
  } finally {
    closeSync(fd);
  }
}

export interface EnvFileSink extends EnvRecordSink {
  close(): void;
}

/** A sink writing into the file createEnvFile made for `n` particles; close() when the task ends. */
export function openEnvFileSink(path: string, n: number): EnvFileSink {
  checkLittleEndian();
  const fd = openSync(path, 'r+');
  let values = new Float32Array(0);
  let count = 0;
  return {
    scratch(c: number): Float32Array {
      if (values.length < ENV_COMPONENTS.length * c) values = new Float32Array(ENV_COMPONENTS.length * c);
      count = c;
      return values;
    },
    put(r: number, i0: number, i1: number): void {
      if (i1 - i0 !== count) throw new DriftlineError('E_INTERNAL', `environment record file: ${i1 - i0} particles put, ${count} staged`);
      const bytes = count * 4;
      for (let c = 0; c < ENV_COMPONENTS.length; c++) {
        const written = writeSync(fd, values, c * bytes, bytes, envFileOffset(n, r, c, i0));
        if (written !== bytes) throw new DriftlineError('E_INTERNAL', `environment record file: wrote ${written} of ${bytes} bytes`);
      }
    },
    close(): void {
      closeSync(fd);
    },
  };
}
