// Animation and search areas for 100 000 particles × 49 output steps (48 h hourly), a synthetic cloud
// (run with `npm run bench -- animation`, which builds dist/ first). Targets (issue 5): the 49-frame
// 1280×720 animation in under 5 s; search areas are part of "all products except the animation in
// under 2 s". Prints the time of each stage. Figures on a shared 2-core machine are noisy.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist } from './dist.mjs';

requireDist('products/animation/index.js');
const { buildDensityGrid } = await import(dist('products/density-grid.js'));
const { computeSearchAreas, writeSearchAreaFiles } = await import(dist('products/search-areas.js'));
const { findFfmpeg, missionAnnotations, writeAnimation, writeMapPng } = await import(dist('products/animation/index.js'));
const { smoothedSearchAreas } = await import(dist('products/search-smoothed.js'));
const { equalWeights } = await import(dist('search/index.js'));
const { benchContext } = await import('./context.mjs');
const { M_PER_DEG_LAT: mPerDeg } = await import(dist('model/geo.js'));
const { missionLand } = await import(dist('mission/land.js'));

// ANIM_BENCH_N: particles (default 100 000); ANIM_BENCH_NT: records (default 49, 48 h hourly).
const N = Number(process.env.ANIM_BENCH_N ?? 100_000);
const NT = Number(process.env.ANIM_BENCH_NT ?? 49);
const T0 = Date.UTC(2024, 2, 1) / 1000;
const LON0 = 4.6;
const LAT0 = 60.3;

/** A Gaussian cloud drifting 1 km/h north-east and spreading 200 m/h, 5 % stranded from mid-run. */
function syntheticCloud() {
  let a = 12345;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lonDeg = new Float32Array(N * NT);
  const latDeg = new Float32Array(N * NT);
  const status = new Uint8Array(N * NT);
  for (let p = 0; p < N; p++) {
    const r = Math.sqrt(-2 * Math.log(Math.max(1e-12, rand())));
    const th = 2 * Math.PI * rand();
    const gx = r * Math.cos(th);
    const gy = r * Math.sin(th);
    for (let t = 0; t < NT; t++) {
      const stranded = p < N * 0.05 && t >= NT / 2;
      const tt = stranded ? Math.floor(NT / 2) : t;
      const sigma = 500 + 200 * tt;
      const lat = LAT0 + (700 * tt + gy * sigma) / mPerDeg;
      const lon = LON0 + (700 * tt + gx * sigma) / (mPerDeg * Math.cos((lat * Math.PI) / 180));
      lonDeg[p * NT + t] = lon;
      latDeg[p * NT + t] = lat;
      status[p * NT + t] = stranded ? 1 : 0;
    }
  }
  const timesSec = Float64Array.from({ length: NT }, (_, t) => T0 + t * 3600);
  const z = () => new Float32Array(N);
  return {
    nParticles: N,
    nTimes: NT,
    timesSec,
    lonDeg,
    latDeg,
    status,
    orientation: new Uint8Array(N * NT),
    capsized: new Uint8Array(N * NT),
    coefficients: {
      dwSlopePct: z(), dwOffsetCmps: z(), dwEpsCmps: z(), cwSlopePct: z(), cwOffsetCmps: z(), cwEpsCmps: z(),
      orientation: new Uint8Array(N), capsized: new Uint8Array(N), releaseTimeSec: new Float64Array(N).fill(T0),
      seedLonDeg: new Float64Array(N).fill(LON0), seedLatDeg: new Float64Array(N).fill(LAT0),
    },
    particleSteps: N * (NT - 1) * 6,
  };
}

const ms = (t0) => (performance.now() - t0).toFixed(0).padStart(6);
const result = syntheticCloud();
const ctx = benchContext(
  'bench-animation',
  { latitude: LAT0, longitude: LON0, start_time: new Date(T0 * 1000).toISOString(), duration_hours: 48, num_particles: N, object_type: 'LIFE-RAFT-DB-11' },
  { wind: [8, 3], current: [0.2, 0.1] },
);
const { model } = ctx;
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-anim-'));

try {
  console.log(`${N.toLocaleString('en-US')} particles × ${NT} output steps (synthetic cloud)`);
  // Each step twice: the first call in a fresh process includes JIT warm-up (a worker's first mission),
  // the second is what later missions in the same worker pay.
  let t0;
  let grid;
  for (const run of ['first', 'again']) {
    t0 = performance.now();
    grid = buildDensityGrid(result, 1000);
    console.log(`density grid (1 km, ${grid.nx}×${grid.ny}×${grid.nTimes}), ${run}:`.padEnd(48) + `${ms(t0)} ms`);
  }
  for (const run of ['first', 'again']) {
    t0 = performance.now();
    const set = computeSearchAreas(result, grid, [50, 90, 95]);
    console.log(`search areas, compute ${set.areas.length} areas, ${run}:`.padEnd(48) + `${ms(t0)} ms`);
  }
  t0 = performance.now();
  const files = await writeSearchAreaFiles(result, grid, ctx, dir, [50, 90, 95]);
  const kb = files.map((f) => `${f.relPath.split('/').pop()} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ');
  console.log(`search areas, compute + GeoJSON + KML + sha256:`.padEnd(48) + `${ms(t0)} ms  (${kb})`);

  const ffmpegPath = findFfmpeg({ FFMPEG_PATH: process.env.FFMPEG_PATH });
  if (!ffmpegPath) {
    console.log('animation: skipped, no ffmpeg (set FFMPEG_PATH or install ffmpeg)');
  } else {
    // The basemap is the model's land. A mission passes the raster it gave the model (built before the
    // simulation, not part of the animation's time); without one the default coastline's polygons are
    // rasterised over the view, and the first call in a process loads them (0.6-0.8 s).
    const modelLand = async () => {
      t0 = performance.now();
      const raster = await missionLand(model, null, { source: 'osm-seas-10m' });
      console.log(`model land raster (${raster.nx}×${raster.ny} cells, not in the animation):`.padEnd(48) + `${ms(t0)} ms`);
      return { raster, rasterFrom: 'coastline', source: 'osm-seas-10m' };
    };
    // As a mission draws them: the smoothed 50/90/95 % areas and the datum track on every frame.
    t0 = performance.now();
    const annotations = missionAnnotations(smoothedSearchAreas(result, equalWeights(N), [50, 90, 95]), null);
    console.log(`smoothed search areas ${annotations.areas.length} (not in the animation):`.padEnd(48) + `${ms(t0)} ms`);
    let raster;
    const runs = [
      ['polygons, cold (loads the coastline)', async () => undefined],
      ['polygons, warm (coastline cached)', async () => undefined],
      ["the model's raster (as in a mission)", async () => (raster = await modelLand())],
      ["the model's raster + search areas and track", async () => raster, annotations],
    ];
    for (const [run, landOf, withAnnotations] of runs) {
      const land = await landOf();
      const timingsMs = {};
      const file = path.join(dir, 'animation.mp4');
      t0 = performance.now();
      await writeAnimation(result, ctx, file, { ffmpegPath, grid, timingsMs, ...(land ? { land } : {}), ...(withAnnotations ? { annotations: withAnnotations } : {}) });
      const total = performance.now() - t0;
      const stages = Object.entries(timingsMs).map(([k, v]) => `${k} ${v}`).join(', ');
      console.log(
        `animation ${NT} frames 1280×720, ${run}: ${(total / 1000).toFixed(2)} s (target < 5 s; ${(total / NT).toFixed(0)} ms/frame)` +
          `\n    stages ms: ${stages}; ${(statSync(file).size / 1024).toFixed(0)} KiB`,
      );
    }
    // products/map.png: the same drawing for the last record only, PNG-encoded by @napi-rs/canvas.
    const timingsMs = {};
    const png = path.join(dir, 'map.png');
    t0 = performance.now();
    await writeMapPng(result, ctx, png, { grid, land: raster, annotations, timingsMs });
    const stages = Object.entries(timingsMs).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`map.png 1280×720, the model's raster + areas:`.padEnd(48) + `${ms(t0)} ms  (${stages}; ${(statSync(png).size / 1024).toFixed(0)} KiB)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
