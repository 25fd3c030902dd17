/**
 * The `driftline` command line as operators use it: real processes of dist/cli/main.js against the
 * real Redis (random queue name), PostgreSQL (a schema of this file's own) and s3rver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { getMission } from '../../src/db/queries/index.js';
import { JobQueue } from '../../src/queue/queue.js';
import { freshSchema, type TestSchema } from '../helpers/pg.js';
import { runCli } from '../helpers/processes.js';
import { randomQueue, type TestQueue } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

let q: TestQueue;
let queue: JobQueue;
let db: TestSchema;
let s3: TestS3;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [q, db, s3] = await Promise.all([randomQueue('cli'), freshSchema('cli'), startS3({ createBucket: true })]);
  queue = new JobQueue(q.redis, q.name);
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-cli-'));
  env = { ...q.env, ...db.env, ...s3.env };
});

afterAll(async () => {
  await Promise.allSettled([q?.cleanup(), db?.drop(), s3?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], more: Record<string, string> = {}) => runCli(args, { ...env, ...more });

describe('driftline', () => {
  it('prints usage, and exits 2 on an unknown command', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['worker', 'push', 'queue', 'status', 'missions', 'retry', 'migrate', 'doctor', 'run']) expect(help.stdout).toContain(`  ${c}`);
    const bad = await cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('names the bad environment variable and exits non-zero', async () => {
    const r = await cli(['queue', 'check'], { MAX_CONCURRENT_JOBS: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_CONFIG: invalid environment: MAX_CONCURRENT_JOBS: /);
    const lease = await cli(['worker'], { LEASE_SECONDS: '4', HEARTBEAT_SECONDS: '3' });
    expect(lease.code).toBe(2);
    expect(lease.stderr).toMatch(/HEARTBEAT_SECONDS: must be at most half of LEASE_SECONDS \(4\)/);
    const schema = await cli(['migrate'], { DATABASE_SCHEMA: 'Robert"); DROP TABLE' });
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/DATABASE_SCHEMA: /);
  });

  it('migrate is idempotent', async () => {
    const r = await cli(['migrate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`schema ${db.schema} is up to date \\(version \\d+\\)`));
  });
});

describe('push, queue, status, missions', () => {
  it('push builds a valid job from flags, records it as queued, and queue peek shows it', async () => {
    const r = await cli(['push', '--lat', '59.5', '--lon', '4.25', '--start', '2024-03-01T06:00:00Z', '--hours', '6', '--particles', '500', '--object-type', 'PIW-1', '--wind', '8,3', '--mission-id', 'cli-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('cli-1');
    const [raw] = await queue.peek('queue', 1);
    expect(JSON.parse(raw!)).toEqual({
      mission_id: 'cli-1',
      params: { latitude: 59.5, longitude: 4.25, start_time: '2024-03-01T06:00:00Z', duration_hours: 6, num_particles: 500, object_type: 'PIW-1', forcing: { wind: { constant: [8, 3] } } },
    });
    expect(await getMission(db.pool, 'cli-1')).toMatchObject({ status: 'queued', params: { latitude: 59.5, num_particles: 500 } });

    const peek = await cli(['queue', 'peek', '--json']);
    expect(JSON.parse(peek.stdout)).toHaveLength(1);
    const status = await cli(['status', 'cli-1', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 'cli-1', status: 'queued', found: true, results: [] });
  });

  it('push refuses an invalid job naming the field, and --multiple N pushes N distinct missions', async () => {
    const bad = await cli(['push', '--lat', '95']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_JOB_INVALID: params\.latitude: /);
    const many = await cli(['push', '--multiple', '3', '--json']);
    expect(many.code, many.stderr).toBe(0);
    const out = JSON.parse(many.stdout) as { mission_ids: string[]; queue_length: number };
    expect(new Set(out.mission_ids).size).toBe(3);
    expect(out.queue_length).toBe(4);
  });

  it('push --file sends a job file; --raw sends it unvalidated (for testing dead letters)', async () => {
    const file = path.join(dir, 'job.json');
    writeFileSync(file, JSON.stringify({ mission_id: 'from-file', params: { latitude: 60, longitude: 5, start_time: '2024-01-01T00:00:00Z' } }));
    const r = await cli(['push', '--file', file, '--multiple', '2']);
    expect(r.stdout.trim().split('\n')).toEqual(['from-file-1', 'from-file-2']);
    const junk = path.join(dir, 'junk.json');
    writeFileSync(junk, '{"mission_id": "x", ');
    expect((await cli(['push', '--file', junk])).code).toBe(2);
    const raw = await cli(['push', '--file', junk, '--raw']);
    expect(raw.code, raw.stderr).toBe(0);
    expect((await queue.peek('queue', 100)).at(-1)).toBe('{"mission_id": "x", ');
  });

  it('queue check counts, clear asks for --yes, then empties', async () => {
    const check = await cli(['queue', 'check', '--json']);
    expect(JSON.parse(check.stdout)).toMatchObject({ queue: q.name, pending: 7, processing: 0, dead: 0 });
    const human = await cli(['queue', 'check']);
    expect(human.stdout).toMatch(/pending\s+7/);
    const refuse = await cli(['queue', 'clear']);
    expect(refuse.code).toBe(2);
    expect(refuse.stderr).toMatch(/would delete 7 jobs .* --yes/);
    expect(await q.redis.llen(q.name)).toBe(7);
    const clear = await cli(['queue', 'clear', '--yes']);
    expect(clear.code).toBe(0);
    expect(clear.stdout).toMatch(/deleted 7 jobs/);
    expect(await q.redis.llen(q.name)).toBe(0);
  });

  it('queue peek --dead and clear --dead work on the dead letters; retry moves one back', async () => {
    const raw = JSON.stringify({ mission_id: 'dead-1', params: {} });
    const blocking = q.redis.duplicate();
    onTestFinished(() => blocking.disconnect());
    await queue.register('cli-w', 'cli-token', 120_000);
    await queue.push([raw]);
    await queue.claim(blocking, 'cli-w', 0.1);
    await queue.deadLetter('cli-w', 'cli-token', raw, { mission_id: 'dead-1', raw, error: { code: 'E_STORAGE', message: 's3 down' }, attempts: 3, worker_id: 'cli-w', failed_at: new Date().toISOString() });
    const peek = await cli(['queue', 'peek', '--dead']);
    expect(peek.stdout).toMatch(/dead-1\s+\S+\s+3\s+E_STORAGE: s3 down/);
    const missing = await cli(['retry', 'nope']);
    expect(missing.code).toBe(1);
    const retry = await cli(['retry', 'dead-1']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(await q.redis.lrange(q.name, 0, -1)).toEqual([raw]);
    await queue.clear('queue');
    await queue.push([raw]);
    await queue.claim(blocking, 'cli-w', 0.1);
    await queue.deadLetter('cli-w', 'cli-token', raw, { mission_id: 'dead-1', raw, error: { code: 'E_STORAGE', message: 'x' }, attempts: 3, worker_id: 'cli-w', failed_at: '' });
    expect((await cli(['queue', 'clear', '--dead', '--yes'])).stdout).toMatch(/deleted 1 dead letters/);
    await queue.unregister('cli-w'); // no stale lease left for doctor to warn about
  });

  it('status of an unknown mission exits 1; missions filters by status and limits', async () => {
    const r = await cli(['status', 'no-such-mission']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not found/);
    const list = await cli(['missions', '--status', 'queued', '--limit', '2', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ status: string }>;
    expect(rows).toHaveLength(2);
    expect(rows.every((m) => m.status === 'queued')).toBe(true);
    const badStatus = await cli(['missions', '--status', 'done']);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/--status: expected one of queued, processing, completed, failed/);
  });
});

describe('doctor', () => {
  it('reports every service OK when they are up', async () => {
    const r = await cli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const name of ['config', 'redis', 'postgresql', 's3']) expect(r.stdout).toMatch(new RegExp(`^OK\\s+${name}\\s`, 'm'));
  });

  it('says which service is down and exits 1', async () => {
    const r = await cli(['doctor', '--json'], { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_SCHEMA: 'never_migrated' });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; level: string; detail: string }> };
    expect(report.ok).toBe(false);
    const by = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(by.redis).toMatchObject({ level: 'fail', detail: expect.stringMatching(/^Redis at redis:\/\/127\.0\.0\.1:1 is not reachable: .*is Redis running and REDIS_URL right\?/) });
    expect(by.postgresql).toMatchObject({ level: 'fail', detail: expect.stringMatching(/schema never_migrated is at migration 0 of \d+: run driftline migrate/) });
    expect(by.s3!.level).toBe('ok');
  });
});

describe('scripts/push-job', () => {
  const script = (args: string[]) =>
    spawnSync(process.execPath, ['scripts/push-job', ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 30_000 });

  it('keeps the old flags: no flag pushes one, --multiple 5, --check, --clear', async () => {
    await queue.clear('queue');
    expect(script([]).status).toBe(0);
    expect(await q.redis.llen(q.name)).toBe(1);
    expect(script(['--multiple', '5']).status).toBe(0);
    expect(await q.redis.llen(q.name)).toBe(6);
    const check = script(['--check']);
    expect(check.stdout).toMatch(/pending\s+6/);
    const clear = script(['--clear']);
    expect(clear.status).toBe(0);
    expect(await q.redis.llen(q.name)).toBe(0);
  });
});
