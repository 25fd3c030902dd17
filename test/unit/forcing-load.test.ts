import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentField, T0_SEC, windField } from '../../scripts/make-forcing.lib.mjs';
import { loadConfig, type Config } from '../../src/config.js';
import type { DriftlineError } from '../../src/errors.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { missionWindow } from '../../src/model/window.js';
import { forcingPolicyFromConfig } from '../../src/storage/policy.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import type { VectorFieldDescriptor } from '../../src/forcing/types.js';
import { type JobParams } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { createLandSampler } from '../../src/land/sampler.js';
import { silentLogger } from '../../src/logger.js';
import { at } from '../helpers/indexed.js';

const H = 3600;
let dir: string;
let config: Config;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-load-'));
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-forcing failed: ${r.stderr}`);
  // Local forcing files: opted in for this test's directory (queued jobs get no local files by default).
  config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function job(params: Record<string, unknown>): JobParams {
  return validateJob({
    mission_id: 'm1',
    params: { latitude: 60, longitude: 6, start_time: '2024-01-01T02:00:00Z', duration_hours: 12, num_particles: 10, ...params },
  }).params;
}

async function load(params: JobParams, cfg: Partial<Config> = {}) {
  return loadForcingFor(params, toModelParams(params), { config: { ...config, ...cfg }, s3: null, logger: silentLogger });
}

function sampleAt(desc: VectorFieldDescriptor, lon: number, lat: number, t: number): [number, number] {
  const u = new Float32Array(1);
  const v = new Float32Array(1);
  createVectorSampler(desc).sample(Float64Array.of(lon), Float64Array.of(lat), 0, 1, t, u, v);
  return [at(u, 0), at(v, 0)];
}

describe('loadForcing', () => {
  it('reads wind and current files named by the mission and land from land_binary_mask', async () => {
    const params = job({
      forcing: {
        wind: { uri: path.join(dir, 'wind_lonlat.nc') },
        current: { uri: `file://${path.join(dir, 'current_packed_desc.nc')}` },
        land: { uri: path.join(dir, 'current_packed_desc.nc') },
      },
    });
    const f = await load(params);
    expect(f.wind.kind).toBe('grid');
    expect(f.current.kind).toBe('grid');
    expect(f.sources.wind).toMatchObject({ kind: 'file', fallback: false, variables: { u: 'x_wind', v: 'y_wind' } });
    expect(f.sources.current.variables).toEqual({ u: 'uo', v: 'vo' });
    const t = T0_SEC + 4 * H;
    const [wu, wv] = sampleAt(f.wind, 6, 60, t);
    const [eu, ev] = windField(6, 60, t);
    expect(Math.abs(wu - eu)).toBeLessThan(1e-4); // float32 storage
    expect(Math.abs(wv - ev)).toBeLessThan(1e-4);
    const [cu] = sampleAt(f.current, 6.2, 60.1, t);
    expect(Math.abs(cu - currentField(6.2, 60.1, t)[0])).toBeLessThan(6e-4); // int16 packing step 1 mm/s
    const land = createLandSampler(f.land!);
    expect(land.isLand(5.45, 59.4)).toBe(true); // the island
    expect(land.isLand(6, 60)).toBe(false);
    expect(f.sources.land?.description).toContain('current_packed_desc.nc');
  });

  it('constants give constant descriptors; no forcing gives the fallback constants marked fallback', async () => {
    const f = await load(job({ forcing: { wind: { constant: [3, -1] }, land: { constant: 0 } } }));
    expect(f.wind).toEqual({ kind: 'constant', uMps: 3, vMps: -1 });
    expect(f.sources.wind.fallback).toBe(false);
    expect(f.current).toEqual({ kind: 'constant', uMps: 0, vMps: 0 });
    expect(f.sources.current).toMatchObject({ kind: 'fallback', fallback: true });
    expect(createLandSampler(f.land!).isLand(6, 60)).toBe(false);
    const none = await load(job({}), { FORCING_FALLBACK_WIND: [7, 2] });
    expect(none.wind).toEqual({ kind: 'constant', uMps: 7, vMps: 2 });
    expect(none.land).toBeNull();
  });

  it('uses FORCING_WIND_URI / FORCING_CURRENT_URI when the mission names none', async () => {
    const f = await load(job({}), { FORCING_WIND_URI: path.join(dir, 'wind_lonlat.nc'), FORCING_CURRENT_URI: path.join(dir, 'current_lonlat.nc4') });
    expect(f.sources.wind).toMatchObject({ kind: 'file', fallback: false });
    expect(f.sources.current).toMatchObject({ kind: 'file', fallback: false });
  });

  it('FORCING_FALLBACK=fail -> E_FORCING_MISSING naming the field', async () => {
    await expect(load(job({ forcing: { wind: { constant: [1, 1] } } }), { FORCING_FALLBACK: 'fail' })).rejects.toMatchObject({
      code: 'E_FORCING_MISSING',
      field: 'params.forcing.current',
      retryable: false,
    });
  });

  it('E_FORCING_COVERAGE says which time bound is violated', async () => {
    const wind = { uri: path.join(dir, 'wind_lonlat.nc') };
    await expect(load(job({ start_time: '2024-01-03T00:00:00Z', forcing: { wind } }))).rejects.toMatchObject({
      code: 'E_FORCING_COVERAGE',
      message: expect.stringContaining("start_time 2024-01-03T00:00Z is after the wind file's last time 2024-01-02T00:00Z"),
    });
    await expect(load(job({ start_time: '2023-12-31T23:00:00Z', forcing: { wind } }))).rejects.toMatchObject({
      message: expect.stringContaining("start_time 2023-12-31T23:00Z is before the wind file's first time 2024-01-01T00:00Z"),
    });
    await expect(load(job({ start_time: '2024-01-01T18:00:00Z', duration_hours: 12, forcing: { wind } }))).rejects.toMatchObject({
      message: expect.stringContaining("the run ends at 2024-01-02T06:00Z (start_time + duration_hours), after the wind file's last time"),
    });
    // Backward runs need the forcing before start_time.
    await expect(load(job({ start_time: '2024-01-01T06:00:00Z', time_step_seconds: -600, forcing: { wind } }))).rejects.toMatchObject({
      message: expect.stringContaining("the backward run ends at 2023-12-31T18:00Z (start_time - duration_hours), before the wind file's first time"),
    });
  });

  it('E_FORCING_COVERAGE when the seed position is outside the file', async () => {
    await expect(load(job({ latitude: 64, longitude: 6, forcing: { wind: { uri: path.join(dir, 'wind_lonlat.nc') } } }))).rejects.toMatchObject({
      code: 'E_FORCING_COVERAGE',
      message: expect.stringMatching(/seed position \(lat 64\.0000, lon 6\.0000\) is outside the wind file's area: north of its northern edge, lat 62\.000 \(file area lon 4\.000\.\.8\.000, lat 58\.000\.\.62\.000\)/),
    });
    await expect(load(job({ latitude: 60, longitude: 20, forcing: { wind: { uri: path.join(dir, 'wind_lonlat.nc') } } }))).rejects.toMatchObject({
      code: 'E_FORCING_COVERAGE',
      message: expect.stringContaining("is outside the wind file's area: east of its eastern edge, lon 8.000"),
    });
    await expect(load(job({ latitude: 60, longitude: -10, forcing: { wind: { uri: path.join(dir, 'wind_lonlat.nc') } } }))).rejects.toMatchObject({
      message: expect.stringContaining('west of its western edge, lon 4.000'),
    });
    await expect(load(job({ latitude: 57, longitude: 6, forcing: { current: { uri: path.join(dir, 'current_packed_desc.nc') } } }))).rejects.toMatchObject({
      message: expect.stringContaining("is outside the current file's area: south of its southern edge, lat 58.000"),
    });
    // A cone's far end is checked too.
    await expect(
      load(job({ latitude: 60, longitude: 6, end_latitude: 60, end_longitude: 9, forcing: { wind: { uri: path.join(dir, 'wind_lonlat.nc') } } })),
    ).rejects.toMatchObject({ message: expect.stringContaining('cone end position (lat 60.0000, lon 9.0000)') });
  });

  it('a missing file is E_FORCING_INVALID naming it under `driftline run`; a queued job learns only that the policy refused it', async () => {
    const params = job({ forcing: { wind: { uri: path.join(dir, 'missing.nc') } } });
    const runPolicy = forcingPolicyFromConfig(config, { localAnywhere: true });
    await expect(loadForcingFor(params, toModelParams(params), { config, policy: runPolicy, s3: null, logger: silentLogger })).rejects.toMatchObject({
      code: 'E_FORCING_INVALID',
      message: expect.stringContaining('missing.nc'),
    });
    // Queued (FORCING_ALLOW_LOCAL = dir): missing and present-but-outside look the same (forcing-policy.test.ts).
    const err = await load(params).catch((e: unknown) => e as DriftlineError);
    expect(err).toMatchObject({ code: 'E_FORCING_DENIED', field: 'params.forcing.wind.uri', retryable: false });
    expect((err as Error).message).not.toContain('missing.nc');
  });

  it('the read window is the seed area grown by 5 m/s × duration and the run time span', () => {
    const m = toModelParams(job({ duration_hours: 10 }));
    const w = missionWindow(m);
    // 5 m/s × 36 000 s = 180 km (+10 km margin) = 1.707° of latitude.
    expect(w.northDeg - 60).toBeCloseTo(190_000 / 111_320, 6);
    const growLatDeg = 190_000 / 111_320;
    // Widened for the convergence of meridians at the window's most poleward latitude.
    expect(w.lonHalfWidthDeg).toBeCloseTo(growLatDeg / Math.cos(((60 + growLatDeg) * Math.PI) / 180), 9);
    expect(w.startSec).toBe(T0_SEC + 2 * H);
    expect(w.endSec).toBe(T0_SEC + 12 * H);
  });
});
