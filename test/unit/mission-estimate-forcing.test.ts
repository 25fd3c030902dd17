/**
 * Issue 10: the memory estimate counts the forcing's ensemble planes. An M-member file holds M × the u/v
 * planes of the same file with one member for the whole run; the admission estimate (estimateMission)
 * cannot see M (it is in the file), so the pipeline adds the loaded forcing (checkForcingMemory) and the
 * worker holds it in its budget (MemoryBudget.hold).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axis, T0_SEC, writeEnsembleFile } from '../../scripts/make-forcing.lib.mjs';
import { loadConfig, type Config } from '../../src/config.js';
import type { DriftlineError } from '../../src/errors.js';
import { loadForcingFor } from '../helpers/forcing.js';
import type { ForcingDescriptor } from '../../src/forcing/types.js';
import { type JobParams } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { silentLogger } from '../../src/logger.js';
import { checkForcingMemory, estimateMission, forcingMemory, READ_BUFFER_FACTOR } from '../../src/mission/estimate.js';
import { MemoryBudget, MissionMemory } from '../../src/worker/budget.js';

const MB = 2 ** 20;
/** 200 × 200 cells × 25 hourly records: one member's u and v planes are 200·200·25·2·4 B = 8 MB. */
const NX = 200;
const NT = 25;
const ONE_MEMBER_PLANE_BYTES = NX * NX * NT * 2 * 4;

let dir: string;
let config: Config;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'estimate-forcing-'));
  const grid = { kind: 'current' as const, format: 'nc3' as const, lons: axis(3, 0.02, NX), lats: axis(58, 0.02, NX), timesSec: Array.from({ length: NT }, (_, i) => T0_SEC + i * 3600) };
  await writeEnsembleFile(path.join(dir, 'm1.nc'), { ...grid, members: 1 });
  await writeEnsembleFile(path.join(dir, 'm6.nc'), { ...grid, members: 6 });
  config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache'), FORCING_ALLOW_LOCAL: dir });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mission(file: string): Promise<{ params: JobParams; forcing: ForcingDescriptor }> {
  const params = validateJob({
    mission_id: 'est',
    params: { latitude: 60, longitude: 5, start_time: '2024-01-01T00:00:00Z', duration_hours: 24, num_particles: 1000, forcing: { wind: { constant: [5, 2] }, current: { uri: path.join(dir, file) }, land: { constant: 0 } } },
  }).params;
  return { params, forcing: await loadForcingFor(params, toModelParams(params), { config, s3: null, logger: silentLogger }) };
}

describe('memory estimate with ensemble forcing', () => {
  it('counts every member\'s planes: 6 members hold 6 × the planes of 1, and the estimate grows by the 5 extra', async () => {
    const one = await mission('m1.nc');
    const six = await mission('m6.nc');
    const f1 = forcingMemory(one.forcing);
    const f6 = forcingMemory(six.forcing);
    expect(f1.members).toBe(1);
    expect(f6.members).toBe(6);
    // The whole 200 × 200 grid lies inside a 24 h mission's window, so the planes are exactly the file's.
    expect(f1.fields).toEqual([{ name: 'current', planeBytes: ONE_MEMBER_PLANE_BYTES, members: 1 }]);
    expect(f6.fields).toEqual([{ name: 'current', planeBytes: 6 * ONE_MEMBER_PLANE_BYTES, members: 6 }]);
    // Read buffers are those of one member in both (one member is read at a time); land is 1 byte.
    const readBuffer = (READ_BUFFER_FACTOR * ONE_MEMBER_PLANE_BYTES) / 2;
    expect(f1.bytes).toBe(ONE_MEMBER_PLANE_BYTES + readBuffer + 1);
    expect(f6.bytes - f1.bytes).toBe(5 * ONE_MEMBER_PLANE_BYTES);
    // The admission estimate is the same for both jobs (it cannot see members); the checked one is not.
    const base = estimateMission(six.params).memoryBytes;
    expect(estimateMission(one.params).memoryBytes).toBe(base);
    expect(checkForcingMemory(one.params, one.forcing, undefined).memoryBytes).toBe(base + f1.bytes);
    expect(checkForcingMemory(six.params, six.forcing, undefined).memoryBytes).toBe(base + f6.bytes);
  });

  it('refuses, naming the field and its members, a mission whose ensemble planes pass MAX_MISSION_MB', async () => {
    const one = await mission('m1.nc');
    const six = await mission('m6.nc');
    const limitMb = Math.ceil((estimateMission(one.params).memoryBytes + forcingMemory(one.forcing).bytes) / MB) + 1;
    expect(() => checkForcingMemory(one.params, one.forcing, limitMb)).not.toThrow();
    let err: DriftlineError | undefined;
    try {
      checkForcingMemory(six.params, six.forcing, limitMb);
    } catch (e) {
      err = e as DriftlineError;
    }
    expect(err?.code).toBe('E_MISSION_TOO_LARGE');
    expect(err?.field).toBe('params.forcing.current.uri');
    expect(err?.message).toMatch(/6 ensemble members/);
    expect(err?.message).toMatch(new RegExp(`MAX_MISSION_MB is ${limitMb}`));
  });
});

describe('MemoryBudget.hold', () => {
  it('counts a running mission\'s forcing at once, so the next mission waits until it is released', async () => {
    const budget = new MemoryBudget(1000);
    const releaseA = await budget.acquire(400);
    const hold = budget.hold(500); // mission A's ensemble planes, beyond its estimate
    expect(budget.inUseBytes).toBe(900);
    let admitted = false;
    const b = budget.acquire(300).then((r) => {
      admitted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(admitted).toBe(false); // 900 + 300 > 1000
    hold();
    hold(); // a second call does nothing
    await b;
    expect(admitted).toBe(true);
    expect(budget.inUseBytes).toBe(700);
    releaseA();
    expect(budget.inUseBytes).toBe(300);
  });

  it('MissionMemory: admission estimate plus forcing, a retry\'s forcing replaces the first, release frees both once', async () => {
    const budget = new MemoryBudget(1000);
    const m = new MissionMemory(budget, await budget.acquire(300));
    m.setForcing(200);
    expect(budget.inUseBytes).toBe(500);
    m.setForcing(250); // the retry read the forcing again
    expect(budget.inUseBytes).toBe(550);
    m.release();
    m.release();
    expect(budget.inUseBytes).toBe(0);
    m.setForcing(100); // too late: the mission has ended
    expect(budget.inUseBytes).toBe(0);
  });
});
