// Products of a 100 000-particle × 48 h mission (49 hourly records), all except the animation:
// raw/particles.nc, density grid + products/density.nc, search areas (GeoJSON + KML), checksums and
// summary.json, timed per product by writeAllProducts itself (the figures the worker records).
// Target (issue 5): under 2 s in total. Run with `npm run bench -- products` (builds dist/ first).
//
// The cloud is synthetic (the model is benchmarked on its own): a Gaussian cloud drifting north-east
// whose spread grows from 300 m to ~6 km, 10 % stranded from hour 24, released over the first 3 hours,
// with the wind and current each particle saw (as a real run records them).
// BENCH_PRODUCTS_LARGE=1 adds the trajectory file alone for 1 000 000 particles × 49 records (~1 GB RAM).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist } from './dist.mjs';

requireDist('products/write.js');
const { writeAllProducts } = await import(dist('products/write.js'));
const { writeTrajectoryNc } = await import(dist('products/trajectory.js'));
const { benchContext } = await import('./context.mjs');

const { M_PER_DEG_LAT: M_PER_DEG } = await import(dist('model/geo.js'));
const T0 = Date.UTC(2024, 0, 1, 12) / 1000;

function cloud(n, nT, withEnv) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, rnd()))) * Math.cos(2 * Math.PI * rnd());
  const lon0 = 4.6;
  const lat0 = 59.3;
  const cos0 = Math.cos((lat0 * Math.PI) / 180);
  const lonDeg = new Float32Array(n * nT);
  const latDeg = new Float32Array(n * nT);
  const status = new Uint8Array(n * nT);
  const orientation = new Uint8Array(n * nT);
  // Per record, as TrajectoryResult has it since particles.nc writes capsized per time (none capsize here).
  const capsized = new Uint8Array(n * nT);
  const env = withEnv
    ? { windUMps: new Float32Array(n * nT), windVMps: new Float32Array(n * nT), currentUMps: new Float32Array(n * nT), currentVMps: new Float32Array(n * nT) }
    : undefined;
  for (let p = 0; p < n; p++) {
    const gx = gauss();
    const gy = gauss();
    const release = Math.floor((p / n) * 3);
    const strandAt = p % 10 === 0 ? 24 : Infinity;
    for (let t = 0; t < nT; t++) {
      const i = p * nT + t;
      if (t < release) {
        lonDeg[i] = latDeg[i] = NaN;
        status[i] = 255;
        if (env) env.windUMps[i] = env.windVMps[i] = env.currentUMps[i] = env.currentVMps[i] = NaN;
        continue;
      }
      const tt = Math.min(t, strandAt);
      const sigmaM = 300 + 120 * tt;
      latDeg[i] = lat0 + (tt * 700 + gy * sigmaM) / M_PER_DEG;
      lonDeg[i] = lon0 + (tt * 1000 + gx * sigmaM) / (M_PER_DEG * cos0);
      status[i] = t >= strandAt ? 1 : 0;
      orientation[i] = p % 2;
      if (env) {
        env.windUMps[i] = 8 + gx;
        env.windVMps[i] = 3 + gy;
        env.currentUMps[i] = 0.15;
        env.currentVMps[i] = 0.05;
      }
    }
  }
  const f32 = () => new Float32Array(n).fill(0.5);
  return {
    nParticles: n, nTimes: nT, timesSec: Float64Array.from({ length: nT }, (_, t) => T0 + t * 3600),
    lonDeg, latDeg, status, orientation, capsized, ...(env ? { env } : {}),
    coefficients: {
      dwSlopePct: f32(), dwOffsetCmps: f32(), dwEpsCmps: f32(), cwSlopePct: f32(), cwOffsetCmps: f32(), cwEpsCmps: f32(),
      orientation: new Uint8Array(n), capsized: new Uint8Array(n),
      releaseTimeSec: new Float64Array(n).fill(T0), seedLonDeg: new Float64Array(n).fill(4.6), seedLatDeg: new Float64Array(n).fill(59.3),
    },
    particleSteps: n * 288,
  };
}

function context(n) {
  const params = { latitude: 59.3, longitude: 4.6, start_time: '2024-01-01T12:00:00Z', duration_hours: 48, num_particles: n, object_type: 'PIW-1' };
  return benchContext('bench-products', params, { wind: [8, 3], current: [0.15, 0.05] });
}

const STAGES = ['trajectory_nc', 'density_grid', 'density_nc', 'search_areas', 'checksums', 'summary'];
const N = 100_000;
const NT = 49;
const result = cloud(N, NT, true);
const ctx = context(N);
console.log(`products for ${N} particles × ${NT} records (48 h hourly), animation excluded; 3 runs, cold first`);
const totals = [];
for (let run = 1; run <= 3; run++) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-products-'));
  const timingsMs = {};
  const t0 = performance.now();
  const files = await writeAllProducts(result, ctx, dir, { cellM: 1000, percents: [50, 90, 95], timingsMs, warnings: [] });
  const total = performance.now() - t0;
  totals.push(total);
  const parts = STAGES.map((s) => `${s} ${timingsMs[s]} ms`).join(', ');
  console.log(`  run ${run}: total ${total.toFixed(0)} ms (${parts})`);
  if (run === 1) {
    for (const f of files) console.log(`    ${f.relPath}: ${(f.bytes / 1e6).toFixed(2)} MB`);
  }
  rmSync(dir, { recursive: true, force: true });
}
const best = Math.min(...totals);
console.log(`  best ${best.toFixed(0)} ms, first ${totals[0].toFixed(0)} ms; target < 2000 ms: ${totals[0] < 2000 ? 'met' : 'NOT met'}`);

if (process.env.BENCH_PRODUCTS_LARGE === '1') {
  const big = cloud(1_000_000, NT, false);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-products-'));
  const f = path.join(dir, 'particles.nc');
  let peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  await writeTrajectoryNc(big, context(1_000_000), f, { onChunk: () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); } });
  const ms = performance.now() - t0;
  console.log(`trajectory file alone, 1 000 000 × ${NT} (no environment): ${ms.toFixed(0)} ms, ${(statSync(f).size / 1e6).toFixed(0)} MB, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (input arrays ~${((1_000_000 * NT * 10) / 2 ** 20).toFixed(0)} MiB)`);
  rmSync(dir, { recursive: true, force: true });
}
