/**
 * Bounds on untrusted jobs (src/job-guard.ts), every invalid field named (src/job.ts validateJob), and
 * the mission size estimate and its refusals (src/mission/estimate.ts).
 */
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { JOB_CAPS, checkJobText, formatPath, replaceUnstorable, sanitiseForJson, sanitiseJobText } from '../../src/job-guard.js';
import { parseJobText, validateJob } from '../../src/job/validate.js';
import { ENV_FILE_MIN_BYTES, MAX_OUTPUT_TIMES, PER_RECORD_BYTES, PER_RECORD_ENV_BYTES, environmentToFile, estimateMission } from '../../src/mission/estimate.js';

const params = { latitude: 60, longitude: 3, start_time: '2024-01-01T00:00:00Z', duration_hours: 1 };
const job = (p: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ mission_id: 'm1', params: { ...params, ...p }, ...extra });

function thrown(fn: () => unknown): DriftlineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DriftlineError) return err;
    throw err;
  }
  throw new Error('expected a DriftlineError');
}

describe('validateJob names every invalid field', () => {
  it('lists all issues with their paths; field is the first', () => {
    const e = thrown(() => validateJob(job({ latitude: 91, num_particles: -1, rng: 'x' })));
    expect(e.code).toBe('E_JOB_INVALID');
    expect(e.field).toBe('params.latitude');
    expect(e.message).toMatch(/^params\.latitude: Too big: expected number to be <=90; params\.num_particles: .+; params\.rng: /);
    expect(e.message).not.toMatch(/and \d+ more/);
  });

  it('caps a huge issue list at 10 shown and says how many more', () => {
    const bad = Object.fromEntries(['latitude', 'longitude', 'duration_hours', 'num_particles', 'seed', 'radius_m', 'time_step_seconds', 'output_step_seconds', 'jibe_probability_per_hour', 'end_radius_m', 'rng', 'radius_type', 'coastline_action'].map((k) => [k, 'bad']));
    const e = thrown(() => validateJob(job(bad)));
    expect(e.message.split('; params.').length).toBe(10);
    expect(e.message).toMatch(/ \(and 3 more\)$/);
  });

  it('names list items with [i]', () => {
    const e = thrown(() => validateJob(job({ products: { search_area_percents: [50, 150] } })));
    expect(e.field).toBe('params.products.search_area_percents[1]');
  });
});

describe('job guard', () => {
  it('refuses a job over MAX_JOB_BYTES before parsing', () => {
    const text = JSON.stringify(job({}, { pad: 'x'.repeat(JOB_CAPS.maxJobBytes) }));
    const e = thrown(() => parseJobText(text));
    expect(e).toMatchObject({ code: 'E_JOB_INVALID', field: '(job)' });
    expect(e.message).toMatch(/bytes; at most 262144 \(MAX_JOB_BYTES\)/);
  });

  it('refuses 10 000-deep nesting without recursion, naming where', () => {
    const text = `{"mission_id":"m1","params":{"forcing":{"wind":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`;
    const e = thrown(() => parseJobText(text));
    expect(e.field).toBe('params.forcing.wind[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]');
    expect(e.message).toMatch(/nested deeper than 32 levels/);
    // brackets inside strings do not count
    expect(checkJobText(JSON.stringify({ s: '['.repeat(100) }))).toBeNull();
  });

  it('names a NUL in params, a long string, a long list and prototype keys', () => {
    expect(thrown(() => validateJob(job({ object_type: 'PIW\u0000' }))).message).toBe('params.object_type: contains a NUL character (\\u0000)');
    expect(thrown(() => validateJob(job({ rng: 'x'.repeat(5000) }))).field).toBe('params.rng');
    const list = thrown(() => validateJob(job({ products: { search_area_percents: Array(1_000_000).fill(50) } })));
    expect(list.message).toBe('params.products.search_area_percents: list of 1000000 items; at most 1000');
    expect(thrown(() => validateJob(job({ products: { search_area_percents: Array(21).fill(50) } }))).field).toBe('params.products.search_area_percents');
    const proto = JSON.parse('{"mission_id":"m1","params":{"latitude":60,"__proto__":{"x":1}},"constructor":1}') as unknown;
    const e = thrown(() => validateJob(proto));
    expect(e.message).toMatch(/constructor: key not allowed/);
    expect(e.message).toMatch(/params\.__proto__: key not allowed/);
  });

  it('lets a few small producer keys through and refuses large or many extra root keys', () => {
    expect(validateJob(job({}, { created_by: 'ops-console', trace: { id: 'abc' } })).mission_id).toBe('m1');
    expect(thrown(() => validateJob(job({}, { blob: 'x'.repeat(5000) }))).field).toBe('blob');
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    expect(thrown(() => validateJob(job({}, many))).message).toMatch(/^\(job\): 17 keys besides mission_id and params; at most 16/);
  });

  it('refuses top-level non-objects', () => {
    for (const text of ['[]', '42', 'null', '"job"']) expect(thrown(() => parseJobText(text)).field).toBe('(job)');
  });
});

describe('sanitising for PostgreSQL', () => {
  it('replaces NULs and lone surrogates, truncates with a marker, keeps __proto__ a plain key', () => {
    expect(replaceUnstorable('a\u0000b\ud800c\udc00d\ud83d\ude00')).toBe('a\ufffdb\ufffdc\ufffdd\ud83d\ude00');
    expect(sanitiseJobText('x'.repeat(30), 10)).toBe(`${'x'.repeat(10)}…[truncated: kept 10 of 30 characters]`);
    const clean = sanitiseForJson(JSON.parse('{"__proto__":{"a":"\\u0000"},"n":[1,"\\u0000"]}')) as Record<string, unknown>;
    expect(JSON.stringify(clean)).toBe('{"__proto__":{"a":"\ufffd"},"n":[1,"\ufffd"]}');
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
  });

  it('formats paths', () => {
    expect(formatPath([])).toBe('(job)');
    expect(formatPath(['params', 'forcing', 'wind', 'uri', 3])).toBe('params.forcing.wind.uri[3]');
  });
});

describe('estimateMission', () => {
  it('counts records and steps as planRun does, and memory from bytes per record', () => {
    const e = estimateMission({ num_particles: 1_000_000, duration_hours: 48, time_step_seconds: 600, output_step_seconds: 3600 });
    expect(e).toMatchObject({ particles: 1_000_000, outputTimes: 49, timeSteps: 288, outputRecords: 49_000_000, particleSteps: 288_000_000 });
    const e2 = estimateMission({ num_particles: 2_000_000, duration_hours: 48, time_step_seconds: 600, output_step_seconds: 3600 });
    // Doubling the particles adds their per-particle and per-record bytes, nothing else (both record
    // their environment to a file: its 16 B per record are disk, not memory).
    expect(e2.memoryBytes - e.memoryBytes).toBeCloseTo(1_000_000 * (125 + 49 * (PER_RECORD_BYTES - PER_RECORD_ENV_BYTES)), -1);
    expect(e2.envFileBytes - e.envFileBytes).toBe(1_000_000 * 49 * PER_RECORD_ENV_BYTES);
  });

  it('counts 16 bytes less per record when the environment is not recorded (products.record_environment: false)', () => {
    // 10 000 × 49 records: 7.8 MB of environment, under ENV_FILE_MIN_BYTES, so in memory when recorded.
    const base = { num_particles: 10_000, duration_hours: 48, time_step_seconds: 600, output_step_seconds: 3600 };
    expect(490_000 * PER_RECORD_ENV_BYTES).toBeLessThanOrEqual(ENV_FILE_MIN_BYTES);
    const on = estimateMission(base);
    const off = estimateMission({ ...base, products: { record_environment: false } });
    expect(on.memoryBytes - off.memoryBytes).toBeCloseTo(490_000 * PER_RECORD_ENV_BYTES, -1);
    expect([on.envFileBytes, off.envFileBytes]).toEqual([0, 0]);
    expect(estimateMission({ ...base, products: { record_environment: true } }).memoryBytes).toBe(on.memoryBytes);
    // The job's own field reaches the estimate: validated jobs carry it under params.products.
    expect(validateJob(job({ products: { record_environment: false } })).params.products.record_environment).toBe(false);
  });

  it('counts a recorded environment above ENV_FILE_MIN_BYTES as disk, not memory (1 000 000 × 49: 784 MB in a file)', () => {
    const base = { num_particles: 1_000_000, duration_hours: 48, time_step_seconds: 600, output_step_seconds: 3600 };
    const on = estimateMission(base);
    const off = estimateMission({ ...base, products: { record_environment: false } });
    expect(on.memoryBytes).toBe(off.memoryBytes);
    expect(on.envFileBytes).toBe(49_000_000 * PER_RECORD_ENV_BYTES);
    expect(off.envFileBytes).toBe(0);
    // Just above the threshold it goes to the file, just below it stays in memory.
    const records = ENV_FILE_MIN_BYTES / PER_RECORD_ENV_BYTES;
    expect([environmentToFile(records), environmentToFile(records + 1)]).toEqual([false, true]);
  });

  it('refuses 1 particle × 300 h at 1 s output, naming output_step_seconds and what would fit', () => {
    const e = thrown(() => validateJob(job({ num_particles: 1, duration_hours: 300, time_step_seconds: 1, output_step_seconds: 1 })));
    expect(e).toMatchObject({ code: 'E_MISSION_TOO_LARGE', field: 'params.output_step_seconds' });
    expect(e.message).toContain(`1080001 output times; at most ${MAX_OUTPUT_TIMES} (use output_step_seconds >= 109)`);
    // the suggestion fits
    expect(estimateMission({ num_particles: 1, duration_hours: 300, time_step_seconds: 1, output_step_seconds: 109 }).outputTimes).toBeLessThanOrEqual(MAX_OUTPUT_TIMES);
  });

  it('refuses above MAX_MISSION_MB naming num_particles, and says how many particles fit', () => {
    const limits = { maxParticles: 2_000_000, maxDurationHours: 720, maxMissionMb: 4096 };
    const e = thrown(() => validateJob(job({ num_particles: 2_000_000, duration_hours: 720 }), limits));
    expect(e).toMatchObject({ code: 'E_MISSION_TOO_LARGE', field: 'params.num_particles' });
    const fit = Number(/at most (\d+) particles fit/.exec(e.message)?.[1]);
    expect(estimateMission({ num_particles: fit, duration_hours: 720, time_step_seconds: 600, output_step_seconds: 3600 }).memoryBytes).toBeLessThanOrEqual(4096 * 1024 * 1024);
    expect(estimateMission({ num_particles: fit + 1, duration_hours: 720, time_step_seconds: 600, output_step_seconds: 3600 }).memoryBytes).toBeGreaterThan(4096 * 1024 * 1024);
    expect(validateJob(job({ num_particles: 1000 }), limits).params.num_particles).toBe(1000);
  });
});
