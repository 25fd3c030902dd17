/** E_JOB_INVALID names every invalid field of a job, not only the first (issue 11, operations). */
import { describe, expect, it } from 'vitest';
import { jobFailure as failure } from './job.fixtures.js';

describe('E_JOB_INVALID', () => {
  it('names each invalid field with its reason; `field` is the first', () => {
    const e = failure({ mission_id: 'two-bad', params: { latitude: 95, longitude: 4, start_time: '2024-01-01T00:00:00Z', num_particles: -5 } });
    expect(e.code).toBe('E_JOB_INVALID');
    expect(e.field).toBe('params.latitude');
    expect(e.message).toMatch(/^params\.latitude: [^;]*90[^;]*; params\.num_particles: /);
    expect(e.message).not.toMatch(/more\)/);
  });

  it('a single invalid field reads as before', () => {
    const e = failure({ mission_id: 'one-bad', params: { latitude: 95, longitude: 4, start_time: '2024-01-01T00:00:00Z' } });
    expect(e.message).toMatch(/^params\.latitude: [^;]+$/);
  });

  it('names at most 10 and counts the rest (a hostile job may have thousands)', () => {
    const extras = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`seed${i}`, 0]));
    const bad = { mission_id: 'x', params: { latitude: 'a', longitude: 'b', start_time: 5, duration_hours: 'c', num_particles: 'd', seed: 'e', rng: 1, radius_m: 'f', time_step_seconds: 'g', output_step_seconds: 'h', jibe_probability_per_hour: 'i', capsizing: 'j', coastline_action: 2, ...extras } };
    const e = failure(bad);
    expect(e.message.split('; ')).toHaveLength(10);
    expect(e.message).toMatch(/ \(and \d+ more\)$/);
  });
});
