/** params.search (issue 8): validated with the job, errors name the field; resolved to seconds. */
import { describe, expect, it } from 'vitest';
import { validateJob } from '../../src/job/validate.js';
import { resolveSearch } from '../../src/search/resolve.js';
import { jobFailure as failure } from './job.fixtures.js';

const square = [[4.6, 59.3], [4.7, 59.3], [4.7, 59.35], [4.6, 59.35], [4.6, 59.3]];
const unit = { name: 'Helo', speed_kn: 90, endurance_h: 2, sweep_width_nm: 1.2 };
const completed = { name: 'Sweep 1', start_time: '2024-01-01T14:00:00Z', end_time: '2024-01-01T16:00:00Z', polygon: square, sweep_width_nm: 1, track_spacing_nm: 1 };

function job(search: unknown, extra: Record<string, unknown> = {}) {
  return { mission_id: 'search-job', params: { latitude: 59.3, longitude: 4.6, start_time: '2024-01-01T12:00:00Z', duration_hours: 24, ...extra, search } };
}

describe('params.search', () => {
  it('accepts a plan and a completed search and resolves them to seconds, exponential by default', () => {
    const j = validateJob(job({ plan: { start_time: '2024-01-02T06:00:00Z', units: [unit] }, completed: [completed] }));
    const r = resolveSearch(j.params.search);
    expect(r.law).toBe('exponential');
    expect(r.plan?.startTimeSec).toBe(Date.UTC(2024, 0, 2, 6) / 1000);
    expect(r.plan?.units[0]).toEqual({ name: 'Helo', speedKn: 90, enduranceH: 2, sweepWidthNm: 1.2 });
    expect(r.completed[0]?.endTimeSec).toBe(Date.UTC(2024, 0, 1, 16) / 1000);
    expect(resolveSearch(undefined)).toEqual({ law: 'exponential', completed: [], plan: null });
  });

  it('refuses a unit with zero endurance, naming it', () => {
    const e = failure(job({ plan: { start_time: '2024-01-02T06:00:00Z', units: [unit, { ...unit, name: 'Boat', endurance_h: 0 }] } }));
    expect(e.code).toBe('E_JOB_INVALID');
    expect(e.field).toBe('params.search.plan.units[1].endurance_h');
  });

  it('refuses a plan time before the start of a forward run, and a unit window past its end', () => {
    const before = failure(job({ plan: { start_time: '2024-01-01T11:00:00Z', units: [unit] } }));
    expect(before.field).toBe('params.search.plan.start_time');
    expect(before.message).toMatch(/before the start of a forward run/);
    // Starts 1 h before the end: the middle of a 4 h window is 1 h after the run.
    const late = failure(job({ plan: { start_time: '2024-01-02T11:00:00Z', units: [{ ...unit, endurance_h: 4 }] } }));
    expect(late.field).toBe('params.search.plan.units[0].endurance_h');
  });

  it('accepts a plan inside a backward run, which ends before its start time', () => {
    const j = validateJob(job({ plan: { start_time: '2024-01-01T06:00:00Z', units: [unit] } }, { time_step_seconds: -600 }));
    expect(j.params.search?.plan?.units).toHaveLength(1);
  });

  it('refuses a completed search outside the run, ending before it starts, or with a bad polygon', () => {
    expect(failure(job({ completed: [{ ...completed, start_time: '2024-01-03T00:00:00Z', end_time: '2024-01-03T02:00:00Z' }] })).field).toBe(
      'params.search.completed[0].start_time',
    );
    expect(failure(job({ completed: [{ ...completed, end_time: '2024-01-01T13:00:00Z' }] })).field).toBe('params.search.completed[0].end_time');
    const open = failure(job({ completed: [{ ...completed, polygon: square.slice(0, 4).concat([[4.65, 59.31]]) }] }));
    expect(open.field).toBe('params.search.completed[0].polygon');
    const bowtie = [[4.6, 59.3], [4.7, 59.3], [4.7, 59.35], [4.65, 59.35], [4.8, 59.32], [4.6, 59.3]]; // edge 3 crosses edge 1
    const crossed = failure(job({ completed: [completed, { ...completed, polygon: bowtie }] }));
    expect(crossed.field).toBe('params.search.completed[1].polygon');
    expect(crossed.message).toMatch(/cross/);
    expect(failure(job({ completed: [{ ...completed, track_spacing_nm: 0 }] })).field).toBe('params.search.completed[0].track_spacing_nm');
    expect(failure(job({ detection: 'random' })).field).toBe('params.search.detection');
  });
});
