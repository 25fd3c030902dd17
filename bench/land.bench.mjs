// Global coastline (src/land), run with `npm run bench -- land` (builds dist/ first):
//  1. first load of each polygon data set (read + parse + pack + index), once per process;
//  2. rasterising a 500 km window and a 48 h mission window (±874 km) at 60° N, Norwegian coast;
//  3. isLand look-ups per second on the 500 km raster (the per-particle, per-step cost);
//  4. nearestWater per second for points on land near the coast (seeding only).
// Figures on the shared 2-core machine are noisy: read them as orders of magnitude.
import { dist, requireDist } from './dist.mjs';

requireDist('land/coastline.js');
const { coastlineLandRaster, loadCoastline } = await import(dist('land/coastline.js'));
const { createLandSampler } = await import(dist('land/sampler.js'));
const { nearestWater } = await import(dist('land/nearest.js'));

const mb = (b) => (b / 2 ** 20).toFixed(0);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// ---- 1. first load
for (const source of ['osm-seas-10m', 'natural-earth-10m']) {
  globalThis.gc?.();
  const m0 = process.memoryUsage();
  const used0 = m0.heapUsed + m0.arrayBuffers;
  const t0 = performance.now();
  const set = loadCoastline(source);
  const ms = performance.now() - t0;
  const rssAfterLoad = process.memoryUsage().rss; // the parsed JSON is still live here: the transient peak
  globalThis.gc?.();
  const m1 = process.memoryUsage();
  const kept = set.xs.byteLength + set.ys.byteLength + set.polyOf.byteLength + set.bandEdges.byteLength + set.bandStart.byteLength;
  console.log(
    `load ${source.padEnd(18)} ${ms.toFixed(0).padStart(5)} ms  ${(set.pointCount / 1e6).toFixed(2)} M points, ${set.ringCount} rings, ` +
      `${mb(kept)} MB typed arrays, heap + buffers +${mb(m1.heapUsed + m1.arrayBuffers - used0)} MB after gc, process rss right after load ${mb(rssAfterLoad)} MB`,
  );
}

// ---- 2. rasterise
const kmLat = 111.195;
const window = (lonC, latC, halfKm) => {
  const halfLat = halfKm / kmLat;
  const halfLon = halfKm / (kmLat * Math.cos((latC * Math.PI) / 180));
  return { westDeg: lonC - halfLon, eastDeg: lonC + halfLon, southDeg: latC - halfLat, northDeg: latC + halfLat };
};
const cases = [
  ['500 km window, 60N 5E', window(5, 60, 250)],
  ['48 h mission window (±874 km), 60N 5E', window(5, 60, 874)],
  ['500 km window across 180°, Fiji', window(179, -17, 250)],
];
let raster500;
for (const [name, bounds] of cases) {
  const times = [];
  let r;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    r = coastlineLandRaster(bounds);
    times.push(performance.now() - t0);
  }
  raster500 ??= r;
  console.log(
    `rasterise ${name.padEnd(40)} ${median(times).toFixed(0).padStart(5)} ms (median of 5)  ${r.nx} × ${r.ny} cells = ${mb(r.nx * r.ny)} MB, ` +
      `cell ${(r.dLatDeg * kmLat * 1000).toFixed(0)} m`,
  );
}

// ---- 3. isLand look-ups
const sampler = createLandSampler(raster500);
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
let landCount = 0;
const rounds = 20;
const t0 = performance.now();
for (let r = 0; r < rounds; r++) for (let k = 0; k < N; k++) if (sampler.isLand(lons[k], lats[k])) landCount++;
const sec = (performance.now() - t0) / 1000;
console.log(`isLand: ${((rounds * N) / sec / 1e6).toFixed(0)} M look-ups/s (random points over the 500 km raster, ${((100 * landCount) / (rounds * N)).toFixed(0)} % land)`);

// ---- 4. nearestWater
const onLand = [];
for (let k = 0; k < N && onLand.length < 2000; k++) if (sampler.isLand(lons[k], lats[k])) onLand.push([lons[k], lats[k]]);
let found = 0;
const t1 = performance.now();
for (const [lon, lat] of onLand) if (nearestWater(raster500, lon, lat)) found++;
const ms1 = performance.now() - t1;
console.log(`nearestWater: ${((onLand.length / ms1) * 1000).toFixed(0)} points/s (random land points; ${found} of ${onLand.length} within the default 11.1 km)`);
