// What reading forcing adds to a 100 000-particle mission (run with `npm run bench -- forcing`, which
// builds dist/ first). Figures are wall-clock on whatever machine runs it: on a shared machine they
// are noisy, so each is the best of a few repeats.
//  1. sampler cost per particle-step: lon/lat grid, projected grid (lattice look-up + rotation) and
//     constant (the hot path, once per step per field);
//  2. load time of a realistic wind file (0.1° grid, 20°×20°, hourly, 73 records, int16 packed) as
//     NetCDF-3 and NetCDF-4, for a 48 h mission (only the window is read) and for the whole file, and
//     of a polar-stereographic current (lattice build);
//  3. a whole 100k × 48 h run, load included, with constant forcing vs gridded wind and current:
//     through src/threads/simulate.js when it is built, else the model's single-thread simulateLocal.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dist, requireDist, root } from './dist.mjs';

requireDist('forcing/sampler.js');
const { lonLatGridField } = await import(dist('forcing/grid.js'));
const { createVectorSampler, constantSampler } = await import(dist('forcing/sampler.js'));
const { loadForcing: loadRequest } = await import(dist('forcing/load.js'));
const { fetchContextFor } = await import(dist('storage/fetch.js'));
/** Job params + config -> the forcing, as the pipeline does (resolve, then load with the config's fetch context). */
const loadForcing = (params, model, io) => loadRequest(forcingRequest(params, io.config), model, fetchContextFor(io.config, io));
const { loadConfig } = await import(dist('config.js'));
const { validateJob } = await import(dist('job/validate.js'));
const { toModelParams, forcingRequest } = await import(dist('job/resolve.js'));
const { silentLogger } = await import(dist('logger.js'));

const N = 100_000;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 4);
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
  // A projected field: the polar-stereographic eddy over the same particles (2 km grid, 49 records).
  const { writePolarFile, currentField } = await import(pathToFileURL(path.join(root, 'scripts/make-forcing.lib.mjs')).href);
  const ptmp = mkdtempSync(path.join(os.tmpdir(), 'forcing-bench-polar-'));
  let projected;
  try {
    const pfile = path.join(ptmp, 'polar.nc4');
    await writePolarFile(pfile, { format: 'nc4', centerLon: 0, centerLat: 60, nx: 150, ny: 150, dxKm: 2, timesSec: Array.from({ length: 49 }, (_, i) => T0 + i * H), field: currentField });
    const params = validateJob({ mission_id: 'bench', params: { latitude: 60, longitude: 0, start_time: '2024-01-01T00:00:00Z', duration_hours: 48, forcing: { wind: { constant: [0, 0] }, current: { uri: pfile } } } }).params;
    const desc = await loadForcing(params, toModelParams(params), { config: loadConfig({ FORCING_CACHE_DIR: path.join(ptmp, 'cache'), FORCING_ALLOW_LOCAL: ptmp }), s3: null, logger: silentLogger });
    projected = createVectorSampler(desc.current);
  } finally {
    rmSync(ptmp, { recursive: true, force: true });
  }
  const g = best(grid);
  const pr = best(projected);
  const c = best(cons);
  console.log(
    `sampler, ${N} particles × ${steps} steps: lon/lat grid ${g.toFixed(2)} ns/particle-step, projected grid ${pr.toFixed(2)} ns/particle-step, constant ${c.toFixed(2)} ns/particle-step`,
  );
  console.log(`  two gridded fields (wind + current) add ${((2 * (g - c) * N * steps) / 1e9).toFixed(2)} s of single-thread time to a 100k × 48 h mission`);
}

// ---- 2. load time
const tmp = mkdtempSync(path.join(os.tmpdir(), 'forcing-bench-'));
const config = loadConfig({ FORCING_CACHE_DIR: path.join(tmp, 'cache'), FORCING_ALLOW_LOCAL: tmp });
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

  // ---- 2b. projected grid: subset read + lon/lat -> grid-index lattice built at load time
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
    console.log(
      `load polar-stereographic NetCDF-4 (4 km, 300×300×49), 48 h mission: ${Math.min(...times).toFixed(0)} ms (best of 2), ` +
        `subset ${g.nx}×${g.ny}×${g.nt}, lattice ${g.lookup.nLon}×${g.lookup.nLat} nodes`,
    );
  }

  // ---- 3. whole run, load included
  {
    const simPath = path.join(root, 'dist/threads/simulate.js');
    const threaded = existsSync(simPath);
    const { simulate } = threaded ? await import(pathToFileURL(simPath).href) : { simulate: null };
    const { simulateLocal } = await import(dist('model/simulation.js'));
    const windFile = path.join(tmp, 'wind.nc');
    const currentFile = path.join(tmp, 'current.nc');
    const { writeLonLatFile, axis } = await import(pathToFileURL(path.join(root, 'scripts/make-forcing.lib.mjs')).href);
    await writeLonLatFile(currentFile, {
      kind: 'current', format: 'nc3', lons: axis(-10, 0.1, 201), lats: axis(50, 0.1, 201), timesSec: Array.from({ length: 73 }, (_, i) => T0 + i * H),
      names: ['uo', 'vo'], standardNames: ['eastward_sea_water_velocity', 'northward_sea_water_velocity'], packed: { scale: 0.001, offset: 0 },
    });
    const base = { latitude: 60, longitude: 0, start_time: '2024-01-01T01:00:00Z', duration_hours: 48, num_particles: N, coastline_action: 'none', radius_m: 5000 };
    const threads = config.SIM_THREADS;
    const run = async (forcingSpec) => {
      const params = validateJob({ mission_id: 'bench', params: { ...base, forcing: { ...forcingSpec, land: { constant: 0 } } } }).params;
      const model = toModelParams(params);
      const t0 = performance.now();
      const forcing = await loadForcing(params, model, { config, s3: null, logger: silentLogger });
      const t1 = performance.now();
      const result = threaded
        ? await simulate({ model, forcing, land: null, threads, recordEnvironment: false })
        : simulateLocal(model, { wind: createVectorSampler(forcing.wind), current: createVectorSampler(forcing.current), land: null });
      return { loadMs: t1 - t0, totalMs: performance.now() - t0, steps: result.particleSteps };
    };
    // Alternating constant and gridded runs, so a change in the machine's load hits both alike; the first
    // pair warms up the thread pool and the JIT and is not counted.
    const constSpec = { wind: { constant: [5, 1] }, current: { constant: [0.1, 0] } };
    const gridSpec = { wind: { uri: windFile }, current: { uri: currentFile } };
    await run(constSpec);
    await run(gridSpec);
    const cs = [];
    const gs = [];
    for (let i = 0; i < REPEATS; i++) {
      cs.push(await run(constSpec));
      gs.push(await run(gridSpec));
    }
    const bestOf = (runs) => runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
    const c = bestOf(cs);
    const g = bestOf(gs);
    const how = threaded ? `src/threads simulate, ${threads} threads` : 'simulateLocal, 1 thread (dist/threads/simulate.js not built)';
    console.log(
      `whole run ${N} particles × 48 h (${how}), best of ${REPEATS} alternating runs, load included:\n` +
        `  all runs, constant: ${cs.map((r) => r.totalMs.toFixed(0)).join(' ')} ms; gridded: ${gs.map((r) => r.totalMs.toFixed(0)).join(' ')} ms\n` +
        `  constant forcing ${c.totalMs.toFixed(0)} ms (${((c.steps / c.totalMs) * 1e3 / 1e6).toFixed(1)} M particle-steps/s)\n` +
        `  gridded wind + current (NetCDF-3, 0.1°, hourly) ${g.totalMs.toFixed(0)} ms, of which loading ${g.loadMs.toFixed(0)} ms\n` +
        `  gridded forcing adds ${(((g.totalMs - c.totalMs) / c.totalMs) * 100).toFixed(1)} % to the run, of which loading (reading the files) ` +
        `${((g.loadMs / c.totalMs) * 100).toFixed(1)} % (target < 10 %)`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
