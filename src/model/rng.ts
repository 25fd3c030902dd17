/**
 * The random sources the model draws from. Two implementations:
 *  - `NumpyRandomState` (rng "opendrift"): numpy's legacy global generator, so a run draws exactly the
 *    numbers OpenDrift draws (one stream for the whole run, in OpenDrift's order);
 *  - `BlockStream` (rng "fast", the default): one small stream per block of BLOCK_SIZE particles, so a
 *    run's result for a seed does not depend on how blocks are spread over threads.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** Standard normal. */
  gauss(): number;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/**
 * numpy's legacy conversions over any stream of 32-bit outputs; both generators share them, so they
 * differ only in `nextUint32`:
 *  - `random()` builds a 53-bit double from two outputs: ((a >> 5)·2^26 + (b >> 6)) / 2^53;
 *  - `gauss()` is the Marsaglia polar method; each accepted pair yields two normals, the second kept
 *    for the next call (the cache survives `random()` calls, as in numpy).
 */
export abstract class Uint32RandomSource implements RandomSource {
  private hasGauss = false;
  private cachedGauss = 0;

  /** One 32-bit output, as an unsigned integer. */
  abstract nextUint32(): number;

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
      return this.cachedGauss;
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
