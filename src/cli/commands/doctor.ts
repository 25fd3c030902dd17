/**
 * `driftline doctor`: checks configuration, Redis, PostgreSQL, S3 and ffmpeg, and says what is wrong
 * in words an operator can act on. Exit 1 when anything the worker needs is broken.
 */
import { spawnSync } from 'node:child_process';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../config.js';
import { currentVersion, readMigrations } from '../../db/migrate.js';
import { createPool } from '../../db/pool.js';
import { createRedis } from '../../queue/connection.js';
import { JobQueue } from '../../queue/queue.js';
import { DriftlineError } from '../../errors.js';
import { checkS3Credentials, type CredentialCheck } from '../../storage/credentials.js';
import { createS3Client } from '../../storage/s3.js';
import { parse } from '../args.js';
import { locateFfmpeg } from '../../products/animation/ffmpeg.js';
import { EXIT } from '../errors.js';
import { out, printJson } from '../output.js';
import { describeServiceFailure, where } from '../reachability.js';

const USAGE = `usage: driftline doctor [--json]`;

type Level = 'ok' | 'warn' | 'fail';
interface Check {
  name: string;
  level: Level;
  detail: string;
}

/** Each service gets this long to answer: long enough for a loaded machine, short enough to wait for. */
const CHECK_TIMEOUT_MS = 4000;

function timeout<T>(p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)))]).finally(() =>
    clearTimeout(t),
  );
}

const msg = (e: unknown) => {
  const err = e as { message?: string; code?: string; name?: string; errors?: Array<{ message: string }> };
  // AggregateError (both ::1 and 127.0.0.1 refused) has an empty message of its own.
  return err?.message || err?.errors?.[0]?.message || err?.code || err?.name || String(e);
};

async function checkRedis(c: Config): Promise<Check[]> {
  const redis = createRedis(c, 'cli');
  // The socket's own error (ECONNREFUSED, ENOTFOUND) says more than the command's "max retries" rejection.
  let connectionError: unknown = null;
  redis.on('error', (e: Error) => (connectionError = e));
  try {
    const info = await timeout(redis.info('server'), 'redis');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < 6 || (major === 6 && minor < 2)) {
      return [{ name: 'redis', level: 'fail', detail: `${where(c.REDIS_URL)} is Redis ${version}; driftline needs 6.2 or later (BLMOVE)` }];
    }
    const l = await timeout(new JobQueue(redis, c.QUEUE_NAME).lengths(), 'redis');
    const processing = l.processing.reduce((n, p) => n + p.length, 0);
    const expired = l.processing.filter((p) => !p.leaseAlive).length;
    return [
      {
        name: 'redis',
        level: expired > 0 ? 'warn' : 'ok',
        detail:
          `${where(c.REDIS_URL)} (Redis ${version}); ${c.QUEUE_NAME}: ${l.queue} pending, ${processing} processing, ${l.dead} dead` +
          (expired > 0 ? `; ${expired} worker lease(s) expired: a running worker's reaper returns their jobs` : ''),
      },
      await checkRedisPersistence(redis),
    ];
  } catch (e) {
    return [{ name: 'redis', level: 'fail', detail: `${describeServiceFailure('Redis', c.REDIS_URL, connectionError ?? e)}; is Redis running and REDIS_URL right?` }];
  } finally {
    redis.disconnect();
  }
}

/** What a Redis restart would lose (README, "Redis persistence"); CONFIG may be renamed away or denied by an ACL. */
async function checkRedisPersistence(redis: Redis): Promise<Check> {
  const name = 'persistence';
  const get = async (key: string) => ((await timeout(redis.config('GET', key), 'redis')) as string[])[1] ?? '';
  let appendonly: string, appendfsync: string, save: string;
  try {
    [appendonly, appendfsync, save] = [await get('appendonly'), await get('appendfsync'), await get('save')];
  } catch (e) {
    return { name, level: 'warn', detail: `could not check Redis persistence (CONFIG GET refused: ${msg(e)}); without AOF or RDB a Redis restart loses the queued jobs` };
  }
  if (appendonly === 'yes') {
    const loses = appendfsync === 'always' ? 'no acknowledged job' : appendfsync === 'everysec' ? 'up to about 1 s of queue changes' : 'what the OS had not yet written (appendfsync no: up to ~30 s)';
    return { name, level: 'ok', detail: `AOF, appendfsync ${appendfsync}: a Redis restart loses ${loses}` };
  }
  if (save.trim() !== '') {
    return { name, level: 'ok', detail: `RDB snapshots only (save "${save}"): a Redis restart loses the queue changes since the last snapshot; AOF (appendonly yes) loses at most ~1 s` };
  }
  return {
    name,
    level: 'warn',
    detail:
      'Redis has no persistence (appendonly no, save ""): a Redis restart loses every queued job and processing list; ' +
      'their missions stay in PostgreSQL and the reconciliation sweep re-enqueues them. Set appendonly yes (README, Redis persistence)',
  };
}

async function checkPostgres(c: Config): Promise<Check> {
  const pool = createPool(c, { applicationName: 'driftline-doctor', max: 1, connectTimeoutMs: CHECK_TIMEOUT_MS });
  try {
    const r = await timeout(pool.query<{ v: string }>('SELECT current_setting($1) AS v', ['server_version']), 'postgresql');
    const have = await timeout(currentVersion(pool), 'postgresql');
    const want = readMigrations().at(-1)?.version ?? 0;
    const at = `${where(c.DATABASE_URL)} (PostgreSQL ${r.rows[0]?.v}), schema ${c.DATABASE_SCHEMA}`;
    if (have < want) {
      return { name: 'postgresql', level: 'fail', detail: `${at} is at migration ${have} of ${want}: run driftline migrate (or start a worker with MIGRATE_ON_START=true)` };
    }
    return { name: 'postgresql', level: 'ok', detail: `${at} at migration ${have}` };
  } catch (e) {
    return { name: 'postgresql', level: 'fail', detail: `${describeServiceFailure('PostgreSQL', c.DATABASE_URL, e)}; is PostgreSQL running and DATABASE_URL right?` };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function checkS3(c: Config): Promise<Check> {
  const s3 = createS3Client(c);
  const at = `s3://${c.S3_BUCKET} at ${c.S3_ENDPOINT ?? `AWS ${c.S3_REGION}`}`;
  try {
    // Missing credentials are not the endpoint's fault: say so before asking the endpoint anything.
    const creds = await timeout(checkS3Credentials(s3, c), 'looking up S3 credentials (the AWS SDK chain)').catch(
      (e: Error): CredentialCheck => ({ ok: false, error: new DriftlineError('E_CONFIG', e.message) }),
    );
    if (!creds.ok) return { name: 's3', level: 'fail', detail: `${at}: ${creds.error.message}` };
    await timeout(s3.send(new HeadBucketCommand({ Bucket: c.S3_BUCKET })), 's3');
    return { name: 's3', level: 'ok', detail: `${at}, credentials from ${creds.source}` };
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return { name: 's3', level: 'warn', detail: `${at}: bucket does not exist yet (a worker creates it)` };
    if (status === 403) return { name: 's3', level: 'fail', detail: `${at}: access denied; check S3_ACCESS_KEY / S3_SECRET_KEY` };
    const endpoint = c.S3_ENDPOINT ?? `https://s3.${c.S3_REGION}.amazonaws.com`;
    return { name: 's3', level: 'fail', detail: `${describeServiceFailure('S3', endpoint, e)} (bucket ${c.S3_BUCKET}); is the S3 endpoint up and S3_ENDPOINT right?` };
  } finally {
    s3.destroy();
  }
}

function checkFfmpeg(c: Config): Check {
  const choice = locateFfmpeg(c);
  if (choice.path === null) return { name: 'ffmpeg', level: 'warn', detail: `${choice.warning}; missions complete without the MP4 animation` };
  const bin = choice.path;
  const r = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: CHECK_TIMEOUT_MS });
  if (r.status === 0) return { name: 'ffmpeg', level: 'ok', detail: `${bin} (${choice.source}): ${r.stdout.split('\n')[0]}` };
  return { name: 'ffmpeg', level: 'warn', detail: `${bin} not runnable (${r.error?.message ?? r.stderr.trim()}): missions complete without the MP4 animation; install ffmpeg or set FFMPEG_PATH` };
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (v.help) {
    out(USAGE);
    return EXIT.OK;
  }
  const checks: Check[] = [];
  let config: Config | null = null;
  try {
    config = loadConfig();
    checks.push({ name: 'config', level: 'ok', detail: `queue ${config.QUEUE_NAME}, bucket ${config.S3_BUCKET}, schema ${config.DATABASE_SCHEMA}` });
  } catch (e) {
    checks.push({ name: 'config', level: 'fail', detail: msg(e) });
  }
  if (config) {
    const [redis, postgres, s3] = await Promise.all([checkRedis(config), checkPostgres(config), checkS3(config)]);
    checks.push(...redis, postgres, s3, checkFfmpeg(config));
  }
  const failed = checks.some((c) => c.level === 'fail');
  if (v.json) printJson({ ok: !failed, checks });
  else for (const c of checks) out(`${c.level.toUpperCase().padEnd(5)} ${c.name.padEnd(12)} ${c.detail}`);
  return failed ? EXIT.FAILED : EXIT.OK;
}
