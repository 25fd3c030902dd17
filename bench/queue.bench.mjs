// What the fleet's bookkeeping costs per mission, next to a mission's seconds of simulation (run with
// `npm run bench -- queue`, which builds dist/ first; needs the local Redis and PostgreSQL of the
// test setup, REDIS_URL / DATABASE_URL to override). Wall-clock, best of 3 repeats: noisy on a shared
// machine.
//  1. Redis protocol: claim (BLMOVE) + ack (LREM) of 5 000 jobs by one worker, one at a time;
//  2. claim + dead-letter (Lua) of 2 000 jobs;
//  3. one heartbeat tick (lease renewal + reaping) with 50 registered workers;
//  4. PostgreSQL: claimMission + 10 progress updates + completeMission with 6 products, 300 missions.
import { performance } from 'node:perf_hooks';
import { dist, requireDist } from './dist.mjs';

requireDist('queue/queue.js');
const { Redis } = await import('ioredis');
const { JobQueue } = await import(dist('queue/queue.js'));
const { loadConfig } = await import(dist('config.js'));
const { migrate } = await import(dist('db/migrate.js'));
const { createPool } = await import(dist('db/pool.js'));
const q = await import(dist('db/queries/index.js'));

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const name = `bench:${process.pid}`;
const redis = new Redis(REDIS_URL);
const blocking = new Redis(REDIS_URL);
const queue = new JobQueue(redis, name);
const job = (i) => JSON.stringify({ mission_id: `bench-${i}`, params: { latitude: 60, longitude: 3, start_time: '2024-01-01T00:00:00Z' } });

async function best(label, n, unit, fn) {
  let bestMs = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  console.log(`${label.padEnd(58)} ${(bestMs / n).toFixed(3).padStart(8)} ms/${unit}  (${Math.round((n / bestMs) * 1000)} ${unit}/s)`);
}

try {
  await best('claim + ack, one worker, sequential', 5000, 'job', async () => {
    for (let i = 0; i < 5000; i += 1000) await queue.push(Array.from({ length: 1000 }, (_, k) => job(i + k)));
    for (let i = 0; i < 5000; i++) await queue.ack('w', await queue.claim(blocking, 'w', 1));
  });
  await best('claim + dead-letter (Lua)', 2000, 'job', async () => {
    await queue.push(Array.from({ length: 2000 }, (_, k) => job(k)));
    for (let i = 0; i < 2000; i++) {
      const raw = await queue.claim(blocking, 'w', 1);
      await queue.deadLetter('w', raw, { mission_id: null, raw, error: { code: 'E_JOB_INVALID', message: 'x' }, attempts: 0, worker_id: 'w', failed_at: '' });
    }
    await queue.clear('dead');
  });
  for (let i = 0; i < 50; i++) await queue.heartbeat(`peer-${i}`, 60_000);
  await best('heartbeat tick: renew lease + reap check of 50 workers', 100, 'tick', async () => {
    for (let i = 0; i < 100; i++) {
      await queue.heartbeat('w', 30_000);
      await queue.reapExpired('w');
    }
  });

  const schema = `bench_${process.pid}`;
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: schema });
  await migrate(config);
  const pool = createPool(config, { applicationName: 'driftline-bench', max: 2 });
  const results = ['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'animation', 'summary'].map((kind) => ({
    kind,
    uri: `s3://b/m/${kind}`,
    bytes: 1000,
    contentType: 'application/octet-stream',
    sha256: 'a'.repeat(64),
  }));
  let round = 0;
  try {
    await best('PostgreSQL: claim + 10 progress + complete (6 products)', 300, 'mission', async () => {
      round++;
      for (let i = 0; i < 300; i++) {
        const id = `m-${round}-${i}`;
        await q.claimMission(pool, id, { latitude: 60 }, 'w');
        for (let p = 1; p <= 10; p++) await q.updateMissionProgress(pool, id, 'w', p / 10);
        await q.completeMission(pool, id, results, { warnings: [], timingsMs: { simulation: 1 }, particleSteps: 1 });
      }
    });
  } finally {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  }
} finally {
  const keys = await redis.keys(`${name}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  blocking.disconnect();
}
