// Global coastline (src/land), run with `npm run bench -- land` (builds dist/ and the tile file first):
//  1. the tile file: opening it (once per process), its size;
//  2. a mission's land from the tiles (what missions use) for an open-ocean window, a coastal 50 km
//     window, a 48 h window on the Norwegian coast and one across 180°: time (first and warm) and
//     memory kept, against the targets (no coast: < 5 ms and no memory; coastal 50 km: < 50 ms);
//  3. the old way for the same windows: polygons loaded (read + parse + index) and rasterised per window;
//  4. isLand look-ups per second on a plain and a tiled raster (the per-particle, per-step cost);
//  5. nearestWater per second for points on land near the coast (seeding only);
//  6. resident memory of a process after one coastal mission's land, old way vs tiles, and of an idle
//     `driftline worker` (needs Redis and PostgreSQL on their defaults; LAND_BENCH_OLD_DIST=<dist of an
//     older build> measures that build's worker too).
// Figures on the shared 2-core machine are noisy: read them as orders of magnitude, repeat for ranges.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { dist, requireDist, root } from './dist.mjs';

requireDist('land/coastline.js');
const { coastlineLandRaster, loadCoastline, missionCoastline } = await import(dist('land/coastline.js'));
const { landTiles } = await import(dist('land/tile-cache.js'));
const { createLandSampler } = await import(dist('land/sampler.js'));
const { nearestWater } = await import(dist('land/nearest.js'));

const mb = (b) => (b / 2 ** 20).toFixed(b < 2 ** 20 ? 2 : 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
const used = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

// ---- 1. the tile file
let t0 = performance.now();
const tiles = await landTiles('osm-seas-10m');
console.log(`tile file: opened in ${(performance.now() - t0).toFixed(1)} ms (table read, or built if missing), ${mb(statSync(tiles.path).size)} MB, ${tiles.coastalCount} coastal tiles: ${path.relative(root, tiles.path)}`);

// ---- 2. mission land from the tiles
const kmLat = 111.195;
const window = (lonC, latC, halfKm) => {
  const halfLat = halfKm / kmLat;
  const halfLon = halfKm / (kmLat * Math.cos((latC * Math.PI) / 180));
  return { westDeg: lonC - halfLon, eastDeg: lonC + halfLon, southDeg: latC - halfLat, northDeg: latC + halfLat };
};
// missionWindow() pads by 5 m/s × duration + 10 km: 874 km each way for 48 h.
const cases = [
  ['open ocean, 48 h window (±874 km), 20N 130W', window(-130, 20, 874), 5],
  ['coastal 50 km window, 60N 5E (Bergen skerries)', window(5, 60, 25), 50],
  ['48 h mission window (±874 km), 60N 5E', window(5, 60, 874), null],
  ['500 km window across 180°, Fiji', window(179, -17, 250), null],
];
for (const [name, bounds, targetMs] of cases) {
  const before = used();
  t0 = performance.now();
  let r = await missionCoastline(bounds);
  const firstMs = performance.now() - t0;
  const kept = used() - before;
  const times = [];
  for (let k = 0; k < 7; k++) {
    t0 = performance.now();
    r = await missionCoastline(bounds);
    times.push(performance.now() - t0);
  }
  const holds = r.tiles ? r.tiles.bits.byteLength + r.tiles.index.byteLength : r.data.byteLength;
  const target = targetMs === null ? '' : `  target < ${targetMs} ms: ${median(times) < targetMs && firstMs < targetMs ? 'met' : 'NOT met'}`;
  console.log(
    `tiles     ${name.padEnd(48)} first ${firstMs.toFixed(2).padStart(7)} ms, then ${median(times).toFixed(2)} ms (median of 7, ${range(times)}); ` +
      `holds ${mb(holds)} MB, heap + buffers +${mb(Math.max(0, kept))} MB; ${r.tiles ? `${r.nx} × ${r.ny} cells of ${(r.dLatDeg * kmLat * 1000).toFixed(0)} m` : r.source}${target}`,
  );
}

// ---- 3. the old way: polygons in the process, one raster per window
{
  const before = used();
  t0 = performance.now();
  const set = loadCoastline('osm-seas-10m');
  const loadMs = performance.now() - t0;
  console.log(`polygons  load osm-seas-10m ${loadMs.toFixed(0)} ms, ${(set.pointCount / 1e6).toFixed(2)} M points, heap + buffers +${mb(used() - before)} MB kept`);
}
let raster500;
for (const [name, bounds] of cases) {
  const times = [];
  let r;
  for (let k = 0; k < 3; k++) {
    t0 = performance.now();
    r = coastlineLandRaster(bounds);
    times.push(performance.now() - t0);
  }
  if (name.startsWith('coastal')) raster500 = coastlineLandRaster(window(5, 60, 250));
  console.log(`polygons  ${name.padEnd(48)} ${median(times).toFixed(0).padStart(5)} ms (median of 3, ${range(times)}); ${r.nx} × ${r.ny} cells = ${mb(r.nx * r.ny)} MB, cell ${(r.dLatDeg * kmLat * 1000).toFixed(0)} m`);
}

// ---- 4. isLand look-ups, plain vs tiled raster over the same 500 km
const tiled500 = await missionCoastline(window(5, 60, 250));
const N = 1 << 20;
const lons = new Float64Array(N);
const lats = new Float64Array(N);
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const w = raster500;
for (let k = 0; k < N; k++) {
  lons[k] = w.westDeg + rand() * w.nx * w.dLonDeg;
  lats[k] = w.southDeg + rand() * w.ny * w.dLatDeg;
}
for (const [label, r] of [['plain', raster500], ['tiled', tiled500]]) {
  const sampler = createLandSampler(r);
  let landCount = 0;
  const rounds = 10;
  t0 = performance.now();
  for (let q = 0; q < rounds; q++) for (let k = 0; k < N; k++) if (sampler.isLand(lons[k], lats[k])) landCount++;
  const sec = (performance.now() - t0) / 1000;
  console.log(`isLand ${label}: ${((rounds * N) / sec / 1e6).toFixed(0)} M look-ups/s (random points over the 500 km window, ${((100 * landCount) / (rounds * N)).toFixed(0)} % land)`);
}

// ---- 5. nearestWater
const sampler = createLandSampler(tiled500);
const onLand = [];
for (let k = 0; k < N && onLand.length < 2000; k++) if (sampler.isLand(lons[k], lats[k])) onLand.push([lons[k], lats[k]]);
let found = 0;
t0 = performance.now();
for (const [lon, lat] of onLand) if (nearestWater(tiled500, lon, lat)) found++;
const ms1 = performance.now() - t0;
console.log(`nearestWater (tiled): ${((onLand.length / ms1) * 1000).toFixed(0)} points/s (random land points; ${found} of ${onLand.length} within the default 11.1 km)`);

// ---- 6. resident memory
/** RSS (MB) of a child that builds one coastal mission's land the old or the new way, after gc. */
function childRss(mode) {
  const code = `
    const { coastlineLandRaster, loadCoastline, missionCoastline } = await import(${JSON.stringify(dist('land/coastline.js'))});
    const bounds = ${JSON.stringify(window(5, 60, 25))};
    let r = null;
    if (${JSON.stringify(mode)} === 'polygons') { loadCoastline(); r = coastlineLandRaster(bounds); }
    if (${JSON.stringify(mode)} === 'tiles') r = await missionCoastline(bounds);
    globalThis.gc(); globalThis.gc();
    console.log(JSON.stringify({ rss: process.memoryUsage().rss, cells: r ? r.nx * r.ny : 0 }));`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', () => resolve(JSON.parse(out.trim()).rss / 2 ** 20));
  });
}
for (const mode of ['none', 'polygons', 'tiles']) {
  const rss = [];
  for (let k = 0; k < 3; k++) rss.push(await childRss(mode));
  const what = { none: 'imports only', polygons: 'old: polygons loaded + window rasterised', tiles: 'new: tiles for the window' }[mode];
  console.log(`rss after one coastal 50 km window's land, ${what.padEnd(42)} ${range(rss)} MB (3 processes)`);
}

/** RSS (MB) of `driftline worker` from `distDir` once it logs 'worker started' (its coastline ready). */
async function idleWorkerRss(distDir) {
  const schema = `bench_land_${process.pid}_${randomBytes(3).toString('hex')}`;
  const env = { ...process.env, DATABASE_SCHEMA: schema, QUEUE_NAME: `bench-land-${randomBytes(4).toString('hex')}`, METRICS_PORT: '0', LOG_LEVEL: 'info', S3_ENDPOINT: 'http://127.0.0.1:1' };
  const p = spawn(process.execPath, [path.join(distDir, 'cli/main.js'), 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  try {
    return await new Promise((resolve, reject) => {
      let buf = '';
      p.stdout.on('data', (d) => {
        buf += d;
        if (!buf.includes('worker started')) return;
        const status = readFileSync(`/proc/${p.pid}/status`, 'utf8');
        resolve(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
      });
      p.on('close', (c) => reject(new Error(`worker exited (${c}) before it started: ${err.slice(-300)}`)));
    });
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r() : p.on('close', r)));
    try {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test' });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    } catch {
      // no PostgreSQL: nothing was created
    }
  }
}
const builds = [['this build', path.join(root, 'dist')]];
if (process.env.LAND_BENCH_OLD_DIST) builds.push(['LAND_BENCH_OLD_DIST', process.env.LAND_BENCH_OLD_DIST]);
for (const [label, distDir] of builds) {
  try {
    const rss = [];
    for (let k = 0; k < 2; k++) rss.push(await idleWorkerRss(distDir));
    console.log(`rss of an idle \`driftline worker\` (${label}) once started: ${range(rss)} MB (2 processes); target < 150 MB`);
  } catch (err) {
    console.log(`rss of an idle worker (${label}): not measured (${err.message.split('\n')[0]})`);
  }
}
