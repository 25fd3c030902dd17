/**
 * products/summary.json: datum and spread against hand-computed values on the WGS84 ellipsoid, counts by
 * status, the fallback shouted, versions, parameters and timings carried through.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import geodesic from 'geographiclib-geodesic';
import { afterAll, describe, expect, it } from 'vitest';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { buildSummary, spreadStats, writeSummary } from '../../src/products/summary.js';
import { syntheticContext, syntheticResult } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** WGS84 semi-major axis: at the equator one degree of longitude is a·π/180 = 111 319.49 m. */
const A_M = 6378137;
const M_PER_DEG_LON_EQUATOR = (A_M * Math.PI) / 180;

/** Hand-made result: positions given per particle per time (NaN = not released). */
function handResult(positions: [number, number, number][][], timesSec: number[]): TrajectoryResult {
  const n = positions.length;
  const nT = timesSec.length;
  const base = syntheticResult({ nParticles: n, nTimes: nT, withEnv: false });
  for (let p = 0; p < n; p++) {
    for (let t = 0; t < nT; t++) {
      const [lon, lat, s] = at(at(positions, p), t);
      base.lonDeg[p * nT + t] = lon;
      base.latDeg[p * nT + t] = lat;
      base.status[p * nT + t] = s;
    }
  }
  base.timesSec = Float64Array.from(timesSec);
  return base;
}

const { ACTIVE: A, STRANDED: S, OUTSIDE: O, NOT_RELEASED: X } = STATUS;

describe('summary statistics', () => {
  it('gives the datum, spread in metres and drift from the seed (equator, by hand)', () => {
    // Four particles at t=1 at (±0.01°, 0) and (0, ±0.01°) around (0.02° E, 0°); one not released at t=0.
    const r = handResult(
      [
        [[0, 0, A], [0.03, 0, A]],
        [[0, 0, A], [0.01, 0, S]],
        [[0, 0, A], [0.02, 0.01, O]],
        [[NaN, NaN, X], [0.02, -0.01, A]],
      ],
      [0, 3600],
    );
    const [t0, t1] = spreadStats(r, 0, 0);
    expect(t0!.released).toBe(3);
    expect(t0!.notReleased).toBe(1);
    expect(t0!.stdEastM).toBeCloseTo(0, 6);
    expect(t0!.datumDistanceFromSeedM).toBeCloseTo(0, 6);
    // float32 positions: 0.03 is stored to ~1e-9°, i.e. ~0.1 mm, so the datum matches to 1e-8° and
    // the metres to 1 mm.
    expect(t1!.datumLonDeg).toBeCloseTo(0.02, 8);
    expect(t1!.datumLatDeg).toBeCloseTo(0, 8);
    // Population std east: offsets ±0.01°, 0, 0 -> sqrt(0.0002/4) = 0.0070711°.
    expect(t1!.stdEastM).toBeCloseTo(Math.sqrt(0.0002 / 4) * M_PER_DEG_LON_EQUATOR, 2);
    // North uses the meridional radius at the equator, a(1-e²) = 6 335 439 m: 0.0070711° -> 781.87 m.
    const e2 = (1 / 298.257223563) * (2 - 1 / 298.257223563);
    expect(t1!.stdNorthM).toBeCloseTo(Math.sqrt(0.0002 / 4) * ((A_M * (1 - e2) * Math.PI) / 180), 2);
    // 0.02° of longitude along the equator is an equatorial arc: a·Δλ = 2226.39 m, due east.
    expect(t1!.datumDistanceFromSeedM).toBeCloseTo(0.02 * M_PER_DEG_LON_EQUATOR, 2);
    expect(t1!.datumBearingFromSeedDeg).toBeCloseTo(90, 6);
    expect([t1!.active, t1!.stranded, t1!.outside, t1!.notReleased, t1!.released]).toEqual([2, 1, 1, 0, 4]);
  });

  it('averages across the antimeridian to ±180°, not 0°', () => {
    const r = handResult([[[179.99, 10, A]], [[-179.99, 10, A]]], [0]);
    const [s] = spreadStats(r, 179.9, 10);
    expect(Math.abs(s!.datumLonDeg!)).toBeCloseTo(180, 4);
    // Spread: ±0.01° of longitude at 10° N, a few metres tolerance for the float32 positions (1e-5° there).
    const inv = geodesic.Geodesic.WGS84.Inverse(10, 179.99, 10, -179.99);
    expect(s!.stdEastM).toBeCloseTo(inv.s12! / 2, -1);
  });

  it('reports null datum before the first release', () => {
    const r = handResult([[[NaN, NaN, X], [1, 1, A]]], [0, 3600]);
    const [s0] = spreadStats(r, 1, 1);
    expect(s0!.datumLonDeg).toBeNull();
    expect(s0!.released).toBe(0);
  });
});

describe('products/summary.json', () => {
  it('carries versions, parameters, forcing, timings and per-time statistics', async () => {
    const r = syntheticResult({ nParticles: 200, nTimes: 25, releaseSteps: 3 });
    const ctx = syntheticContext();
    const f = path.join(dir, 'summary.json');
    await writeSummary(r, ctx, f, { timingsMs: { forcing: 12, simulation: 345 }, warnings: ['animation failed: test'] });
    const s = JSON.parse(readFileSync(f, 'utf8'));
    expect(s.mission_id).toBe('test-mission-42');
    expect(s.FORCING_FALLBACK).toBeUndefined();
    expect(s.forcing.fallback_used).toBe(false);
    expect(s.forcing.wind.description).toBe('constant [8, 3] m/s');
    expect(s.software).toEqual({ name: 'driftline', version: '0.1.0' });
    expect(s.model.name).toBe('Leeway');
    expect(s.object_category.key).toBe('PIW-1');
    expect(s.params.num_particles).toBe(1000);
    expect(s.params.start_time).toBe('2024-01-01T12:00:00Z');
    expect(s.model_params.timeStepSec).toBe(600);
    expect(s.timings_ms).toEqual({ forcing: 12, simulation: 345 });
    expect(s.warnings).toEqual(['animation failed: test']);
    expect(s.times).toHaveLength(25);
    expect(s.times[0].time).toBe('2024-01-01T12:00:00Z');
    expect(s.times[24].hours_since_start).toBe(24);
    const last = s.times[24];
    expect(last.counts.released).toBe(200);
    expect(last.counts.stranded).toBe(20); // every 10th particle strands half way (fixture)
    expect(last.counts.outside).toBe(20);
    // Every 5th particle capsizes from record 8 (fixture): none at the start, 40 of 200 at the end.
    expect(s.times[0].counts.capsized).toBe(0);
    expect(s.times[7].counts.capsized).toBe(0);
    expect(last.counts.capsized).toBe(40);
    // The fixture drifts 0.3 m/s east and 0.2 m/s north on average: ~26 km east, ~17 km north in 24 h,
    // so the datum is ~30 km from the seed (±20 %: per-particle speeds are random and 10 % strand early).
    expect(last.datum_distance_from_seed_m).toBeGreaterThan(24_000);
    expect(last.datum_distance_from_seed_m).toBeLessThan(37_000);
    expect(last.datum_bearing_from_seed_deg).toBeGreaterThan(35);
    expect(last.datum_bearing_from_seed_deg).toBeLessThan(75);
    expect(last.std_east_m).toBeGreaterThan(1000);
  });

  it('masks credentials in forcing URIs', () => {
    const ctx = syntheticContext();
    const uri = 'https://data.example.org/cmems.nc?token=s3cr3t';
    ctx.provenance = { ...ctx.provenance, forcing: { current: { uri } } };
    ctx.forcing = { ...ctx.forcing, current: { kind: 'file', description: uri, fallback: false } };
    const text = JSON.stringify(buildSummary(syntheticResult({ nParticles: 3, nTimes: 2 }), ctx, { timingsMs: {}, warnings: [] }));
    expect(text).not.toContain('s3cr3t');
    expect(text).toContain('cmems.nc?token=***');
  });

  it('puts a fallback-forcing warning at the top when fallback forcing was used', () => {
    const s = buildSummary(syntheticResult({ nParticles: 5, nTimes: 2 }), syntheticContext({ fallbackWind: true }), { timingsMs: {}, warnings: [] });
    expect(Object.keys(s).slice(0, 2)).toEqual(['mission_id', 'FORCING_FALLBACK']);
    expect(s.FORCING_FALLBACK).toMatch(/^FALLBACK FORCING: the mission named no wind forcing/);
    expect((s.forcing as { fallback_used: boolean }).fallback_used).toBe(true);
  });
});
