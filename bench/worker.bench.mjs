// A worker as the fleet runs it (`npm run bench -- worker`, builds dist/ first; needs the local Redis and
// PostgreSQL of the test setup, REDIS_URL / DATABASE_URL to override): one `driftline worker` process
// against a private queue, a private PostgreSQL schema and an in-process s3rver. Prints
//  - start-up: spawn to the first healthy /healthz;
//  - idle RSS after start-up (issue 9 target: under 150 MB);
//  - per mission (1 000 particles × 24 h, constant forcing, every product but the animation): push
//    (row + RPUSH) to `completed` in PostgreSQL, i.e. claim, run, upload to S3 and record (issue 9: under
//    1 s), with the worker's RSS after each;
//  - RSS after a quiet minute following the missions (memory returns to idle: nothing kept growing).
// Wall-clock figures on a shared 2-core machine are noisy: read the range, not one figure.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { dist, requireDist, root } from './dist.mjs';

requireDist('cli/main.js');
const { default: S3rver } = await import('s3rver');
const { Redis } = await import('ioredis');
const { JobQueue } = await import(dist('queue/queue.js'));
const { createPool } = await import(dist('db/pool.js'));
const { migrate } = await import(dist('db/migrate.js'));
const { loadConfig } = await import(dist('config.js'));
const q = await import(dist('db/queries/index.js'));

const MISSIONS = Number(process.env.WORKER_BENCH_MISSIONS ?? 5);
const QUIET_S = Number(process.env.WORKER_BENCH_QUIET_S ?? 60);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const tag = `${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-worker-'));

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Resident set of a process, MB (Linux /proc). */
const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(tmp, 's3') });
const { port: s3Port } = await s3.run();
const metricsPort = await freePort();
const schema = `bench_worker_${tag}`;
const queueName = `bench:worker:${tag}`;
const env = {
  ...process.env,
  REDIS_URL,
  DATABASE_URL,
  DATABASE_SCHEMA: schema,
  QUEUE_NAME: queueName,
  S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
  S3_ACCESS_KEY: 'S3RVER',
  S3_SECRET_KEY: 'S3RVER',
  S3_REGION: 'us-east-1',
  S3_BUCKET: `bench-worker-${tag.replace(/_/g, '-')}`,
  S3_FORCE_PATH_STYLE: 'true',
  METRICS_PORT: String(metricsPort),
  WORK_DIR: path.join(tmp, 'work'),
  LOG_LEVEL: 'warn',
};
const config = loadConfig(env);
const pool = createPool(config, { applicationName: 'bench-worker' });
await migrate(config);
const redis = new Redis(REDIS_URL);
const queue = new JobQueue(redis, queueName);

const { fetch } = globalThis;
const t0 = performance.now();
// The worker starts as the Docker image starts it: the entrypoint's node flags (--expose-gc) and the
// image's MALLOC_* settings, read from the Dockerfile. WORKER_BENCH_AS_IMAGE=0 starts a plain `node`.
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? 'null');
if (!Array.isArray(entrypoint)) throw new Error('Dockerfile: no ENTRYPOINT ["...", "node", ..., "dist/cli/main.js"]');
const imageFlags = entrypoint.slice(entrypoint.indexOf('node') + 1, entrypoint.indexOf('dist/cli/main.js'));
const imageMalloc = Object.fromEntries([...dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]));
const asImage = process.env.WORKER_BENCH_AS_IMAGE !== '0';
const nodeFlags = asImage ? imageFlags : [];
if (asImage) Object.assign(env, imageMalloc);
console.log(`worker started ${asImage ? `as the Docker image starts it: node ${nodeFlags.join(' ')}, ${Object.entries(imageMalloc).map(([k, v]) => `${k}=${v}`).join(' ')}` : 'as plain node (WORKER_BENCH_AS_IMAGE=0)'}`);
const worker = spawn(process.execPath, [...nodeFlags, path.join(root, 'dist/cli/main.js'), 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
let startupMs = NaN;
for (let i = 0; i < 600 && Number.isNaN(startupMs); i++) {
  const ok = await fetch(`http://127.0.0.1:${metricsPort}/healthz`).then((r) => r.ok, () => false);
  if (ok) startupMs = performance.now() - t0;
  else await sleep(50);
}
if (Number.isNaN(startupMs)) throw new Error('worker did not become healthy in 30 s');
await sleep(2000);
const idleMb = rssMb(worker.pid);
/** Resident memory by kind (Linux /proc smaps_rollup), MB: anonymous (heap, malloc) and file-backed (code of node, of native addons such as canvas: shared and reclaimable). */
const rssKinds = (pid) => {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { anonMb: Math.round(kb('Anonymous') / 1024), fileMb: Math.round((kb('Rss') - kb('Anonymous')) / 1024) };
};
const idleKinds = rssKinds(worker.pid);
const idleThreads = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1];
console.log(`worker start-up (spawn to healthy /healthz): ${Math.round(startupMs)} ms; idle RSS ${idleMb} MB (target < 150 MB)`);

const job = (id) => ({
  mission_id: id,
  params: {
    latitude: 59.3,
    longitude: 4.6,
    start_time: '2024-01-01T12:00:00Z',
    duration_hours: 24,
    num_particles: 1000,
    object_type: 'PIW-1',
    radius_m: 500,
    forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
    products: { animation: false },
  },
});

try {
  const times = [];
  for (let k = 0; k < MISSIONS; k++) {
    const j = job(`bench-worker-${tag}-${k}`);
    const t = performance.now();
    await q.insertQueuedMission(pool, j.mission_id, j.params);
    await queue.push([JSON.stringify(j)]);
    let row = null;
    for (;;) {
      row = await q.getMission(pool, j.mission_id);
      if (row?.status === 'completed' || row?.status === 'failed') break;
      await sleep(10);
    }
    const ms = performance.now() - t;
    times.push(ms);
    console.log(`mission ${k + 1}: push to ${row.status} ${Math.round(ms)} ms; worker RSS ${rssMb(worker.pid)} MB`);
    if (row.status !== 'completed') throw new Error(`mission failed: ${row.error ?? row.last_error ?? JSON.stringify(row)}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`push to completed, ${MISSIONS} missions: min ${Math.round(sorted[0])} ms, median ${Math.round(sorted[sorted.length >> 1])} ms, max ${Math.round(sorted[sorted.length - 1])} ms (target < 1 s)`);
  await sleep(QUIET_S * 1000);
  const threads = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))?.[1];
  const kinds = rssKinds(worker.pid);
  console.log(`worker RSS after ${QUIET_S} s quiet: ${rssMb(worker.pid)} MB (idle was ${idleMb} MB; ${threads} OS threads now, ${idleThreads} idle); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Where the resident memory is: V8's heap (used and reserved) and memory outside it (ArrayBuffers,
  // native), from the worker's own default metrics.
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  const gauge = (name) => Number(new RegExp(`^driftline_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN) / 1048576;
  console.log(
    `  anonymous ${kinds.anonMb} MB (idle ${idleKinds.anonMb} MB), file-backed ${kinds.fileMb} MB (idle ${idleKinds.fileMb} MB: code of node and native addons, shared and reclaimable);` +
      ` V8 heap used ${gauge('nodejs_heap_size_used_bytes').toFixed(0)} MB of ${gauge('nodejs_heap_size_total_bytes').toFixed(0)} MB reserved; external ${gauge('nodejs_external_memory_bytes').toFixed(0)} MB`,
  );
} finally {
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await redis.del(`${queueName}`).catch(() => undefined);
  redis.disconnect();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await pool.end();
  await s3.close();
  rmSync(tmp, { recursive: true, force: true });
}
