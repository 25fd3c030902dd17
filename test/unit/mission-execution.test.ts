// Where a mission's stages run (src/mission/execution.ts): small missions on the calling thread, no
// more simulation threads than the run keeps busy, land inline only for short windows.
import { describe, expect, it } from 'vitest';
import { toModelParams } from '../../src/job/resolve.js';
import { validateJob } from '../../src/job/validate.js';
import { INLINE_MAX_LAND_HOURS, INLINE_MAX_PARTICLE_STEPS, LEEWAY_APART_MIN_RECORDS, MIN_STEPS_PER_THREAD, chooseExecution } from '../../src/mission/execution.js';
import { LEEWAY_ASCII_MAX_RECORDS } from '../../src/products/leeway-ascii.js';

const model = (params: object) =>
  toModelParams(validateJob({ mission_id: 'm', params: { latitude: 60, longitude: 4, start_time: '2024-01-01T00:00:00Z', ...params } }).params);

describe('chooseExecution', () => {
  it('runs a typical 1 000 × 24 h mission on the calling thread, land and products included', () => {
    expect(chooseExecution(model({ num_particles: 1000, duration_hours: 24 }), 2)).toEqual({ simThreads: 0, landInline: true, productsInline: true, leewayApart: false });
  });

  it('uses the pool for large runs, with no more threads than each can keep busy', () => {
    // 100 000 × 48 h at 600 s: 28.8 M particle-steps, enough for any configured count here.
    expect(chooseExecution(model({ num_particles: 100_000, duration_hours: 48 }), 2)).toEqual({ simThreads: 2, landInline: true, productsInline: false, leewayApart: true });
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

  it('writes leeway.txt on a thread of its own from LEEWAY_APART_MIN_RECORDS records, and only when it is written at all', () => {
    // 20 000 × 49 records: under the threshold; 100 000 × 49: over it (above); 1 000 000 × 49: over
    // LEEWAY_ASCII_MAX_RECORDS, so no leeway.txt at all.
    expect(chooseExecution(model({ num_particles: 20_000, duration_hours: 48 }), 2).leewayApart).toBe(false);
    expect(20_000 * 49).toBeLessThan(LEEWAY_APART_MIN_RECORDS);
    expect(chooseExecution(model({ num_particles: 1_000_000, duration_hours: 48 }), 2).leewayApart).toBe(false);
    expect(1_000_000 * 49).toBeGreaterThan(LEEWAY_ASCII_MAX_RECORDS);
  });
});
