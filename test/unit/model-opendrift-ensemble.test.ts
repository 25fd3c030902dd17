/**
 * Ensemble forcing (issue 10 item 5): files with a member dimension (a 1-D variable with standard_name
 * realization) split across particles as OpenDrift 1.14.10 does, compared particle for particle with real
 * OpenDrift runs on the same files (scripts/make-forcing writes them; scripts/opendrift/
 * make_references_options.py ran OpenDrift on them): ensemble_wind3_cur3_piw1_dt900 (inside the grid) and
 * ensemble_edge_wind3_cur3_piw1_dt900 (seeded by the grid's eastern edge: particles leave the forcing, and
 * OpenDrift then hands each reader only the elements it covers, which shifts the member of every later
 * element). Also: the member count in the products, and a mission whose wind and current files have
 * different member counts fails naming the field and both files.
 */
import { productContextOf } from '../helpers/spec.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axis, currentField, ensembleMemberField, T0_SEC, writeEnsembleFile, writePolarFile } from '../../scripts/make-forcing.lib.mjs';
import { loadConfig, type Config } from '../../src/config.js';
import type { DriftlineError } from '../../src/errors.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import type { ForcingDescriptor } from '../../src/forcing/types.js';
import { type JobParams } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { silentLogger } from '../../src/logger.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { trajectoryDataset } from '../../src/products/trajectory.js';
import { distanceM, readReference, referenceJobParams } from './model-helpers.js';
import { at } from '../helpers/indexed.js';

/** float32 output rounding as the other OpenDrift comparisons (0.42 m in latitude at 60° N), plus margin. */
const TOLERANCE_M = 1;
const H = 3600;

let dir: string;
let config: Config;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-'));
  // The same calls as scripts/make-forcing's wind_ensemble.nc / current_ensemble.nc / current_ensemble4.nc.
  const grid = { format: 'nc3' as const, lons: axis(4, 0.1, 41), lats: axis(58, 0.1, 41), timesSec: Array.from({ length: 25 }, (_, i) => T0_SEC + i * H) };
  await writeEnsembleFile(path.join(dir, 'wind_ensemble.nc'), { kind: 'wind', members: 3, ...grid });
  await writeEnsembleFile(path.join(dir, 'current_ensemble.nc'), { kind: 'current', members: 3, ...grid });
  await writeEnsembleFile(path.join(dir, 'current_ensemble4.nc'), { kind: 'current', members: 4, ...grid });
  config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jobParams(name: string, extra: Record<string, unknown> = {}): JobParams {
  const { inputs } = readReference(name);
  return validateJob({
    mission_id: 'ens',
    params: {
      ...referenceJobParams(inputs),
      forcing: {
        wind: { uri: path.join(dir, 'wind_ensemble.nc') },
        current: { uri: path.join(dir, 'current_ensemble.nc') },
        land: { constant: 0 },
      },
      ...extra,
    },
  }).params;
}

async function load(params: JobParams): Promise<ForcingDescriptor> {
  return loadForcingFor(params, toModelParams(params), { config, s3: null, logger: silentLogger });
}

async function run(name: string, rng: 'opendrift' | 'fast' = 'opendrift'): Promise<{ result: TrajectoryResult; forcing: ForcingDescriptor; params: JobParams }> {
  const params = jobParams(name, { rng });
  const forcing = await load(params);
  const result = simulateLocal(toModelParams(params), {
    wind: createVectorSampler(forcing.wind),
    current: createVectorSampler(forcing.current),
    land: null,
  });
  return { result, forcing, params };
}

/** Worst distance over the records OpenDrift did not mask, and the status mismatches there. */
function compare(name: string, result: TrajectoryResult) {
  const { nc, n, nT, inputs } = readReference(name);
  const lon = nc.getDataVariable('lon') as number[];
  const lat = nc.getDataVariable('lat') as number[];
  const status = (nc.getDataVariable('status') as number[][]).flat();
  const meanings = String((inputs as unknown as { status_meanings: string }).status_meanings).split(' ');
  const odStatus: Record<string, number> = { active: STATUS.ACTIVE, missing_data: STATUS.OUTSIDE, stranded: STATUS.STRANDED };
  let worst = 0;
  let compared = 0;
  let statusMismatches = 0;
  let outside = 0;
  for (let p = 0; p < n; p++) {
    for (let t = 0; t < nT; t++) {
      const q = p * nT + t;
      // -1 (read back as the unsigned byte 255): masked by OpenDrift after the particle was deactivated.
      if (at(status, q) < 0 || at(status, q) > 127) continue;
      compared++;
      const want = odStatus[at(meanings, at(status, q))];
      if (want === STATUS.OUTSIDE) outside++;
      if (result.status[q] !== want) statusMismatches++;
      worst = Math.max(worst, distanceM(at(lon, q), at(lat, q), at(result.lonDeg, q), at(result.latDeg, q)));
    }
  }
  return { worst, compared, statusMismatches, outside, n, nT };
}

describe('ensemble forcing (3-member wind and current) with rng "opendrift" against OpenDrift 1.14.10', () => {
  it(`inside the grid: every particle within ${TOLERANCE_M} m of OpenDrift at every hour`, async () => {
    const name = 'ensemble_wind3_cur3_piw1_dt900';
    const { result, forcing } = await run(name);
    expect(forcing.sources.wind.members).toBe(3);
    expect(forcing.sources.current.members).toBe(3);
    const c = compare(name, result);
    expect(c.compared).toBe(c.n * c.nT);
    expect(c.statusMismatches).toBe(0);
    expect(c.worst).toBeLessThan(TOLERANCE_M);
  });

  it(`at the grid's edge (particles leave the forcing): same statuses, every record within ${TOLERANCE_M} m`, async () => {
    const name = 'ensemble_edge_wind3_cur3_piw1_dt900';
    const { result } = await run(name);
    const c = compare(name, result);
    expect(c.outside).toBeGreaterThan(10); // the case does test particles leaving the forcing
    expect(c.statusMismatches).toBe(0);
    expect(c.worst).toBeLessThan(TOLERANCE_M);
  });

  it('differs from OpenDrift by far more when every particle reads member 0 (the comparison can fail)', async () => {
    const name = 'ensemble_wind3_cur3_piw1_dt900';
    const params = jobParams(name);
    const forcing = await load(params);
    if (forcing.wind.kind !== 'grid' || forcing.current.kind !== 'grid') throw new Error('expected gridded fields');
    // Member 0 only: the planes of member 0 as a one-member field.
    const firstMember = (g: typeof forcing.wind & { kind: 'grid' }) => {
      const m = g.grid.members ?? 1;
      const plane = g.grid.nx * g.grid.ny;
      const pick = (a: Float32Array) => {
        const out = new Float32Array(g.grid.nt * plane);
        for (let t = 0; t < g.grid.nt; t++) out.set(a.subarray(t * m * plane, (t * m + 1) * plane), t * plane);
        return out;
      };
      return createVectorSampler({ kind: 'grid', grid: { ...g.grid, members: 1, uMps: pick(g.grid.uMps), vMps: pick(g.grid.vMps) } });
    };
    const result = simulateLocal(toModelParams(params), { wind: firstMember(forcing.wind), current: firstMember(forcing.current), land: null });
    const c = compare(name, result);
    expect(c.worst).toBeGreaterThan(100);
  });

  it('reads member m of the file for particle m mod 3 (rng "fast": a fixed split by particle index, no order)', async () => {
    const params = jobParams('ensemble_wind3_cur3_piw1_dt900', { rng: 'fast' });
    const forcing = await load(params);
    const sampler = createVectorSampler(forcing.wind);
    expect(sampler.members).toBe(3);
    const lon = Float64Array.of(6, 6, 6, 6);
    const lat = Float64Array.of(60, 60, 60, 60);
    const u = new Float32Array(4);
    const v = new Float32Array(4);
    const t = T0_SEC + 2 * H;
    sampler.sample(lon, lat, 0, 4, t, u, v, { rank: Int32Array.of(0, 1, 2, 3), skipUncovered: false });
    for (let p = 0; p < 4; p++) {
      const [eu, ev] = ensembleMemberField('wind', p % 3, 3)(6, 60, t);
      expect(Math.abs(at(u, p) - eu)).toBeLessThan(1e-5); // float32 storage of ~8 m/s: 5e-7 m/s
      expect(Math.abs(at(v, p) - ev)).toBeLessThan(1e-5);
    }
    expect(Math.abs(at(u, 0) - at(u, 1))).toBeGreaterThan(0.5);
    // rng "fast" passes no order: the same split by index.
    const u2 = new Float32Array(4);
    sampler.sample(lon, lat, 0, 4, t, u2, new Float32Array(4));
    expect(Array.from(u2)).toEqual(Array.from(u));
  });

  it('records the member count and the split in particles.nc and the summary forcing description', async () => {
    const name = 'ensemble_wind3_cur3_piw1_dt900';
    const { result, forcing, params } = await run(name);
    const ds = trajectoryDataset(result, productContextOf({ mission_id: 'ens', params }, forcing.sources, { softwareVersion: 'test', createdAtIso: '2024-01-01T00:00:00Z' }));
    expect(ds.attrs.ensemble_members).toBe(3);
    expect(ds.attrs.ensemble_fields).toBe('wind current');
    expect(String(ds.attrs.ensemble_split)).toMatch(/mod 3/);
    expect(forcing.sources.wind.description).toMatch(/wind_ensemble\.nc \(ensemble of 3 members: .*mod 3/);
  });
});

describe('ensemble planes on a projected grid', () => {
  it('the projected sampler reads member m of particle m mod M too (member 1 here = 2 × member 0, after rotation)', async () => {
    const polar = path.join(dir, 'polar.nc');
    await writePolarFile(polar, { format: 'nc3', centerLon: 6, centerLat: 60, nx: 40, ny: 40, dxKm: 4, timesSec: [T0_SEC, T0_SEC + H], field: currentField });
    const params = validateJob({
      mission_id: 'polar',
      params: { latitude: 60, longitude: 6, start_time: '2024-01-01T00:00:00Z', duration_hours: 1, forcing: { wind: { constant: [0, 0] }, current: { uri: polar }, land: { constant: 0 } } },
    }).params;
    const f = await load(params);
    if (f.current.kind !== 'grid' || f.current.grid.layout !== 'projected') throw new Error('expected a projected grid');
    const g = f.current.grid;
    const plane = g.nx * g.ny;
    // Two members per record: member 0 the file's field, member 1 twice it (a linear change commutes with the rotation).
    const twoMembers = (a: Float32Array) => {
      const out = new Float32Array(g.nt * 2 * plane);
      for (let t = 0; t < g.nt; t++) {
        const src = a.subarray(t * plane, (t + 1) * plane);
        out.set(src, t * 2 * plane);
        out.set(src.map((x) => 2 * x), (t * 2 + 1) * plane);
      }
      return out;
    };
    const ens = createVectorSampler({ kind: 'grid', grid: { ...g, members: 2, uMps: twoMembers(g.uMps), vMps: twoMembers(g.vMps) } });
    const one = createVectorSampler(f.current);
    const lon = Float64Array.of(6.1, 6.1, 5.9, 5.9);
    const lat = Float64Array.of(60.05, 60.05, 59.95, 59.95);
    const [u, v, u1, v1] = [new Float32Array(4), new Float32Array(4), new Float32Array(4), new Float32Array(4)];
    ens.sample(lon, lat, 0, 4, T0_SEC + H / 2, u, v);
    one.sample(lon, lat, 0, 4, T0_SEC + H / 2, u1, v1);
    for (let p = 0; p < 4; p++) {
      const k = p % 2 === 0 ? 1 : 2;
      // float32 rounding of the doubled planes and of the outputs: ~1e-7 relative of ~0.5 m/s.
      expect(Math.abs(at(u, p) - k * at(u1, p))).toBeLessThan(1e-6);
      expect(Math.abs(at(v, p) - k * at(v1, p))).toBeLessThan(1e-6);
    }
    expect(Math.hypot(at(u1, 0), at(v1, 0))).toBeGreaterThan(0.05); // the comparison is not between zeros
  });
});

describe('ensemble files whose member counts differ', () => {
  it('fail the mission with E_FORCING_INVALID naming the field and both files', async () => {
    const params = jobParams('ensemble_wind3_cur3_piw1_dt900', {
      forcing: { wind: { uri: path.join(dir, 'wind_ensemble.nc') }, current: { uri: path.join(dir, 'current_ensemble4.nc') }, land: { constant: 0 } },
    });
    const err = (await load(params).catch((e: unknown) => e)) as DriftlineError;
    expect(err.code).toBe('E_FORCING_INVALID');
    expect(err.field).toBe('params.forcing.current.uri');
    expect(err.message).toMatch(/^params\.forcing\.current\.uri: forcing file .*current_ensemble4\.nc has 4 ensemble members, but params\.forcing\.wind\.uri \(.*wind_ensemble\.nc\) has 3/);
  });
});
