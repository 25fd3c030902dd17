// What reading forcing adds to a 100 000-particle mission (run with `npm run bench -- forcing`, which
// builds dist/ first):
//  1. sampler cost per particle-step, gridded vs constant (the hot path, once per step per field);
//  2. load time of a realistic wind file (0.1° grid, 20°×20°, hourly, 73 records, int16 packed) as
//     NetCDF-3 and NetCDF-4, for a 48 h mission (only the window is read) and for the whole file;
//  3. if dist/threads/simulate.js exists: a whole 100k × 48 h run with constant vs gridded forcing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;
if (!existsSync(path.join(root, 'dist/forcing/sampler.js'))) {
  console.error('dist/forcing is missing: run `npm run build` first');
  process.exit(1);
}
const { lonLatGridField } = await import(dist('forcing/grid.js'));
const { createVectorSampler, constantSampler } = await import(dist('forcing/sampler.js'));
const { loadForcing } = await import(dist('forcing/load.js'));
const { loadConfig } = await import(dist('config.js'));
const { validateJob, toModelParams } = await import(dist('job.js'));
const { silentLogger } = await import(dist('logger.js'));

const N = 100_000;
const H = 3600;
const T0 = Date.UTC(2024, 0, 1) / 1000;

// ---- 1. sampler
{
  const nx = 201, ny = 201, nt = 73;
  const lonDeg = Array.from({ length: nx }, (_, i) => -10 + i * 0.1);
  const latDeg = Array.from({ length: ny }, (_, j) => 50 + j * 0.1);
  const timesSec = Array.from({ length: nt }, (_, k) => T0 + k * H);
  const u = new Float32Array(nx * ny * nt).map((_, i) => 5 + Math.sin(i * 0.001));
  const v = new Float32Array(nx * ny * nt).map((_, i) => Math.cos(i * 0.001));
  const grid = createVectorSampler(lonLatGridField({ lonDeg, latDeg, timesSec, uMps: u, vMps: v }));
  const cons = constantSampler(5, 1);
  // Particles of a 48 h mission spread over ~1°; in index order they are scattered (worst case for caches).
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const lon = new Float64Array(N).map(() => -0.5 + rnd());
  const lat = new Float64Array(N).map(() => 59.5 + rnd());
  const ou = new Float32Array(N), ov = new Float32Array(N);
  const steps = 288; // 48 h at 600 s
  const time = (s) => {
    for (let st = 0; st < 20; st++) s.sample(lon, lat, 0, N, T0 + st * 600, ou, ov); // warm-up
    const t0 = performance.now();
    for (let st = 0; st < steps; st++) s.sample(lon, lat, 0, N, T0 + st * 600, ou, ov);
    return ((performance.now() - t0) * 1e6) / (N * steps);
  };
  const best = (s) => Math.min(time(s), time(s), time(s));
  const g = best(grid);
  const c = best(cons);
  console.log(`sampler, ${N} particles × ${steps} steps: gridded ${g.toFixed(2)} ns/particle-step, constant ${c.toFixed(2)} ns/particle-step`);
  console.log(`  two gridded fields (wind + current) add ${((2 * (g - c) * N * steps) / 1e9).toFixed(2)} s of single-thread time to a 100k × 48 h mission`);
  // Until the whole-run comparison below can run: a Leeway step is at least two WGS84 geodesic moves per
  // particle (OPENDRIFT_LEEWAY.md §6), so their cost bounds the step from below and the overhead from above.
  const { default: geo } = await import('geographiclib-geodesic');
  const wgs = geo.Geodesic.WGS84;
  const M = 200_000;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < M; i++) sink += wgs.Direct(lat[i % N], lon[i % N], (i * 7) % 360, 300).lat2;
  const geoNs = ((performance.now() - t0) * 1e6) / M;
  if (Number.isNaN(sink)) throw new Error('geodesic Direct returned NaN');
  const est = (2 * (g - c)) / (2 * geoNs + 2 * c);
  console.log(
    `  geographiclib Direct ${geoNs.toFixed(0)} ns: if a model step costs at least two such moves, two gridded fields add at most ${(est * 100).toFixed(1)} % to a run (estimate, not a measured run)`,
  );
}

// ---- 2. load time
const tmp = mkdtempSync(path.join(os.tmpdir(), 'forcing-bench-'));
const config = loadConfig({ FORCING_CACHE_DIR: path.join(tmp, 'cache') });
try {
  for (const ext of ['nc', 'nc4']) {
    const file = path.join(tmp, `wind.${ext}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/make-forcing'), '--bench', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const writeMs = performance.now() - t0;
    const sizeMb = (await import('node:fs')).statSync(file).size / 1e6;
    for (const [label, hours] of [['48 h mission window', 48], ['whole file (70 h, seed at centre)', 70]]) {
      const params = validateJob({
        mission_id: 'bench',
        params: { latitude: 60, longitude: 0, start_time: '2024-01-01T01:00:00Z', duration_hours: hours, forcing: { wind: { uri: file }, current: { constant: [0, 0] } } },
      }).params;
      const times = [];
      let desc;
      for (let i = 0; i < 3; i++) {
        const t1 = performance.now();
        desc = await loadForcing(params, toModelParams(params), { config, s3: null, logger: silentLogger });
        times.push(performance.now() - t1);
      }
      const g = desc.wind.grid;
      console.log(
        `load ${ext === 'nc' ? 'NetCDF-3' : 'NetCDF-4'} (${sizeMb.toFixed(0)} MB, written in ${(writeMs / 1000).toFixed(1)} s), ${label}: ` +
          `${Math.min(...times).toFixed(0)} ms (best of 3), grid read ${g.nx}×${g.ny}×${g.nt}`,
      );
    }
  }

  // ---- 2b. projected grid: resampling to lon/lat with vector rotation at load time
  {
    const { writePolarFile, currentField } = await import(pathToFileURL(path.join(root, 'scripts/make-forcing.lib.mjs')).href);
    const file = path.join(tmp, 'polar.nc4');
    await writePolarFile(file, { format: 'nc4', centerLon: 15, centerLat: 70, nx: 300, ny: 300, dxKm: 4, timesSec: Array.from({ length: 49 }, (_, i) => T0 + i * H), field: currentField });
    const params = validateJob({
      mission_id: 'bench',
      params: { latitude: 70, longitude: 15, start_time: '2024-01-01T00:00:00Z', duration_hours: 48, forcing: { wind: { constant: [5, 0] }, current: { uri: file } } },
    }).params;
    const times = [];
    let desc;
    for (let i = 0; i < 2; i++) {
      const t1 = performance.now();
      desc = await loadForcing(params, toModelParams(params), { config, s3: null, logger: silentLogger });
      times.push(performance.now() - t1);
    }
    const g = desc.current.grid;
    console.log(`load polar-stereographic NetCDF-4 (4 km, 300×300×49), 48 h mission: ${Math.min(...times).toFixed(0)} ms (best of 2), resampled to ${g.nx}×${g.ny}×${g.nt} lon/lat`);
  }

  // ---- 3. whole run
  const simPath = path.join(root, 'dist/threads/simulate.js');
  if (existsSync(simPath)) {
    const { simulate } = await import(pathToFileURL(simPath).href);
    const file = path.join(tmp, 'wind.nc');
    const base = { latitude: 60, longitude: 0, start_time: '2024-01-01T01:00:00Z', duration_hours: 48, num_particles: N, coastline_action: 'none', radius_m: 5000 };
    const run = async (forcingSpec) => {
      const params = validateJob({ mission_id: 'bench', params: { ...base, forcing: forcingSpec } }).params;
      const model = toModelParams(params);
      const forcing = await loadForcing(params, model, { config, s3: null, logger: silentLogger });
      const t0 = performance.now();
      await simulate({ model, forcing, land: null, threads: config.SIM_THREADS, recordEnvironment: false });
      return performance.now() - t0;
    };
    const cMs = Math.min(await run({ wind: { constant: [5, 1] }, current: { constant: [0.1, 0] } }), await run({ wind: { constant: [5, 1] }, current: { constant: [0.1, 0] } }));
    const gMs = Math.min(await run({ wind: { uri: file }, current: { constant: [0.1, 0] } }), await run({ wind: { uri: file }, current: { constant: [0.1, 0] } }));
    console.log(`whole run ${N} particles × 48 h, ${config.SIM_THREADS} threads: constant ${cMs.toFixed(0)} ms, gridded wind ${gMs.toFixed(0)} ms, overhead ${(((gMs - cMs) / cMs) * 100).toFixed(1)} % (target < 10 %)`);
  } else {
    console.log('whole-run comparison skipped: dist/threads/simulate.js does not exist yet');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
