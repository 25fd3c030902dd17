/**
 * numpy's legacy `RandomState` (what `np.random.seed(s)`, `np.random.random`, `np.random.rand` and
 * `np.random.randn` use), written from the published MT19937 algorithm (Matsumoto & Nishimura 1998) and
 * numpy's documented legacy conversions:
 *  - seeding with an integer is MT19937 `init_genrand(seed)`; with an array, `init_by_array`;
 *  - `random()` and `gauss()` are numpy's legacy conversions, shared with the fast generator
 *    (`Uint32RandomSource` in rng.ts).
 * Checked against numpy 1.24 for seed 0 in test/unit/model-rng.test.ts.
 */
import { Uint32RandomSource } from './rng.js';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

export class NumpyRandomState extends Uint32RandomSource {
  private readonly mt = new Uint32Array(N);
  private pos = N;

  /** `np.random.RandomState(seed)`: an integer in [0, 2^32) or an array of them. */
  constructor(seed: number | readonly number[]) {
    super();
    if (typeof seed === 'number') this.initGenrand(seed);
    else this.initByArray(seed);
  }

  private initGenrand(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const mt = this.mt;
    let prev = seed >>> 0;
    mt[0] = prev;
    for (let i = 1; i < N; i++) {
      prev = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
      mt[i] = prev;
    }
    this.pos = N;
  }

  private initByArray(key: readonly number[]): void {
    this.initGenrand(19650218);
    const mt = this.mt;
    // Every index below stays in [0, N) and j in [0, len): `?? 0` only satisfies the type (a number
    // past the end would have been undefined, 0 after the >>> 0 and ^ below).
    const len = key.length;
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1] ?? 0;
      mt[i] = (((mt[i] ?? 0) ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + ((key[j] ?? 0) >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1] ?? 0;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ?? 0;
      mt[i] = (((mt[i] ?? 0) ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1] ?? 0;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB set: guarantees a non-zero initial state
  }

  private twist(): void {
    const mt = this.mt;
    // Indices modulo N: in range; `?? 0` only satisfies the type.
    for (let k = 0; k < N; k++) {
      const y = ((mt[k] ?? 0) & UPPER) | ((mt[(k + 1) % N] ?? 0) & LOWER);
      mt[k] = (mt[(k + M) % N] ?? 0) ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }

  /** One tempered 32-bit output, as an unsigned integer. */
  override nextUint32(): number {
    if (this.pos >= N) this.twist();
    let y = this.mt[this.pos++] ?? 0; // pos < N after the twist: in range
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}
