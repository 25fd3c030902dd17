// raw/particles.nc as NetCDF-3 (CDF-2) and as NetCDF-4 with deflate (issue 10, "Size"): file size, write
// time and peak RSS for a 100 000-particle × 49-record mission with the environment the particles saw.
// BENCH_NC4_LARGE=1 adds 1 000 000 × 49 (~2.5 GB RAM for the input arrays with the environment).
// Run with `npm run bench -- netcdf4` (builds dist/ first). The cloud is the synthetic one of
// products.bench.mjs: Gaussian, drifting north-east, 10 % stranded from hour 24, released over 3 hours.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist } from './dist.mjs';

requireDist('products/trajectory.js');
const { writeTrajectoryNc } = await import(dist('products/trajectory.js'));
const { benchContext } = await import('./context.mjs');
const { M_PER_DEG_LAT: M_PER_DEG } = await import(dist('model/geo.js'));
const T0 = Date.UTC(2024, 0, 1, 12) / 1000;

function cloud(n, nT) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, rnd()))) * Math.cos(2 * Math.PI * rnd());
  const lat0 = 59.3;
  const cos0 = Math.cos((lat0 * Math.PI) / 180);
  const a = () => new Float32Array(n * nT);
  const lonDeg = a(), latDeg = a();
  const env = { windUMps: a(), windVMps: a(), currentUMps: a(), currentVMps: a() };
  const status = new Uint8Array(n * nT);
  const orientation = new Uint8Array(n * nT);
  const capsized = new Uint8Array(n * nT);
  for (let p = 0; p < n; p++) {
    const gx = gauss();
    const gy = gauss();
    const release = Math.floor((p / n) * 3);
    const strandAt = p % 10 === 0 ? 24 : Infinity;
    for (let t = 0; t < nT; t++) {
      const i = p * nT + t;
      if (t < release) {
        lonDeg[i] = latDeg[i] = env.windUMps[i] = env.windVMps[i] = env.currentUMps[i] = env.currentVMps[i] = NaN;
        status[i] = 255;
        continue;
      }
      const tt = Math.min(t, strandAt);
      const sigmaM = 300 + 120 * tt;
      latDeg[i] = lat0 + (tt * 700 + gy * sigmaM) / M_PER_DEG;
      lonDeg[i] = 4.6 + (tt * 1000 + gx * sigmaM) / (M_PER_DEG * cos0);
      status[i] = t >= strandAt ? 1 : 0;
      orientation[i] = p % 2;
      env.windUMps[i] = 8 + gx + 0.1 * rnd();
      env.windVMps[i] = 3 + gy + 0.1 * rnd();
      env.currentUMps[i] = 0.15 + 0.01 * rnd();
      env.currentVMps[i] = 0.05 + 0.01 * rnd();
    }
  }
  const f32 = () => Float32Array.from({ length: n }, () => rnd());
  return {
    nParticles: n, nTimes: nT, timesSec: Float64Array.from({ length: nT }, (_, t) => T0 + t * 3600),
    lonDeg, latDeg, status, orientation, capsized, env,
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
  return benchContext('bench-netcdf4', params, { wind: [8, 3], current: [0.15, 0.05] });
}

const NT = 49;
const sizes = [10_000, 100_000, ...(process.env.BENCH_NC4_LARGE === '1' ? [1_000_000] : [])];
console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const n of sizes) {
  const result = cloud(n, NT);
  const ctx = context(n);
  for (const format of ['netcdf3', 'netcdf4']) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-nc4-'));
    const f = path.join(dir, 'particles.nc');
    globalThis.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peakRss = rss0;
    const t0 = performance.now();
    await writeTrajectoryNc(result, ctx, f, { format, onChunk: () => { peakRss = Math.max(peakRss, process.memoryUsage().rss); } });
    const ms = performance.now() - t0;
    const bytes = statSync(f).size;
    console.log(
      `${n} × ${NT} ${format}: ${ms.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / (n * NT)).toFixed(1)} B per particle record), ` +
        `RSS growth while writing ${((peakRss - rss0) / 2 ** 20).toFixed(0)} MiB (peak ${(peakRss / 2 ** 20).toFixed(0)} MiB)`,
    );
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
