/**
 * Time-major copies of a few output records at a time, for code that reads one time across all
 * particles (the animation's frames). The trajectory is particle-major (record p · nTimes + t), so reading
 * one time strides over memory and misses the cache on every particle; copying a block of neighbouring
 * times per particle reads each cache line once and gives each time a contiguous array.
 */
import type { TrajectoryResult } from '../model/types.js';

/** Bytes of copies kept (9 per particle and time): 32 MiB is 16 times of 230 000 particles, 3 of 1 M. */
const BLOCK_BYTES = 32 * 2 ** 20;
/** 16 float32 records of a particle fill one 64-byte cache line: longer blocks buy nothing more. */
const MAX_BLOCK_TIMES = 16;

export interface RecordsAt {
  /** Index p: particle p at this time. */
  lonDeg: Float32Array;
  latDeg: Float32Array;
  status: Uint8Array;
  capsized: Uint8Array;
}

export class RecordBlocks {
  private readonly blockTimes: number;
  private first = -1;
  private count = 0;
  private readonly lon: Float32Array;
  private readonly lat: Float32Array;
  private readonly status: Uint8Array;
  private readonly capsized: Uint8Array;

  constructor(
    private readonly result: Pick<TrajectoryResult, 'nParticles' | 'nTimes' | 'lonDeg' | 'latDeg' | 'status' | 'capsized'>,
    blockBytes = BLOCK_BYTES,
  ) {
    const n = Math.max(1, result.nParticles);
    this.blockTimes = Math.max(1, Math.min(MAX_BLOCK_TIMES, result.nTimes, Math.floor(blockBytes / (9 * n))));
    this.lon = new Float32Array(this.blockTimes * result.nParticles);
    this.lat = new Float32Array(this.blockTimes * result.nParticles);
    this.status = new Uint8Array(this.blockTimes * result.nParticles);
    this.capsized = new Uint8Array(this.blockTimes * result.nParticles);
  }

  /** Record t of every particle (views into the block: valid until the next call for another block). */
  at(t: number): RecordsAt {
    const { nParticles: n, nTimes } = this.result;
    if (!(t >= 0 && t < nTimes)) throw new RangeError(`record ${t} outside [0, ${nTimes})`);
    if (t < this.first || t >= this.first + this.count) this.load(t, Math.min(this.blockTimes, nTimes - t));
    const o = (t - this.first) * n;
    return {
      lonDeg: this.lon.subarray(o, o + n),
      latDeg: this.lat.subarray(o, o + n),
      status: this.status.subarray(o, o + n),
      capsized: this.capsized.subarray(o, o + n),
    };
  }

  private load(t0: number, count: number): void {
    const { nParticles: n, nTimes, lonDeg, latDeg, status, capsized } = this.result;
    for (let p = 0; p < n; p++) {
      const base = p * nTimes + t0;
      for (let b = 0; b < count; b++) {
        const i = base + b;
        const o = b * n + p;
        // i < nParticles · nTimes and o < blockTimes · nParticles by the loop bounds: the defaults are never read.
        this.lon[o] = lonDeg[i] ?? NaN;
        this.lat[o] = latDeg[i] ?? NaN;
        this.status[o] = status[i] ?? 0;
        this.capsized[o] = capsized[i] ?? 0;
      }
    }
    this.first = t0;
    this.count = count;
  }
}
