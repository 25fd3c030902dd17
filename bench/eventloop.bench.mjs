// How long does a mission block the worker's event loop? The heartbeat (HEARTBEAT_SECONDS, default 5 s)
// and the lease (LEASE_SECONDS, 30 s) live on the main thread, so any block of seconds risks the lease;
// the target (issue 11, point 5) is no block over 1 s at 1 000 000 particles.
//
// Each case runs in its own process (`--one`), which imports the compiled pipeline first (a worker
// loads it at start, src/worker/runner.ts), then runs runMission — the code `driftline run` and the
// worker run, animation included — while perf_hooks.monitorEventLoopDelay and a 50 ms timer record how
// long the main thread was blocked. Printed: the longest block overall and per stage (the stage the
// mission had reported when the block began: 'simulation' covers the land raster, made just before
// the simulation starts), the three longest blocks (at seconds since the mission started), wall time,
// stage timings and peak RSS of the process.
//
//   npm run bench -- eventloop                       all cases (builds dist/ first)
//   BENCH_EVENTLOOP_SMALL=1 node bench/eventloop.bench.mjs   without the 1 000 000-particle case (~1.6 GB)
//   node bench/eventloop.bench.mjs --dist /path/to/other/dist   the same cases against another build
//                                                               (how the "before" figures were taken)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { root } from './dist.mjs';

const args = process.argv.slice(2);
const distDir = args.includes('--dist') ? path.resolve(args[args.indexOf('--dist') + 1]) : path.join(root, 'dist');
const fromDist = (p) => pathToFileURL(path.join(distDir, p)).href;

const base = {
  latitude: 59.3,
  longitude: 4.6,
  start_time: '2024-01-01T12:00:00Z',
  object_type: 'PIW-1',
  radius_m: 500,
  forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
};
const cases = [
  ...(process.env.BENCH_EVENTLOOP_SMALL ? [] : [{ name: '1 000 000 particles × 48 h, 49 records', params: { num_particles: 1_000_000, duration_hours: 48 } }]),
  { name: '100 000 particles × 48 h, 49 records', params: { num_particles: 100_000, duration_hours: 48 } },
  { name: '1 particle × 300 h, 60 s steps, 120 s output (9 001 records)', params: { num_particles: 1, duration_hours: 300, time_step_seconds: 60, output_step_seconds: 120 } },
  { name: '1 000 particles × 720 h, 600 s output (4 321 records)', params: { num_particles: 1000, duration_hours: 720, output_step_seconds: 600 } },
];

const TICK_MS = 50;

/** Child: one mission, measured from the moment runMission is called. */
async function one(caseIndex) {
  const { loadConfig } = await import(fromDist('config.js'));
  const { parseJobText } = await import(fromDist('job/validate.js'));
  const { DEFAULT_LIMITS } = await import(fromDist('job/schema.js'));
  const { resolveMission } = await import(fromDist('job/resolve.js'));
  const { runMission } = await import(fromDist('mission/run.js'));
  const { silentLogger } = await import(fromDist('logger.js'));
  const c = cases[caseIndex];
  const job = parseJobText(JSON.stringify({ mission_id: 'bench-eventloop', params: { ...base, ...c.params } }), DEFAULT_LIMITS);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-eventloop-'));
  const h = monitorEventLoopDelay({ resolution: 10 });
  const blocks = [];
  const maxByStage = { forcing: 0, land: 0, simulation: 0, animation: 0, products: 0, done: 0 };
  let stage = 'forcing';
  let maxGapMs = 0;
  const t0 = performance.now();
  let last = t0;
  let stageAtLast = stage;
  const timer = setInterval(() => {
    const now = performance.now();
    const gap = now - last - TICK_MS;
    if (gap > 250) blocks.push([gap, (last - t0) / 1000, stageAtLast]);
    maxByStage[stageAtLast] = Math.max(maxByStage[stageAtLast], gap);
    maxGapMs = Math.max(maxGapMs, gap);
    last = now;
    stageAtLast = stage;
  }, TICK_MS);
  h.enable();
  try {
    const onProgress = (p) => {
      stage = p.stage;
    };
    const config = loadConfig();
    const outcome = await runMission(resolveMission(job, config), { config, logger: silentLogger, workDir, s3: null, onProgress });
    h.disable();
    clearInterval(timer);
    const t = outcome.timingsMs;
    console.log(
      JSON.stringify({
        case: c.name,
        max_block_ms: Math.round(Math.max(h.max / 1e6, maxGapMs)),
        'land+sim': Math.round(Math.max(maxByStage.land, maxByStage.simulation)),
        animation: Math.round(maxByStage.animation),
        products: Math.round(Math.max(maxByStage.products, maxByStage.done)),
        longest_3:
          blocks
            .sort((a, b) => b[0] - a[0])
            .slice(0, 3)
            .map(([ms, at, st]) => `${Math.round(ms)}@${at.toFixed(0)}s ${st}`)
            .join(', ') || '-',
        wall_s: Math.round((performance.now() - t0) / 100) / 10,
        land_ms: t.land,
        simulation_ms: t.simulation,
        animation_ms: t.animation,
        products_ms: t.products,
        max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (args[0] === '--one') {
  await one(Number(args[1]));
  process.exit(0); // do not wait for idle thread pools
} else {
  const rows = [];
  for (let i = 0; i < cases.length; i++) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', String(i), ...(args.includes('--dist') ? ['--dist', distDir] : [])], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    if (r.status !== 0) {
      console.error(`${cases[i].name}: failed (exit ${r.status})\n${r.stderr.slice(-2000)}`);
      process.exitCode = 1;
      continue;
    }
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  console.log(`Longest main-thread block (ms) during one mission, overall and per stage, ${distDir}`);
  console.log('Target: < 1000 ms at 1 000 000 particles.');
  console.log('Measured on a shared 2-core machine with other jobs running: figures are noisy.');
  console.table(rows);
}
