// Leeway model speed and memory (run with `npm run bench -- model`, which builds dist/ first).
//
// For 10 000, 100 000 and 1 000 000 particles × 48 h at dt 900 s (192 steps, 49 hourly records), with
// constant and gridded wind + current, on 1 and 2 threads: particle-steps per second of simulate()
// (the worker-thread path a mission takes) and the peak resident memory of the process. Each
// configuration runs in its own process, so every peak RSS is that run's alone; a small warm-up run
// starts the thread pool first, as a worker process that has done one mission would have.
// Targets (2-core machine): >= 15 M particle-steps/s with 2 threads on gridded forcing, 2 threads >=
// 1.7× one thread, 1 000 000 × 48 h under 1.5 GB peak RSS.
//
//   node bench/model.bench.mjs                       all configurations
//   node bench/model.bench.mjs --one 100000 grid 2   one configuration (what the parent runs)
//   BENCH_SIZES=10000,100000 node bench/model.bench.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dist, requireDist } from './dist.mjs';

requireDist('threads/simulate.js');

const T0 = Date.UTC(2024, 0, 1) / 1000;
const HOURS = 48;

/** 0.1° lon/lat grid, 20° × 12°, hourly over the run: 201 × 121 × 49 cells per component. */
async function griddedForcing() {
  const { lonLatGridField } = await import(dist('forcing/grid.js'));
  const lonDeg = Array.from({ length: 201 }, (_, i) => -10 + i * 0.1);
  const latDeg = Array.from({ length: 121 }, (_, j) => 54 + j * 0.1);
  const timesSec = Array.from({ length: HOURS + 1 }, (_, k) => T0 + k * 3600);
  const n = lonDeg.length * latDeg.length * timesSec.length;
  const wu = new Float32Array(n);
  const wv = new Float32Array(n);
  const cu = new Float32Array(n);
  const cv = new Float32Array(n);
  for (let q = 0; q < n; q++) {
    wu[q] = 8 + 3 * Math.sin(q * 1e-3);
    wv[q] = 4 * Math.cos(q * 7e-4);
    cu[q] = 0.2 * Math.sin(q * 3e-4);
    cv[q] = 0.1 + 0.1 * Math.cos(q * 5e-4);
  }
  return {
    wind: lonLatGridField({ lonDeg, latDeg, timesSec, uMps: wu, vMps: wv }),
    current: lonLatGridField({ lonDeg, latDeg, timesSec, uMps: cu, vMps: cv }),
  };
}

async function runOne(n, forcingKind, threads, recordEnvironment) {
  const { simulate, closeSimulationPool } = await import(dist('threads/simulate.js'));
  const { findCategory } = await import(dist('model/objects.js'));
  const fields =
    forcingKind === 'grid'
      ? await griddedForcing()
      : { wind: { kind: 'constant', uMps: 8, vMps: 4 }, current: { kind: 'constant', uMps: 0.1, vMps: 0.15 } };
  const src = { kind: 'constant', description: 'bench', fallback: false };
  const forcing = { ...fields, land: null, sources: { wind: src, current: src } };
  const model = (numParticles) => ({
    category: findCategory('LIFE-RAFT-NB-1'),
    numParticles,
    seed: 1,
    rng: 'fast',
    startTimeSec: T0,
    durationSec: HOURS * 3600,
    timeStepSec: 900,
    outputStepSec: 3600,
    seeding: { lonDeg: 0, latDeg: 60, radiusM: 5000, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
  });
  // Warm-up: thread start-up and JIT, as in a worker process that has already run a mission.
  await simulate({ model: { ...model(20_000), durationSec: 6 * 3600 }, forcing, land: null, threads, recordEnvironment: false });
  globalThis.gc?.();
  const t0 = performance.now();
  const r = await simulate({ model: model(n), forcing, land: null, threads, recordEnvironment });
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  await closeSimulationPool();
  return { n, forcingKind, threads, recordEnvironment, seconds, particleSteps: r.particleSteps, rate: r.particleSteps / seconds, peakRssMb };
}

if (process.argv[2] === '--one') {
  const [n, forcingKind, threads, env] = process.argv.slice(3);
  const r = await runOne(Number(n), forcingKind, Number(threads), env === 'env');
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  const sizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
  const configs = [];
  for (const n of sizes) for (const f of ['const', 'grid']) for (const t of [1, 2]) configs.push([n, f, t, 'noenv']);
  // What a mission does (run.ts records the environment): 16 more bytes per particle and record.
  if (sizes.includes(1_000_000)) configs.push([1_000_000, 'grid', 2, 'env']);
  const rows = [];
  console.log(`Leeway model, ${HOURS} h at dt 900 s (192 steps, 49 records), LIFE-RAFT-NB-1, rng fast; ${process.env.BENCH_NOTE ?? 'figures are noisy when other processes load the CPU'}`);
  console.log('particles  forcing threads env    seconds  M particle-steps/s  peak RSS MB');
  for (const [n, f, t, env] of configs) {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--one', String(n), f, String(t), env], { encoding: 'utf8' });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exitCode = 1;
      continue;
    }
    const r = JSON.parse(child.stdout.trim().split('\n').at(-1));
    rows.push(r);
    console.log(
      `${String(n).padStart(9)}  ${f.padEnd(7)} ${String(t).padStart(7)} ${env === 'env' ? 'yes' : 'no '}  ${r.seconds.toFixed(2).padStart(8)}  ${(r.rate / 1e6).toFixed(1).padStart(18)}  ${r.peakRssMb.toFixed(0).padStart(11)}`,
    );
  }
  const find = (n, f, t, env = false) => rows.find((r) => r.n === n && r.forcingKind === f && r.threads === t && r.recordEnvironment === env);
  const big = Math.max(...sizes);
  const g2 = find(big, 'grid', 2);
  const g1 = find(big, 'grid', 1);
  if (g1 && g2) {
    console.log(`targets at ${big} particles: gridded 2 threads ${(g2.rate / 1e6).toFixed(1)} M/s (>= 15), speed-up 2 vs 1 thread ${(g2.rate / g1.rate).toFixed(2)}× (>= 1.7)`);
  }
  const m1 = find(1_000_000, 'grid', 2);
  const m1env = find(1_000_000, 'grid', 2, true);
  if (m1) console.log(`1 000 000 × 48 h peak RSS: ${m1.peakRssMb.toFixed(0)} MB without the environment, ${m1env ? m1env.peakRssMb.toFixed(0) : '?'} MB with it (< 1500)`);
}
