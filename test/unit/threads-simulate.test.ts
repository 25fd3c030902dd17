/**
 * simulate() on worker threads: same results as the single-thread reference for any thread count,
 * gridded forcing and land from descriptors, progress, cancellation, the shared pool.
 * Under vitest the threads load src/threads/worker.ts through tsx (see src/threads/pool.ts).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { lonLatGridField } from '../../src/forcing/grid.js';
import { constantSampler, createVectorSampler } from '../../src/forcing/sampler.js';
import type { ForcingDescriptor, VectorFieldDescriptor } from '../../src/forcing/types.js';
import { createLandSampler } from '../../src/land/sampler.js';
import type { LandRaster } from '../../src/land/types.js';
import { findCategory } from '../../src/model/objects.js';
import { BLOCK_SIZE } from '../../src/model/rng-fast.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { STATUS, type ModelParams, type TrajectoryResult } from '../../src/model/types.js';
import { acquireSimulationPool, currentSimulationPool } from '../../src/threads/pool.js';
import { prestartThreads } from '../../src/mission/prestart.js';
import { missionLand } from '../../src/mission/land.js';
import { closeSimulationPool, simulate } from '../../src/threads/simulate.js';
import { at } from '../helpers/indexed.js';

afterAll(async () => {
  await closeSimulationPool();
});

const T0 = Date.UTC(2024, 2, 1) / 1000;
const constant = (u: number, v: number): VectorFieldDescriptor => ({ kind: 'constant', uMps: u, vMps: v });
const sources = { wind: { kind: 'constant', description: 'test', fallback: false }, current: { kind: 'constant', description: 'test', fallback: false } } as const;

function forcing(wind: VectorFieldDescriptor, current: VectorFieldDescriptor, land: LandRaster | null = null): ForcingDescriptor {
  return { wind, current, land, sources };
}

function model(overrides: Partial<ModelParams> = {}): ModelParams {
  return {
    category: findCategory('LIFE-RAFT-NB-1')!,
    numParticles: 2 * BLOCK_SIZE + 777,
    seed: 5,
    rng: 'fast',
    startTimeSec: T0,
    durationSec: 12 * 3600,
    timeStepSec: 900,
    outputStepSec: 3600,
    seeding: { lonDeg: 4.3, latDeg: 60.2, radiusM: 3000, radiusType: 'gaussian', endTimeSec: T0 + 2 * 3600 },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}

/** A 0.05° lon/lat grid over 3–6° E, 59.5–61° N, 13 hourly times: a rotating wind and a shear current. */
function grids(): { wind: VectorFieldDescriptor; current: VectorFieldDescriptor } {
  const lonDeg = Array.from({ length: 61 }, (_, i) => 3 + i * 0.05);
  const latDeg = Array.from({ length: 31 }, (_, j) => 59.5 + j * 0.05);
  const timesSec = Array.from({ length: 13 }, (_, k) => T0 + k * 3600);
  const n = lonDeg.length * latDeg.length * timesSec.length;
  const wu = new Float32Array(n);
  const wv = new Float32Array(n);
  const cu = new Float32Array(n);
  const cv = new Float32Array(n);
  let q = 0;
  for (let k = 0; k < timesSec.length; k++) {
    for (let j = 0; j < latDeg.length; j++) {
      for (let i = 0; i < lonDeg.length; i++, q++) {
        const a = 0.2 * k + 0.3 * i * 0.05;
        wu[q] = 10 * Math.cos(a);
        wv[q] = 10 * Math.sin(a);
        cu[q] = 0.2 + 0.1 * Math.sin(j * 0.2);
        cv[q] = 0.05 * k * 0.1;
      }
    }
  }
  return {
    wind: lonLatGridField({ lonDeg, latDeg, timesSec, uMps: wu, vMps: wv }),
    current: lonLatGridField({ lonDeg, latDeg, timesSec, uMps: cu, vMps: cv }),
  };
}

function reference(m: ModelParams, f: ForcingDescriptor, recordEnvironment = false): TrajectoryResult {
  return simulateLocal(m, {
    wind: createVectorSampler(f.wind),
    current: createVectorSampler(f.current),
    land: f.land ? createLandSampler(f.land) : null,
    recordEnvironment,
  });
}

function expectSameResult(a: TrajectoryResult, b: TrajectoryResult): void {
  expect(a.nParticles).toBe(b.nParticles);
  expect(a.nTimes).toBe(b.nTimes);
  expect(a.particleSteps).toBe(b.particleSteps);
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const key of ['lonDeg', 'latDeg', 'status', 'orientation'] as const) expect(bytes(a[key]).equals(bytes(b[key])), key).toBe(true);
  expect(bytes(a.coefficients.dwEpsCmps).equals(bytes(b.coefficients.dwEpsCmps))).toBe(true);
  if (a.env || b.env) expect(bytes(a.env!.windUMps).equals(bytes(b.env!.windUMps))).toBe(true);
}

describe('simulate on worker threads', () => {
  it('gives the single-thread result, bit for bit, on the calling thread and with 1 and 2 threads (rng fast, gridded forcing, environment recorded)', async () => {
    const m = model();
    const { wind, current } = grids();
    const f = forcing(wind, current);
    const ref = reference(m, f, true);
    const one = await simulate({ model: m, forcing: f, land: null, threads: 1, recordEnvironment: true });
    const two = await simulate({ model: m, forcing: f, land: null, threads: 2, recordEnvironment: true });
    const inline = await simulate({ model: m, forcing: f, land: null, threads: 0, recordEnvironment: true });
    expectSameResult(inline, ref);
    expectSameResult(one, ref);
    expectSameResult(two, ref);
    expect(two.lonDeg.buffer).toBeInstanceOf(SharedArrayBuffer);
    // The wind varies across the grid: the recorded environment is not one constant.
    expect(new Set(Array.from(two.env!.windUMps.subarray(0, 2000)).filter((v) => !Number.isNaN(v))).size).toBeGreaterThan(10);
  });

  it('deactivates particles that leave the gridded forcing (STATUS.OUTSIDE), as the reference does', async () => {
    // A strong eastward current carries the cloud out of the 3–6° E grid within 12 h.
    const m = model({ numParticles: 3000, seeding: { lonDeg: 5.8, latDeg: 60.2, radiusM: 3000, radiusType: 'gaussian' } });
    const { wind } = grids();
    const f = forcing(wind, constant(1.5, 0));
    const r = await simulate({ model: m, forcing: f, land: null, threads: 2, recordEnvironment: false });
    expectSameResult(r, reference(m, f));
    const T = r.nTimes;
    let outside = 0;
    for (let p = 0; p < r.nParticles; p++) if (r.status[p * T + T - 1] === STATUS.OUTSIDE) outside++;
    expect(outside).toBeGreaterThan(r.nParticles / 2);
  });

  it('runs rng "opendrift" on one thread whatever is asked, identical to the reference', async () => {
    const m = model({ rng: 'opendrift', numParticles: 500 });
    const f = forcing(constant(10, 0), constant(0, 0.2));
    const r = await simulate({ model: m, forcing: f, land: null, threads: 2, recordEnvironment: false });
    expectSameResult(r, reference(m, f));
  });

  it('strands on the land raster it is given, as the reference does', async () => {
    const nx = 300;
    const ny = 200;
    const data = new SharedArrayBuffer(nx * ny);
    const cells = new Uint8Array(data);
    for (let j = 0; j < ny; j++) for (let i = 150; i < nx; i++) cells[j * nx + i] = 1; // land east of 4.45° E
    const raster: LandRaster = { westDeg: 4.3, southDeg: 60.1, dLonDeg: 0.001, dLatDeg: 0.001, nx, ny, data, outside: 0, source: 'test' };
    const m = model({ coastlineAction: 'stranding', seeding: { lonDeg: 4.4, latDeg: 60.2, radiusM: 1000, radiusType: 'gaussian' } });
    const f = forcing(constant(12, 0), constant(0, 0), raster);
    const r = await simulate({ model: m, forcing: f, land: raster, threads: 2, recordEnvironment: false });
    expectSameResult(r, reference(m, f));
    const T = r.nTimes;
    let stranded = 0;
    for (let p = 0; p < r.nParticles; p++) if (r.status[p * T + T - 1] === STATUS.STRANDED) stranded++;
    expect(stranded).toBeGreaterThan(r.nParticles / 2);
  });

  it('reports progress up to 1', async () => {
    const fractions: number[] = [];
    const m = model({ numParticles: 60_000, durationSec: 48 * 3600 });
    await simulate({ model: m, forcing: forcing(constant(8, 3), constant(0.1, 0)), land: null, threads: 2, recordEnvironment: false, onProgress: (f) => fractions.push(f) });
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(at(fractions, i - 1));
  });

  it('stops between steps when the signal aborts, with E_CANCELLED', async () => {
    const ac = new AbortController();
    const m = model({ numParticles: 400_000, durationSec: 72 * 3600 });
    // Abort mid-run, at the first progress report that shows work done (reports come every second).
    const fractions: number[] = [];
    let reportsAtAbort = 0;
    const onProgress = (f: number) => {
      fractions.push(f);
      if (reportsAtAbort === 0 && f > 0) {
        reportsAtAbort = fractions.length;
        ac.abort();
      }
    };
    const run = simulate({ model: m, forcing: forcing(constant(8, 3), constant(0.1, 0)), land: null, threads: 2, recordEnvironment: false, signal: ac.signal, onProgress });
    await expect(run).rejects.toMatchObject({ code: 'E_CANCELLED' });
    // 400 000 particles × 288 steps take several seconds, and a run that ignored the abort would go on
    // reporting every second until its end. Stopped between steps, the threads are done before the
    // next report: none comes after the abort, and the run never got to 1.
    expect(reportsAtAbort).toBeGreaterThan(0);
    expect(fractions).toHaveLength(reportsAtAbort);
    expect(fractions.at(-1)).toBeLessThan(1);
    await expect(simulate({ model: m, forcing: forcing(constant(8, 3), constant(0, 0)), land: null, threads: 1, recordEnvironment: false, signal: ac.signal })).rejects.toMatchObject({
      code: 'E_CANCELLED',
    });
  });

  it('keeps one pool across missions', async () => {
    const a = await acquireSimulationPool(2);
    const b = await acquireSimulationPool(1);
    expect(b.pool).toBe(a.pool);
    await a.release();
    await b.release();
  });

  it('starts the threads a mission will use before it asks for them (prestartThreads), and the mission runs on them', async () => {
    await closeSimulationPool();
    prestartThreads({ simThreads: 2, landInline: true, productsInline: true, productsSplit: false });
    const started = currentSimulationPool();
    expect(started?.maxThreads).toBe(2);
    // The threads come online with no task given to them yet.
    await vi.waitFor(() => expect(started?.threads.length).toBe(2), { timeout: 10_000 });
    expect(started?.completed).toBe(0);
    const m = model();
    const f = forcing(constant(8, 3), constant(0.1, 0));
    expectSameResult(await simulate({ model: m, forcing: f, land: null, threads: 2, recordEnvironment: false }), reference(m, f));
    expect(currentSimulationPool()).toBe(started);
    expect(started?.completed).toBe(2);
    // A mission on the calling thread starts none.
    await closeSimulationPool();
    prestartThreads({ simThreads: 0, landInline: true, productsInline: true, productsSplit: false });
    expect(currentSimulationPool()).toBeNull();
  });

  it('lets a mission finish on a smaller pool when a larger one replaces it (concurrent missions in a worker)', async () => {
    await closeSimulationPool();
    // An rng "opendrift"-sized start: the pool gets one thread. 300 000 particles × 48 steps on one thread
    // take ~2.5 s; the second mission starts once the first reports progress (after ~1 s, so its thread
    // is surely running) and asks for two threads.
    const long = model({ numParticles: 300_000 });
    const f = forcing(constant(8, 3), constant(0.1, 0));
    let running!: () => void;
    const progressed = new Promise<void>((resolve) => (running = resolve));
    const first = simulate({ model: long, forcing: f, land: null, threads: 1, recordEnvironment: false, onProgress: (x) => x > 0 && x < 1 && running() });
    await progressed;
    const short = model(); // three blocks, so it really asks for two threads
    const second = await simulate({ model: short, forcing: f, land: null, threads: 2, recordEnvironment: false });
    expectSameResult(second, reference(short, f));
    // Before pools were reference-counted, the larger pool destroyed the first one and killed this run.
    expectSameResult(await first, reference(long, f));
  });
});

describe('missionLand', () => {
  it('uses no land for coastline action none and the forcing mask when there is one', async () => {
    const raster: LandRaster = { westDeg: 0, southDeg: 0, dLonDeg: 1, dLatDeg: 1, nx: 1, ny: 1, data: new SharedArrayBuffer(1), outside: 0, source: 'mask' };
    expect(await missionLand(model({ coastlineAction: 'none' }), raster)).toBeNull();
    expect(await missionLand(model({ coastlineAction: 'stranding' }), raster)).toBe(raster);
  });

  it('takes the global coastline around the mission when the forcing has no land mask', async () => {
    // Bergen: 60.39° N 5.32° E is on land, 60.2° N 4.6° E is open sea west of the coast.
    const land = await missionLand(model({ coastlineAction: 'stranding', durationSec: 3 * 3600, seeding: { lonDeg: 4.8, latDeg: 60.3, radiusM: 0, radiusType: 'gaussian' } }), null);
    expect(land).not.toBeNull();
    const sampler = createLandSampler(land!);
    expect(sampler.isLand(5.32, 60.39)).toBe(true);
    expect(sampler.isLand(4.6, 60.2)).toBe(false);
  });
});

describe('constant forcing through descriptors', () => {
  it('matches constantSampler (float32 constants)', async () => {
    const m = model({ numParticles: 100 });
    const r = await simulate({ model: m, forcing: forcing(constant(7.3, -2.1), constant(0.33, 0.1)), land: null, threads: 1, recordEnvironment: false });
    const ref = simulateLocal(m, { wind: constantSampler(7.3, -2.1), current: constantSampler(0.33, 0.1), land: null });
    expectSameResult(r, ref);
  });
});
