/**
 * Hostile jobs through the real job handler (src/worker/handle-job.ts) with real PostgreSQL, Redis and
 * S3 (s3rver): every one must end as a clear error naming the field, a PostgreSQL row (the mission's,
 * with the sanitised raw job, or a rejected_jobs row), and a dead letter — and a good job pushed after
 * them must still complete. A corpus of named cases, then cases generated from a fixed seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { claimMission, completeMission, failMission, getMission, insertRejectedJob, listRejectedJobs } from '../../src/db/queries/index.js';
import { silentLogger } from '../../src/logger.js';
import { runMission } from '../../src/mission/run.js';
import { resolveMission } from '../../src/job/resolve.js';
import { JobQueue, type DeadLetter } from '../../src/queue/queue.js';
import { attemptPrefix, uploadProducts } from '../../src/storage/upload.js';
import { closeMissionThreads } from '../../src/mission/thread-pool.js';
import { closeSimulationPool } from '../../src/threads/simulate.js';
import { handleJob, type JobPorts, type JobResult } from '../../src/worker/handle-job.js';
import { freshSchema, type TestSchema } from '../helpers/pg.js';
import { assertBuilt, runCli } from '../helpers/processes.js';
import { randomQueue, type TestQueue } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { at } from '../helpers/indexed.js';

const WORKER = 'fuzz-worker';
/** The lease token this test's worker registers with (ack and dead-letter are fenced by it). */
const LEASE_TOKEN = 'fuzz-lease';
let db: TestSchema;
let tq: TestQueue;
let s3: TestS3;
let queue: JobQueue;
let blocking: Redis;
const workDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-fuzz-'));

beforeAll(async () => {
  [db, tq, s3] = await Promise.all([freshSchema('fuzz'), randomQueue('fuzz'), startS3({ createBucket: true })]);
  queue = new JobQueue(tq.redis, tq.name);
  blocking = new Redis(tq.env.REDIS_URL!, { autoResendUnfulfilledCommands: false });
  await queue.register(WORKER, LEASE_TOKEN, 600_000);
}, 60_000);

afterAll(async () => {
  blocking?.disconnect();
  await Promise.allSettled([db?.drop(), tq?.cleanup(), s3?.close(), closeMissionThreads(), closeSimulationPool()]);
  rmSync(workDir, { recursive: true, force: true });
});

const GOOD_PARAMS = {
  latitude: 59.3,
  longitude: 4.6,
  start_time: '2024-01-01T12:00:00Z',
  duration_hours: 1,
  num_particles: 20,
  coastline_action: 'none',
  products: { animation: false },
  forcing: { wind: { constant: [5, 0] }, current: { constant: [0, 0] } },
};

/** Push one raw job, claim it into the processing list, and handle it as a worker would. */
async function handleRaw(pushed: string): Promise<JobResult> {
  let raw = pushed;
  await queue.push([pushed]);
  // What a worker receives: Redis stores UTF-8, so a lone surrogate comes back as U+FFFD.
  const claimed = await queue.claim(blocking, WORKER, 5);
  expect(claimed).not.toBeNull();
  raw = claimed!;
  const config = loadConfig({ ...db.env, ...s3.env, WORK_DIR: workDir, SIM_THREADS: '1' });
  const ports: JobPorts = {
    claim: async (job) => {
      const r = await claimMission(db.pool, job.mission_id, job.params, WORKER, 'fz', 30);
      if (typeof r === 'string' || 'busyWith' in r) return r;
      return { ...r, attemptKey: `a${r.attempts}-fz` };
    },
    progress: async () => 'held',
    run: async (job, ctx) => runMission(resolveMission(job, config), { config, logger: ctx.logger, workDir: path.join(workDir, job.mission_id), s3: null, signal: ctx.signal }),
    upload: (id, attemptKey, outcome) => uploadProducts(s3.client, s3.bucket, attemptPrefix(id, attemptKey), outcome.products),
    complete: (id, token, stored, outcome) =>
      completeMission(db.pool, id, token, stored, { warnings: outcome.warnings, timingsMs: outcome.timingsMs, particleSteps: outcome.particleSteps }),
    discard: async () => undefined,
    publish: async () => undefined,
    fail: (id, record) => failMission(db.pool, id, record),
    reject: (record) => insertRejectedJob(db.pool, record),
    cancelled: async () => true,
    noteRetry: async () => undefined,
    ack: () => queue.ack(WORKER, LEASE_TOKEN, raw),
    deadLetter: (letter) => queue.deadLetter(WORKER, LEASE_TOKEN, raw, letter),
  };
  return handleJob(ports, {
    raw,
    workerId: WORKER,
    maxAttempts: 2,
    retryBaseMs: 10,
    retryMaxMs: 50,
    storageRetryMs: 1000,
    progressIntervalMs: 1000,
    limits: { maxParticles: 2_000_000, maxDurationHours: 720, maxMissionMb: 4096 },
    logger: process.env.FUZZ_LOG ? (await import('../../src/logger.js')).createLogger('error', 'fuzz', 2) : silentLogger,
    signal: new AbortController().signal,
  });
}

async function lastDeadLetter(): Promise<DeadLetter> {
  const raw = await tq.redis.lindex(queue.keys.dead, -1);
  expect(raw).not.toBeNull();
  return JSON.parse(raw!) as DeadLetter;
}

interface Expect {
  /** The mission the failure is recorded on; null: a rejected_jobs row. */
  id: string | null;
  code: string;
  /** The field the error names (DriftlineError.field, and the message). */
  field: string | RegExp;
}

/** Every hostile job: failed, field named, a row, a dead letter, nothing left in processing. */
async function expectRefused(raw: string, want: Expect): Promise<void> {
  const before = want.id === null ? (await listRejectedJobs(db.pool, 1))[0]?.id : undefined;
  const r = await handleRaw(raw);
  expect(r).toMatchObject({ result: 'failed', missionId: want.id, code: want.code });
  const letter = await lastDeadLetter();
  expect(letter.mission_id).toBe(want.id);
  expect(letter.error.code).toBe(want.code);
  if (typeof want.field === 'string') expect(letter.error.field).toBe(want.field);
  else expect(letter.error.field).toMatch(want.field);
  // The message names the field, and stays short however many issues there are.
  expect(letter.error.message).toContain(letter.error.field!.slice(0, 40));
  expect(letter.error.message.length).toBeLessThan(3000);
  expect(letter.raw.length).toBeLessThanOrEqual(Math.max(raw.length, 16 * 1024 + 100));
  if (want.id !== null) {
    const row = await getMission(db.pool, want.id);
    expect(row).toMatchObject({ status: 'failed', error_code: want.code });
    expect(row!.error).toContain(`${want.code}: ${letter.error.message}`.slice(0, 200));
    expect(row!.raw_job).not.toBeNull();
    expect(row!.raw_job!.length).toBeLessThanOrEqual(16 * 1024 + 100);
    expect(row!.raw_job!.includes('\u0000')).toBe(false);
  } else {
    const [row] = await listRejectedJobs(db.pool, 1);
    expect(row).toBeDefined();
    expect(row!.id).not.toBe(before);
    expect(row).toMatchObject({ worker_id: WORKER, error_code: want.code, raw_bytes: Buffer.byteLength(raw, 'utf8') });
    expect(row!.error).toBe(`${want.code}: ${letter.error.message}`.replaceAll('\u0000', '\ufffd'));
    expect(row!.raw_job.length).toBeLessThanOrEqual(16 * 1024 + 100);
  }
  expect(await tq.redis.llen(queue.keys.processing(WORKER))).toBe(0);
}

async function expectGoodJobCompletes(id: string): Promise<void> {
  const r = await handleRaw(JSON.stringify({ mission_id: id, params: GOOD_PARAMS }));
  expect(r).toMatchObject({ result: 'completed', missionId: id });
  expect(await getMission(db.pool, id)).toMatchObject({ status: 'completed', progress: 1 });
}

const job = (id: unknown, params: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ mission_id: id, params, ...extra });
const p = (over: Record<string, unknown>) => ({ ...GOOD_PARAMS, ...over });
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** Named corpus: [name, raw job text, expected]. */
const CORPUS: Array<[string, string, Expect]> = [
  ['invalid JSON', '{nope', { id: null, code: 'E_JOB_JSON', field: '(job)' }],
  ['invalid JSON after a usable id', '{"mission_id": "fz-json", "params": {', { id: 'fz-json', code: 'E_JOB_JSON', field: '(job)' }],
  ['top-level array', '[1,2]', { id: null, code: 'E_JOB_INVALID', field: '(job)' }],
  ['top-level number', '42', { id: null, code: 'E_JOB_INVALID', field: '(job)' }],
  ['top-level null', 'null', { id: null, code: 'E_JOB_INVALID', field: '(job)' }],
  ['missing mission_id', JSON.stringify({ params: GOOD_PARAMS }), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['numeric mission_id', job(42, GOOD_PARAMS), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['path traversal id', job('../x', GOOD_PARAMS), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['10 kB id', job('a'.repeat(10_000), GOOD_PARAMS), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['unicode id', job('søk-☃-1', GOOD_PARAMS), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['NUL in the id', job('fz\u0000id', GOOD_PARAMS), { id: null, code: 'E_JOB_INVALID', field: 'mission_id' }],
  ['NUL in params', job('fz-nul', p({ object_type: 'PIW\u0000-1', rng: 'x\u0000' })), { id: 'fz-nul', code: 'E_JOB_INVALID', field: 'params.object_type' }],
  ['NUL in a params key', job('fz-nul-key', { ...GOOD_PARAMS, 'a\u0000b': 1 }), { id: 'fz-nul-key', code: 'E_JOB_INVALID', field: 'params.a\\u0000b' }],
  ['lone surrogate in params', job('fz-surrogate', p({ object_type: '\ud800' })), { id: 'fz-surrogate', code: 'E_OBJECT_TYPE', field: 'params.object_type' }],
  ['10 000-deep nesting', `{"mission_id":"fz-deep","params":{"forcing":${deep(10_000)}}}`, { id: 'fz-deep', code: 'E_JOB_INVALID', field: /^params\.forcing(\[0\])+$/ }],
  ['10 000-deep nesting, no id', deep(10_000), { id: null, code: 'E_JOB_INVALID', field: /^(\[0\])+$/ }],
  ['10^6 search-area percents', job('fz-percents', p({ products: { search_area_percents: Array(1_000_000).fill(50) } })), { id: 'fz-percents', code: 'E_JOB_INVALID', field: '(job)' }],
  ['5 000 search-area percents', job('fz-percents-5k', p({ products: { search_area_percents: Array(5_000).fill(5) } })), { id: 'fz-percents-5k', code: 'E_JOB_INVALID', field: 'params.products.search_area_percents' }],
  ['8 MB extra keys', job('fz-extra', GOOD_PARAMS, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'x'.repeat(1 << 20)]))), { id: 'fz-extra', code: 'E_JOB_INVALID', field: '(job)' }],
  ['a 100 kB extra key', job('fz-extra-100k', GOOD_PARAMS, { blob: 'x'.repeat(100_000) }), { id: 'fz-extra-100k', code: 'E_JOB_INVALID', field: 'blob' }],
  ['20 000 URIs', job('fz-uris', p({ forcing: { wind: { uri: Array.from({ length: 20_000 }, (_, i) => `s3://b/w${i}.nc`) } } })), { id: 'fz-uris', code: 'E_JOB_INVALID', field: '(job)' }],
  ['2 000 URIs', job('fz-uris-2k', p({ forcing: { wind: { uri: Array.from({ length: 2_000 }, (_, i) => `s3://b/w${i}.nc`) } } })), { id: 'fz-uris-2k', code: 'E_JOB_INVALID', field: 'params.forcing.wind.uri' }],
  ['MAX_PARTICLES × 720 h', job('fz-huge', p({ num_particles: 2_000_000, duration_hours: 720 })), { id: 'fz-huge', code: 'E_MISSION_TOO_LARGE', field: 'params.num_particles' }],
  ['1 particle, 300 h at 1 s steps and output', job('fz-1s', p({ num_particles: 1, duration_hours: 300, time_step_seconds: 1, output_step_seconds: 1 })), { id: 'fz-1s', code: 'E_MISSION_TOO_LARGE', field: 'params.output_step_seconds' }],
  ['NaN and Infinity as strings', job('fz-nan', p({ latitude: 'NaN', longitude: 'Infinity', duration_hours: '1e309' })), { id: 'fz-nan', code: 'E_JOB_INVALID', field: 'params.latitude' }],
  ['numbers beyond float range', '{"mission_id":"fz-1e999","params":{"latitude":1e999,"longitude":-1e999,"start_time":"2024-01-01T12:00:00Z"}}', { id: 'fz-1e999', code: 'E_JOB_INVALID', field: 'params.latitude' }],
  ['__proto__ in params', '{"mission_id":"fz-proto","params":{"latitude":59,"longitude":4,"start_time":"2024-01-01T12:00:00Z","__proto__":{"polluted":1}}}', { id: 'fz-proto', code: 'E_JOB_INVALID', field: 'params.__proto__' }],
  ['constructor at the root', '{"mission_id":"fz-ctor","params":{"latitude":59,"longitude":4,"start_time":"2024-01-01T12:00:00Z"},"constructor":{"prototype":{"x":1}}}', { id: 'fz-ctor', code: 'E_JOB_INVALID', field: 'constructor' }],
  ['params is a string', job('fz-params-string', 'latitude=59'), { id: 'fz-params-string', code: 'E_JOB_INVALID', field: 'params' }],
  // Weighted scenarios (issue 8): each bad entry named by its index.
  ['a zero scenario weight', job('fz-scen-weight', p({ scenarios: [{ weight: 0.7 }, { weight: 0 }] })), { id: 'fz-scen-weight', code: 'E_JOB_INVALID', field: 'params.scenarios[1].weight' }],
  ['weights that overflow their sum', job('fz-scen-sum', p({ scenarios: [{ weight: 1e308 }, { weight: 1e308 }] })), { id: 'fz-scen-sum', code: 'E_JOB_INVALID', field: 'params.scenarios' }],
  ['more scenarios than particles', job('fz-scen-many', p({ num_particles: 3, scenarios: Array.from({ length: 4 }, () => ({ weight: 1 })) })), { id: 'fz-scen-many', code: 'E_JOB_INVALID', field: 'params.scenarios' }],
  ['1 000 scenarios', job('fz-scen-1k', p({ scenarios: Array.from({ length: 1000 }, () => ({ weight: 1 })) })), { id: 'fz-scen-1k', code: 'E_JOB_INVALID', field: 'params.scenarios' }],
  ['an unknown scenario object type', job('fz-scen-type', p({ scenarios: [{ weight: 1, object_type: 'RAFT-9' }] })), { id: 'fz-scen-type', code: 'E_OBJECT_TYPE', field: 'params.scenarios[0].object_type' }],
  ['a scenario release before the run', job('fz-scen-time', p({ scenarios: [{ weight: 1, start_time: '2020-01-01T00:00:00Z' }] })), { id: 'fz-scen-time', code: 'E_JOB_INVALID', field: 'params.scenarios[0].start_time' }],
];

/** A wrong type for every field of params: each one named, the list capped. */
const WRONG_TYPES: Record<string, unknown> = {
  latitude: 'north',
  longitude: [4],
  start_time: 1704110400,
  duration_hours: '24',
  num_particles: 1.5,
  object_type: { key: 'PIW-1' },
  seed: -1,
  rng: 7,
  time_step_seconds: 'fast',
  output_step_seconds: null,
  radius_m: true,
  radius_type: 1,
  end_latitude: 'x',
  end_longitude: 'x',
  end_time: 5,
  end_radius_m: 'x',
  jibe_probability_per_hour: 'x',
  capsizing: 'yes',
  coastline_action: false,
  forcing: 'gfs',
  products: [],
};

describe('hostile jobs (fuzz corpus)', () => {
  it('a good job completes before the corpus', async () => {
    await expectGoodJobCompletes('fz-good-0');
  }, 180_000);

  for (const [name, raw, want] of CORPUS) {
    it(`refuses: ${name}`, async () => {
      await expectRefused(raw, want);
    }, 60_000);
  }

  it('names every field of a job with a wrong type for each, showing 10 and counting the rest', async () => {
    await expectRefused(job('fz-types', WRONG_TYPES), { id: 'fz-types', code: 'E_JOB_INVALID', field: 'params.latitude' });
    const letter = await lastDeadLetter();
    expect(letter.error.message.match(/params\.\w+: /g)).toHaveLength(10);
    expect(letter.error.message).toMatch(/ \(and \d+ more\)$/);
  });

  it('stores the params of a job with a NUL as jsonb, sanitised', async () => {
    const row = await getMission(db.pool, 'fz-nul');
    expect(row!.params).toMatchObject({ object_type: 'PIW\ufffd-1', rng: 'x\ufffd' });
    expect(row!.raw_job).toContain('PIW\\u0000-1');
  });

  it('keeps a truncated copy, with a marker, of an 8 MB job', async () => {
    const row = await getMission(db.pool, 'fz-extra');
    expect(row!.raw_job).toMatch(/…\[truncated: kept 16384 of \d+ characters\]$/);
    expect(row!.error).toMatch(/^E_JOB_INVALID: \(job\): job is \d+ bytes; at most 262144 \(MAX_JOB_BYTES\)/);
  });

  it('generated cases from a fixed seed: garbage text and garbage params', async () => {
    // mulberry32, seed 20261204: the same cases on every run.
    let seed = 20261204;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => at(xs, Math.floor(rnd() * xs.length));
    const chars = ['a', '{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', '\ud800', 'é', '1', '-', 'e', ' '];
    const leaf = (): unknown => pick<() => unknown>([() => rnd() * 1e6 - 5e5, () => pick(['NaN', '', '\u0000', 'x'.repeat(5000), '2024-13-45']), () => null, () => rnd() < 0.5, () => []])();
    const value = (depth: number): unknown => {
      if (depth > 3 || rnd() < 0.4) return leaf();
      if (rnd() < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, () => [pick(['latitude', 'num_particles', 'forcing', 'products', '__proto__', 'x', 'uri']), value(depth + 1)]));
    };
    for (let i = 0; i < 12; i++) {
      const text = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => pick(chars)).join('');
      let code = 'E_JOB_INVALID';
      try {
        JSON.parse(text);
      } catch {
        code = 'E_JOB_JSON';
      }
      await expectRefused(text, { id: null, code, field: /./ });
    }
    for (let i = 0; i < 12; i++) {
      const id = `fz-rand-${i}`;
      const params = value(0);
      await expectRefused(job(id, params), { id, code: 'E_JOB_INVALID', field: /^params/ });
    }
  }, 120_000);

  it('`driftline queue rejected` shows the rejected jobs, newest first', async () => {
    assertBuilt();
    const json = await runCli(['queue', 'rejected', '--limit', '3', '--json'], { ...db.env, ...tq.env });
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Array<{ id: string; error_code: string; raw_job: string }>;
    const newest = await listRejectedJobs(db.pool, 3);
    expect(rows.map((r) => r.id)).toEqual(newest.map((r) => r.id));
    const table = await runCli(['queue', 'rejected', '--limit', '2'], { ...db.env, ...tq.env });
    expect(table.stdout).toMatch(/^ID\s+RECEIVED_AT\s+BYTES\s+ERROR\s+JOB/);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
  }, 60_000);

  it('a good job still completes after the whole corpus', async () => {
    await expectGoodJobCompletes('fz-good-1');
  }, 180_000);
});
