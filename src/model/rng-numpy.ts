/**
 * numpy's legacy `RandomState` (what `np.random.seed(s)`, `np.random.random`, `np.random.rand` and
 * `np.random.randn` use), written from the published MT19937 algorithm (Matsumoto & Nishimura 1998) and
 * numpy's documented legacy conversions:
 *  - seeding with an integer is MT19937 `init_genrand(seed)`; with an array, `init_by_array`;
 *  - `random()` builds a 53-bit double from two 32-bit outputs: ((a >> 5)·2^26 + (b >> 6)) / 2^53;
 *  - `gauss()` is the Marsaglia polar method; each accepted pair yields two normals, the second kept
 *    for the next call (the cache survives `random()` calls, as in numpy).
 * Checked against numpy 1.24 for seed 0 in test/unit/model-rng.test.ts.
 */
import type { RandomSource } from './rng.js';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

export class NumpyRandomState implements RandomSource {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private cachedGauss = 0;

  /** `np.random.RandomState(seed)`: an integer in [0, 2^32) or an array of them. */
  constructor(seed: number | readonly number[]) {
    if (typeof seed === 'number') this.initGenrand(seed);
    else this.initByArray(seed);
  }

  private initGenrand(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.cachedGauss = 0;
  }

  private initByArray(key: readonly number[]): void {
    this.initGenrand(19650218);
    const mt = this.mt;
    const len = key.length;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + (key[j]! >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = ((mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB set: guarantees a non-zero initial state
  }

  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & UPPER) | (mt[(k + 1) % N]! & LOWER);
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }

  /** One tempered 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random()` / `rand()`: uniform in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /** `np.random.randn()` (legacy polar Box-Muller with the cached second value). */
  gauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const g = this.cachedGauss;
      this.cachedGauss = 0;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedGauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }
}
