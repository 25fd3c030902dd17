// Latency of the HTTP API's status read under load (run with `npm run bench -- api`, which builds
// dist/ first; needs the local Redis and PostgreSQL of the test setup). Starts a real `driftline
// serve` process on a fresh schema, records 200 completed missions with 6 products each, then fires
// rounds of 200 concurrent GET /missions/:id (Bearer auth, presigned URLs for all 6 products), first
// all for one mission, then each for a different one, and prints p50/p99/max over all requests. Target: p99 < 50 ms (issue 13). Wall-clock on a shared 2-core
// machine: noisy; the benchmark and the server compete for the same cores.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { dist, requireDist, root } from './dist.mjs';

requireDist('cli/main.js');
const { loadConfig } = await import(dist('config.js'));
const { migrate } = await import(dist('db/migrate.js'));
const { createPool } = await import(dist('db/pool.js'));
const { generateApiKey } = await import(dist('api/keys.js'));
const q = await import(dist('db/queries/index.js'));

const CONCURRENCY = 200;
const ROUNDS = 10;
const WARMUP_ROUNDS = 2;
const schema = `bench_api_${process.pid}`;
const env = {
  PATH: process.env.PATH,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  DATABASE_SCHEMA: schema,
  QUEUE_NAME: `bench:api:${process.pid}`,
  API_PORT: '0',
  API_RATE_LIMIT_PER_MINUTE: '1000000',
  // Presigning is local HMAC work; no S3 request is made, so a placeholder endpoint is enough.
  S3_ENDPOINT: 'http://127.0.0.1:9',
  S3_ACCESS_KEY: 'AKIDBENCH',
  S3_SECRET_KEY: 'bench-secret',
  LOG_LEVEL: 'info',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const config = loadConfig(env);
await migrate(config);
const pool = createPool(config, { applicationName: 'driftline-bench', max: 2 });
const key = generateApiKey();
await q.insertApiKey(pool, { id: key.id, name: 'bench', sha256: key.sha256 });
// 200 completed missions with 6 products each (one status read touches one of them).
await pool.query(`INSERT INTO missions (id, status, params, progress, completed_at)
  SELECT 'bench-' || i, 'completed', '{"latitude": 60}', 1, now() FROM generate_series(0, ${CONCURRENCY - 1}) i`);
await pool.query(`INSERT INTO mission_results (mission_id, kind, uri, bytes, content_type, sha256)
  SELECT 'bench-' || i, k, 's3://bench/bench-' || i || '/' || k, 1000, 'application/octet-stream', repeat('a', 64)
  FROM generate_series(0, ${CONCURRENCY - 1}) i,
       unnest(ARRAY['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'animation', 'summary']) k`);

const server = spawn(process.execPath, [`${root}/dist/cli/main.js`, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += d.toString();
    const m = /"url":"([^"]+)"[^\n]*"msg":"api listening"/.exec(buf);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
});

/** CPU time (user + system) the server process has used, from /proc/<pid>/stat, in ms. */
function serverCpuMs() {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the "(comm) " prefix; clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// node:http with a keep-alive agent: undici's fetch costs the client several times more CPU per
// request, and the client shares the 2 cores with the server.
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function get(path) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}${path}`, { agent, headers: { authorization: `Bearer ${key.key}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
  });
}

async function measure(label, pathOf) {
  const latencies = [];
  let failures = 0;
  const cpu0 = serverCpuMs();
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const batch = await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const t0 = performance.now();
        const res = await get(pathOf(i));
        if (res.status !== 200 || res.body.products?.length !== 6) {
          if (failures++ === 0) console.log(`  first failure: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        return performance.now() - t0;
      }),
    );
    if (round >= WARMUP_ROUNDS) latencies.push(...batch);
  }
  const cpuPerRequestMs = (serverCpuMs() - cpu0) / ((WARMUP_ROUNDS + ROUNDS) * CONCURRENCY);
  latencies.sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`${label}: ${CONCURRENCY} concurrent x ${ROUNDS} rounds (after ${WARMUP_ROUNDS} warm-up), ${latencies.length} requests, ${failures} failed`);
  console.log(`  p50 ${f(percentile(latencies, 50))}   p90 ${f(percentile(latencies, 90))}   p99 ${f(percentile(latencies, 99))}   max ${f(latencies.at(-1))}   (target p99 < 50 ms)`);
  console.log(`  server CPU ${cpuPerRequestMs.toFixed(3)} ms per request (user+system, /proc; less sensitive to the machine's load than latency)`);
  if (failures > 0) process.exitCode = 1;
}

try {
  await measure('GET /missions/:id, one mission', () => '/missions/bench-0');
  await measure(`GET /missions/:id, ${CONCURRENCY} different missions`, (i) => `/missions/bench-${i}`);
} finally {
  agent.destroy();
  server.kill('SIGTERM');
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
}
