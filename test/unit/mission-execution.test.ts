// Where a mission's stages run (src/mission/execution.ts): small missions on the calling thread, no
// more simulation threads than the run keeps busy, land inline only for short windows.
import { describe, expect, it } from 'vitest';
import { toModelParams } from '../../src/job/resolve.js';
import { validateJob } from '../../src/job/validate.js';
import { INLINE_MAX_LAND_HOURS, INLINE_MAX_PARTICLE_STEPS, INLINE_MAX_RECORDS, MIN_STEPS_PER_THREAD, SPLIT_PRODUCTS_MIN_RECORDS, chooseExecution } from '../../src/mission/execution.js';

const model = (params: object) =>
  toModelParams(validateJob({ mission_id: 'm', params: { latitude: 60, longitude: 4, start_time: '2024-01-01T00:00:00Z', ...params } }).params);

describe('chooseExecution', () => {
  it('runs a typical 1 000 × 24 h mission on the calling thread, land and products included', () => {
    expect(chooseExecution(model({ num_particles: 1000, duration_hours: 24 }), 2)).toEqual({ simThreads: 0, landInline: true, productsInline: true, productsSplit: false });
  });

  it('uses the pool for large runs, with no more threads than each can keep busy', () => {
    // 100 000 × 48 h at 600 s: 28.8 M particle-steps, enough for any configured count here.
    expect(chooseExecution(model({ num_particles: 100_000, duration_hours: 48 }), 2)).toEqual({ simThreads: 2, landInline: true, productsInline: false, productsSplit: true });
    // Just above the inline limit: one thread's worth of steps gets one thread, not the configured 8.
    const n = Math.floor((INLINE_MAX_PARTICLE_STEPS * 1.2) / 144);
    const e = chooseExecution(model({ num_particles: n, duration_hours: 24 }), 8);
    expect(e.simThreads).toBe(Math.ceil((n * 144) / MIN_STEPS_PER_THREAD));
    expect(e.simThreads).toBeLessThan(8);
    expect(e.productsInline).toBe(false);
  });

  it("keeps rng 'opendrift' on one task and reads long windows' coastline off the calling thread", () => {
    expect(chooseExecution(model({ num_particles: 100_000, duration_hours: 48, rng: 'opendrift' }), 4).simThreads).toBe(1);
    expect(chooseExecution(model({ num_particles: 10, duration_hours: INLINE_MAX_LAND_HOURS + 1 }), 2).landInline).toBe(false);
    // Few particles but many output records: products go to the mission thread.
    expect(chooseExecution(model({ num_particles: 100, duration_hours: 720 }), 2).productsInline).toBe(false);
  });

  it('splits the products over both mission threads from SPLIT_PRODUCTS_MIN_RECORDS records, never for a mission written inline', () => {
    // Output every hour: a 48 h run has 49 records per particle.
    const over = Math.ceil(SPLIT_PRODUCTS_MIN_RECORDS / 49);
    const under = Math.floor((SPLIT_PRODUCTS_MIN_RECORDS - 1) / 49);
    expect(under * 49).toBeGreaterThan(INLINE_MAX_RECORDS);
    expect(chooseExecution(model({ num_particles: under, duration_hours: 48 }), 2)).toMatchObject({ productsInline: false, productsSplit: false });
    expect(chooseExecution(model({ num_particles: over, duration_hours: 48 }), 2)).toMatchObject({ productsInline: false, productsSplit: true });
    // Over the Leeway ASCII cap (no leeway.txt) the split stands: particles.nc alone is the other half.
    expect(chooseExecution(model({ num_particles: 1_000_000, duration_hours: 48 }), 2).productsSplit).toBe(true);
  });
});
