/**
 * The re-plan service's pure part and its reader (src/planning/stored-particles.ts, replan.ts): a
 * particles.nc written by the product writer reads back exactly (float32 positions, status with fill
 * after deactivation, times, weights), and a plan request is validated with every field named in the
 * request's own terms (API) and the job's (CLI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { planOnParticles, PlanRequestError } from '../../src/planning/replan.js';
import { readLocalParticles, type StoredParticles } from '../../src/planning/stored-particles.js';
import { recordLayout, writeTrajectoryNc } from '../../src/products/trajectory.js';
import { START_SEC, syntheticContext, syntheticResult } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

const N = 600;
const NT = 7;
const result = syntheticResult({ nParticles: N, nTimes: NT, releaseSteps: 2 });
// Strand particle 0 at record 3: the writer fills its records after that (status all bits set).
result.status[0 * NT + 3] = STATUS.STRANDED;
const weights = Float64Array.from({ length: N }, (_, p) => (1 + (p % 4)) / (2.5 * N));

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-replan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let stored: StoredParticles;

beforeAll(async () => {
  const file = path.join(dir, 'particles.nc');
  await writeTrajectoryNc(result, syntheticContext(), file, {}, weights);
  stored = await readLocalParticles(file);
});

describe('readLocalParticles', () => {
  it('reads back what the writer wrote: positions (float32, bit for bit), times, weights; status with fill after deactivation', () => {
    const { tracks, weight } = stored;
    expect([tracks.nParticles, tracks.nTimes]).toEqual([N, NT]);
    expect(Array.from(tracks.timesSec)).toEqual(Array.from(result.timesSec));
    expect(tracks.timesSec[0]).toBe(START_SEC);
    expect(Array.from(weight)).toEqual(Array.from(weights));
    // The writer's records per particle: from its release to its first deactivated record.
    const layout = recordLayout(result, false);
    expect(layout.lastRecord[0]).toBe(3);
    let filled = 0;
    for (let p = 0; p < N; p++) {
      for (let t = 0; t < NT; t++) {
        const i = p * NT + t;
        const s = at(result.status, i);
        if (t < at(layout.firstRecord, p) || t > at(layout.lastRecord, p)) {
          filled++;
          expect(tracks.status[i], `p=${p} t=${t}`).toBe(255); // fill: never "active"
          expect(Number.isNaN(at(tracks.lonDeg, i))).toBe(true);
        } else {
          expect(tracks.status[i], `p=${p} t=${t}`).toBe(s);
          expect(tracks.lonDeg[i]).toBe(result.lonDeg[i]);
          expect(tracks.latDeg[i]).toBe(result.latDeg[i]);
        }
      }
    }
    expect(filled).toBeGreaterThan(0);
    expect(Array.from(tracks.status.subarray(0, NT)).slice(3)).toEqual([STATUS.STRANDED, 255, 255, 255]); // particle 0, stranded at record 3
  });

  it('an unreadable file is E_NOT_FOUND (missing) or names the file (not NetCDF)', async () => {
    await expect(readLocalParticles(path.join(dir, 'none.nc'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    const bad = path.join(dir, 'bad.nc');
    (await import('node:fs')).writeFileSync(bad, 'CDF\x02 not really');
    await expect(readLocalParticles(bad)).rejects.toThrow(/bad\.nc: not a readable NetCDF-3 file/);
  });
});

describe('planOnParticles', () => {
  const unit = { name: 'Helo', speed_kn: 60, endurance_h: 2, sweep_width_nm: 0.5 };

  it('plans on the stored weights at the record nearest the middle of the window; POS = POC × POD', () => {
    const r = planOnParticles(stored, { units: [unit], at: new Date((START_SEC + 2 * 3600) * 1000).toISOString() });
    const [u] = r.plan.plan.units;
    expect(u?.unit).toBe('Helo');
    expect(r.plan.plannedAtSec).toEqual([START_SEC + 3 * 3600]);
    expect(u!.pos).toBeCloseTo(u!.poc * u!.pod, 12);
    expect(u!.poc).toBeGreaterThan(0);
    expect(r.summary.weights).toBe('stored (particles.nc weight)');
  });

  it('names every invalid field of the request (API paths), and the job\'s path for the CLI', () => {
    let err: unknown;
    try {
      planOnParticles(stored, { units: [{ ...unit, endurance_h: 0 }], at: 'noon', detection: 'sonar' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanRequestError);
    const e = err as PlanRequestError;
    expect(e.code).toBe('E_JOB_INVALID');
    expect(e.issues.map((i) => i.path.join('.')).sort()).toEqual(['at', 'detection', 'units.0.endurance_h']);
    expect(PlanRequestError.searchField(e.issues.find((i) => i.path[0] === 'units')!)).toBe('search.plan.units[0].endurance_h');
    expect(PlanRequestError.searchField(e.issues.find((i) => i.path[0] === 'at')!)).toBe('search.plan.start_time');
  });

  it('refuses a window outside the run as `at`, and a completed search\'s bad polygon by its index', () => {
    const late = () => planOnParticles(stored, { units: [unit], at: new Date((START_SEC + 30 * 3600) * 1000).toISOString() });
    expect(late).toThrow(PlanRequestError);
    try {
      late();
    } catch (e) {
      expect((e as PlanRequestError).issues.map((i) => i.path)).toEqual([['at']]);
    }
    const t = (h: number) => new Date((START_SEC + h * 3600) * 1000).toISOString();
    try {
      planOnParticles(stored, {
        units: [unit],
        completed: [{ name: 'bow-tie', start_time: t(1), end_time: t(2), polygon: [[4.5, 59.2], [4.7, 59.4], [4.7, 59.2], [4.5, 59.4], [4.5, 59.2]], sweep_width_nm: 1, track_spacing_nm: 1 }],
      });
      expect.unreachable('a self-crossing polygon must be refused');
    } catch (e) {
      expect((e as PlanRequestError).issues.map((i) => i.path)).toEqual([['completed', 0, 'polygon']]);
    }
  });
});
