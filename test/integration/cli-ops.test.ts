/**
 * The operational defects of issue 11 as a new user meets them, on real processes of dist/cli/main.js
 * against the real Redis (random queue name), PostgreSQL (a schema of this file's own), s3rver and
 * private redis-servers: clear messages when a service or a credential is missing, URL schemes
 * checked at start, a worker that refuses to start without S3 credentials, a reader that closes the
 * pipe early, snake_case `queue check --json`, Redis persistence in `doctor`, and the `land` stage of
 * the progress bar.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JobQueue } from '../../src/queue/queue.js';
import { freshSchema, type TestSchema } from '../helpers/pg.js';
import { startPrivatePostgres } from '../helpers/pg-server.js';
import { freePort } from '../helpers/ports.js';
import { CLI, runCli } from '../helpers/processes.js';
import { startPrivateRedis } from '../helpers/redis-server.js';
import { randomQueue, type TestQueue } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

let q: TestQueue;
let db: TestSchema;
let s3: TestS3;
let dir: string;
let env: Record<string, string>;
/** S3 pointing at s3rver but without any credentials: no keys, and a HOME with no ~/.aws. */
let noCredentials: Record<string, string>;

beforeAll(async () => {
  [q, db, s3] = await Promise.all([randomQueue('ops'), freshSchema('ops'), startS3({ createBucket: true })]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-ops-'));
  env = { ...q.env, ...db.env, ...s3.env, HOME: dir };
  const { S3_ACCESS_KEY: _k, S3_SECRET_KEY: _s, ...rest } = env;
  noCredentials = rest;
});

afterAll(async () => {
  await Promise.allSettled([q?.cleanup(), db?.drop(), s3?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], more: Record<string, string> = {}) => runCli(args, { ...env, ...more });

interface DoctorReport {
  ok: boolean;
  checks: Array<{ name: string; level: string; detail: string }>;
}
async function doctor(e: Record<string, string>): Promise<{ code: number | null; by: Record<string, { level: string; detail: string }> }> {
  const r = await runCli(['doctor', '--json'], e);
  const report = JSON.parse(r.stdout) as DoctorReport;
  return { code: r.code, by: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
}

describe('error messages an operator can act on', () => {
  it('doctor says the S3 credentials are missing and which variables to set, not that the endpoint is wrong', async () => {
    const { code, by } = await doctor(noCredentials);
    expect(code).toBe(1);
    expect(by.s3?.level).toBe('fail');
    expect(by.s3?.detail).toMatch(/no S3 credentials: S3_ACCESS_KEY and S3_SECRET_KEY are not set/);
    expect(by.s3?.detail).not.toMatch(/S3_ENDPOINT/);
  });

  it('doctor says Redis and PostgreSQL are not reachable in plain words, with the password masked', async () => {
    const [redisPort, pgPort] = [await freePort(), await freePort()];
    const { code, by } = await doctor({
      ...env,
      REDIS_URL: `redis://:hunter2@127.0.0.1:${redisPort}`,
      DATABASE_URL: `postgresql://postgres:hunter2@127.0.0.1:${pgPort}/test`,
    });
    expect(code).toBe(1);
    expect(by.redis?.detail).toBe(`Redis at redis://:***@127.0.0.1:${redisPort} is not reachable: connection refused (nothing listens there); is Redis running and REDIS_URL right?`);
    expect(by.postgresql?.detail).toMatch(new RegExp(`^PostgreSQL at postgresql://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${pgPort}/test is not reachable: connection refused`));
    expect(JSON.stringify(by)).not.toContain('hunter2');
    expect(JSON.stringify(by)).not.toMatch(/maxRetriesPerRequest|ECONNREFUSED/);
  });

  it('commands that need Redis say the same', async () => {
    const port = await freePort();
    const r = await cli(['queue', 'check'], { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`driftline queue: E_QUEUE: Redis at redis://127.0.0.1:${port} is not reachable: connection refused (nothing listens there)\n`);
  });

  it('a REDIS_URL or DATABASE_URL with the wrong scheme is refused at start, naming the variable, without echoing the value', async () => {
    const redis = await cli(['queue', 'check'], { REDIS_URL: 'http://user:hunter2@127.0.0.1:6379' });
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/E_CONFIG: invalid environment: REDIS_URL: expected redis:\/\/.*rediss:\/\/.*unix socket path/);
    const pg = await cli(['missions'], { DATABASE_URL: 'mysql://root:hunter2@127.0.0.1/test' });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toMatch(/E_CONFIG: invalid environment: DATABASE_URL: expected postgresql:\/\//);
    expect(redis.stderr + pg.stderr).not.toContain('hunter2');
    // A unix socket path and rediss:// are valid REDIS_URLs: the failure is then about reaching it.
    const socket = await cli(['queue', 'check'], { REDIS_URL: path.join(dir, 'no-redis.sock') });
    expect(socket.stderr).toMatch(/E_QUEUE: Redis at .*no-redis\.sock is not reachable: no socket at that path/);
  });
});

describe('a worker without S3 credentials', () => {
  it('refuses to start with exit code 2, naming S3_ACCESS_KEY and S3_SECRET_KEY', async () => {
    const r = await runCli(['worker'], { ...noCredentials, METRICS_PORT: '0', MIGRATE_ON_START: 'false' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/driftline worker: E_CONFIG: no S3 credentials: S3_ACCESS_KEY and S3_SECRET_KEY are not set/);
    const half = await runCli(['worker'], { ...noCredentials, S3_ACCESS_KEY: 'S3RVER', METRICS_PORT: '0', MIGRATE_ON_START: 'false' });
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/E_CONFIG: S3_SECRET_KEY is not set while S3_ACCESS_KEY is: set both/);
  });
});

/** Runs the CLI with its stdout (or stderr) read end closed before it writes: the next write is EPIPE. */
function withClosedPipe(args: string[], which: 'stdout' | 'stderr'): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child[which].destroy();
    let other = '';
    child[which === 'stdout' ? 'stderr' : 'stdout'].on('data', (d: Buffer) => (other += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, other }));
  });
}

describe('a reader that stops reading (driftline status <id> | head -1)', () => {
  it('exits quietly when stdout is closed: no stack trace, the command\'s own exit code', async () => {
    expect((await cli(['push', '--mission-id', 'pipe-1'])).code).toBe(0);
    const status = await withClosedPipe(['status', 'pipe-1'], 'stdout');
    expect(status).toEqual({ code: 0, other: '' });
    const missing = await withClosedPipe(['status', 'no-such-mission', '--json'], 'stdout');
    expect(missing.code).toBe(1);
    expect(missing.other).not.toMatch(/EPIPE|Unhandled 'error' event/);
  });

  it('exits quietly when stderr is closed', async () => {
    const r = await withClosedPipe(['frobnicate'], 'stderr');
    expect(r.code).toBe(2);
  });
});

describe('queue check --json', () => {
  it('is snake_case like every other JSON output', async () => {
    const queue = new JobQueue(q.redis, q.name);
    const blocking = q.redis.duplicate();
    onTestFinished(() => blocking.disconnect());
    await queue.push([JSON.stringify({ mission_id: 'held', params: {} })]);
    await queue.register('ops-w', 'ops-token', 30_000);
    onTestFinished(() => queue.unregister('ops-w'));
    await queue.claim(blocking, 'ops-w', 0.1);
    const r = await cli(['queue', 'check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ queue: q.name, processing: 1, workers: [{ worker_id: 'ops-w', length: 1, lease_alive: true }] });
    expect(r.stdout).not.toMatch(/workerId|leaseAlive/);
  });
});

describe('doctor and Redis persistence', () => {
  it('warns when Redis has no persistence, and says what AOF and RDB would lose', async () => {
    const redis = await startPrivateRedis('none');
    onTestFinished(() => redis.close());
    const none = await doctor({ ...env, REDIS_URL: redis.url });
    expect(none.code, JSON.stringify(none.by)).toBe(0); // a warning, not a failure
    expect(none.by.persistence).toMatchObject({ level: 'warn', detail: expect.stringMatching(/^Redis has no persistence .*a Redis restart loses every queued job.*reconciliation sweep re-enqueues/) });

    const admin = new (await import('ioredis')).Redis(redis.url);
    onTestFinished(() => admin.disconnect());
    await admin.config('SET', 'save', '3600 1');
    const rdb = await doctor({ ...env, REDIS_URL: redis.url });
    expect(rdb.by.persistence).toMatchObject({ level: 'ok', detail: expect.stringMatching(/^RDB snapshots only \(save "3600 1"\)/) });

    await admin.config('SET', 'appendonly', 'yes');
    await admin.config('SET', 'appendfsync', 'everysec');
    const aof = await doctor({ ...env, REDIS_URL: redis.url });
    expect(aof.by.persistence).toMatchObject({ level: 'ok', detail: 'AOF, appendfsync everysec: a Redis restart loses up to about 1 s of queue changes' });
  });

  it('says it could not check when CONFIG is disabled', async () => {
    const redis = await startPrivateRedis('none', ['--rename-command', 'CONFIG', '']);
    onTestFinished(() => redis.close());
    const { by } = await doctor({ ...env, REDIS_URL: redis.url });
    expect(by.redis?.level).toBe('ok');
    expect(by.persistence).toMatchObject({ level: 'warn', detail: expect.stringMatching(/^could not check Redis persistence \(CONFIG GET refused: ERR unknown command/) });
  });
});

describe('migrate --wait (the compose migrate service starts with PostgreSQL)', () => {
  it('retries until PostgreSQL comes up, then migrates', async () => {
    const pg = await startPrivatePostgres();
    onTestFinished(() => pg.close());
    await pg.stop();
    const child = spawn(process.execPath, [CLI, 'migrate', '--wait', '60'], {
      env: { PATH: process.env.PATH, HOME: dir, DATABASE_URL: pg.url, DATABASE_SCHEMA: 'waited' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Start the server once migrate has said it is waiting for it.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('is not reachable yet')) resolve();
      }),
    );
    expect(stderr).toMatch(new RegExp(`^PostgreSQL at postgresql://postgres@127\\.0\\.0\\.1:${pg.port}/postgres is not reachable yet \\(.*ECONNREFUSED.*\\); retrying in`));
    await pg.start();
    expect(await exited, stderr).toBe(0);
    expect(stdout).toMatch(/schema waited now at version \d+/);
  });

  it('gives up after the wait, saying for how long', async () => {
    const port = await freePort();
    const r = await runCli(['migrate', '--wait', '2'], { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/test` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`E_DATABASE: PostgreSQL at postgresql://postgres@127\\.0\\.0\\.1:${port}/test still not reachable after 2 s`));
  });
});

describe('driftline run progress bar', () => {
  it('names the land stage between forcing and simulation (on a terminal, through script(1))', { timeout: 120_000 }, async () => {
    const jobFile = path.join(dir, 'small.json');
    writeFileSync(
      jobFile,
      JSON.stringify({
        mission_id: 'bar-stages',
        params: {
          latitude: 59.3, longitude: 4.6, start_time: '2024-01-01T00:00:00Z', duration_hours: 2, num_particles: 100,
          forcing: { wind: { constant: [5, 0] }, current: { constant: [0, 0] } }, products: { animation: false },
        },
      }),
    );
    const command = `${process.execPath} ${CLI} run ${jobFile} --out ${path.join(dir, 'bar-out')} --threads 1`;
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: dir, TERM: 'xterm' }, encoding: 'utf8', timeout: 110_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The bar redraws in place with \r; each frame shows `| <stage> |`.
    const stages = [...r.stdout.matchAll(/\| ([a-z]+) \|/g)].map((m) => m[1]).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['forcing', 'land', 'simulation', 'products', 'done']);
  });
});
