/**
 * Where a mission's stages run, chosen from its size (issue 9): small missions on the calling thread
 * with no thread to start, larger ones on the simulation pool and a mission thread, with no more
 * simulation threads than the run can keep busy.
 *
 * Why these numbers (2-core machine, quiet, 2026-12-04; simulate() alone in a fresh process, constant
 * forcing, environment recorded, 2 runs each — calling thread / 1 pool thread / 2 pool threads):
 *    1 000 × 24 h (0.14 M particle-steps)   39–46 /   78–105 /   80–84 ms
 *   10 000 × 24 h (1.4 M)                  183–190 /  229–235 /  216–223 ms
 *   20 000 × 24 h (2.9 M)                  335–340 /  381–383 /  310–329 ms
 *   20 000 × 48 h (5.8 M)                  651–661 /  701–707 /  503–521 ms
 *  100 000 × 48 h (28.8 M)                3079–3169 / 3143–3193 / 1748–1829 ms
 *  - a pool thread costs 40–60 ms to start and hand work to, and one pool thread never beats the calling
 *    thread; two beat it from about 3 M particle-steps;
 *  - starting a mission thread and importing the products code in it cost 250–300 ms before its first
 *    task ran (`npm run bench -- mission`, 1 000 × 24 h, before this file);
 *  - the coastline over a 24 h window is read in 1–15 ms and over 48 h in 4–19 ms (tiles, cold and
 *    warm), but over 168 h in 0.8–1 s: land goes inline up to INLINE_MAX_LAND_HOURS;
 *  - on the calling thread a mission blocks the worker's event loop for its whole run; the heartbeat
 *    renews every HEARTBEAT_SECONDS (5 s) against a LEASE_SECONDS (30 s) lease, so a block under a second
 *    is harmless: INLINE_MAX_PARTICLE_STEPS and INLINE_MAX_RECORDS keep the kernel under ~0.25 s (9–10 M
 *    particle-steps/s on one thread, table above) and the products near 0.8 s (2 400 particles × 25
 *    records = 60 000, every product but the animation: search products 266 ms, map 229, the rest 284).
 */
import { planRun } from '../model/plan.js';
import type { ModelParams } from '../model/types.js';

/** Kernel work done on the calling thread at most: 2 M particle-steps, about 0.25 s on one thread. */
export const INLINE_MAX_PARTICLE_STEPS = 2_000_000;
/** Trajectory records (particles × output times) whose products are written on the calling thread at most. */
export const INLINE_MAX_RECORDS = 60_000;
/** Longest run whose coastline is read on the calling thread (48 h: 4–19 ms; 168 h: 0.8–1 s). */
export const INLINE_MAX_LAND_HOURS = 48;
/**
 * Particle-steps each simulation thread must get before another one is worth starting: a pool thread
 * costs 40–60 ms, 0.4–0.6 M steps at the 9–10 M steps/s of one thread; 1.5 M each puts the second
 * thread at 3 M steps, where two threads first beat the calling thread (table above).
 */
export const MIN_STEPS_PER_THREAD = 1_500_000;

/**
 * From this many trajectory records (particles × output times; about 8 200 particles × 49) a mission's products
 * are written on both mission threads at once (src/mission/thread-pool.ts writeProductsOnMissionThreads):
 * particles.nc and leeway.txt on one, the density grid, search areas, pictures and the other files on the
 * other. Measured end to end (`driftline run`, the gridded forcing of bench/opendrift-side-by-side.mjs, every
 * product but the animation, 2-core machine shared with other jobs, each run started once the CPUs were 85 %
 * idle for a second; 2026-12-05, 8 alternating rounds, 5 at 100 000; wall median, the paired difference's
 * median and how many rounds the split won, peak RSS median):
 *    records (particles × 49)   one thread        both threads      split - one thread      RSS
 *       98 000 (2 000)          1.27 s            1.28 s            -0.02 s (4 of 8)        192 -> 228 MB
 *      245 000 (5 000)          1.48 s            1.50 s            -0.01 s (4 of 8)        201 -> 244 MB
 *      490 000 (10 000)         1.83 s            1.71 s            -0.17 s (7 of 8)        227 -> 272 MB
 *      980 000 (20 000)         2.23 s            2.03 s            -0.18 s (8 of 8)        257 -> 303 MB
 *    4 900 000 (100 000)        6.32 s            5.53 s            -1.03 s (5 of 5)        387 -> 432 MB
 *  - the two threads share two cores that run two threads at ~1.3× one (the simulation table above), so
 *    each half runs 35-50 % slower beside the other (20 000 × 49: search products 440 -> 610-670 ms,
 *    leeway.txt 290 -> 370-390 ms) and the split saves about a third of the record files' time, not all;
 *  - the second thread costs 40-45 MB (its heap and its copy of the products code);
 *  - starting a mission thread while the simulation runs (a task that only loads the products code)
 *    bought nothing without the split at 5 000 × 49 (-0.01 s, 3 of 6), 0.1 s with it at 5 000-10 000,
 *    nothing at 20 000 and cost 0.4-1.1 s of simulation at 100 000 (the simulation threads' cores were
 *    busy): not done;
 *  - for a mission written on the calling thread, drawing one picture (the animation, else map.png) on a
 *    mission thread started and loaded at job parse while this thread wrote the rest: no faster, 40 MB
 *    more (1 000 × 24 h coast, 5 alternating rounds on a quiet but slow day, 2026-12-05: without the
 *    animation 2.12–2.51 s against 1.98–2.66 s, with it 3.19–3.55 against 2.73–3.27 s). The thread's
 *    start and its second copy of the drawing code cost about what drawing beside this thread saves,
 *    since two threads get ~1.3× one thread's CPU: not done.
 */
export const SPLIT_PRODUCTS_MIN_RECORDS = 400_000;

export interface Execution {
  /** Simulation threads; 0: the calling thread. */
  simThreads: number;
  /** Coastline read on the calling thread (else on a mission thread). */
  landInline: boolean;
  /** Products written on the calling thread (else on a mission thread). */
  productsInline: boolean;
  /** Products written on both mission threads at once (SPLIT_PRODUCTS_MIN_RECORDS), else on one. */
  productsSplit: boolean;
}

export function chooseExecution(model: ModelParams, configuredThreads: number): Execution {
  const plan = planRun(model);
  const steps = model.numParticles * plan.nSteps;
  const records = model.numParticles * plan.nTimes;
  const small = steps <= INLINE_MAX_PARTICLE_STEPS && records <= INLINE_MAX_RECORDS;
  // numpy's draw order is global: rng 'opendrift' is one task wherever it runs.
  const useful = Math.max(1, Math.ceil(steps / MIN_STEPS_PER_THREAD));
  const pooled = model.rng === 'opendrift' ? 1 : Math.max(1, Math.min(configuredThreads, useful));
  return {
    simThreads: small ? 0 : pooled,
    landInline: model.durationSec <= INLINE_MAX_LAND_HOURS * 3600,
    productsInline: small,
    productsSplit: !small && records >= SPLIT_PRODUCTS_MIN_RECORDS,
  };
}
