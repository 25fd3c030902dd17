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
