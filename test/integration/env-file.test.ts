/**
 * Issue 9: a large mission records the environment to a file in its work directory instead of memory
 * (src/model/env-records.ts). The products read from that file must be the products of the in-memory
 * path: raw/particles.nc byte for byte (NetCDF-3), value for value (NetCDF-4: HDF5 stamps each object
 * with its creation time, so two writes of the same dataset a second apart differ in those bytes), on
 * the calling thread and on 2 simulation threads, forward and backward (a backward file's rows are the
 * particles in reverse, so a chunk reads a descending run). The file is gone after the mission, and
 * after a failed one. (The memory estimate's side: test/unit/job-limits.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statfs } from 'node:fs/promises';
import { loadConfig } from '../../src/config.js';
import type { ForcingDescriptor } from '../../src/forcing/types.js';
import type { Job } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';
import { silentLogger } from '../../src/logger.js';
import { closeMissionRunner, ENV_FILE_NAME, runMission } from '../../src/mission/run.js';
import { ENV_COMPONENTS } from '../../src/model/env-records.js';
import { planRun } from '../../src/model/plan.js';
import { BLOCK_SIZE } from '../../src/model/rng-fast.js';
import type { TrajectoryResult } from '../../src/model/types.js';
import { openNetcdf } from '../../src/netcdf/open.js';
import { frameWind } from '../../src/products/animation/index.js';
import { writeTrajectoryNc, type TrajectoryNcFormat } from '../../src/products/trajectory.js';
import { simulate } from '../../src/threads/simulate.js';
import { productContextOf, specOf } from '../helpers/spec.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-env-file-'));
afterAll(async () => {
  await closeMissionRunner();
  rmSync(dir, { recursive: true, force: true });
});

const sources = { wind: { kind: 'constant', description: 'test', fallback: false }, current: { kind: 'constant', description: 'test', fallback: false } } as const;
const forcing: ForcingDescriptor = { wind: { kind: 'constant', uMps: 8, vMps: 3 }, current: { kind: 'constant', uMps: 0.15, vMps: 0.05 }, land: null, sources };

/**
 * Three blocks (two threads share them), a 2-hour release window (NaN records before release) and
 * wind and current uncertainty, so that every particle sees its own wind at every step: a record put
 * at the wrong particle or time could not go unnoticed.
 */
function job(backward: boolean, numParticles = 2 * BLOCK_SIZE + 777): Job {
  return validateJob({
    mission_id: backward ? 'env-file-back' : 'env-file',
    params: {
      latitude: 60,
      longitude: 3,
      start_time: '2024-01-01T12:00:00Z',
      end_time: backward ? '2024-01-01T10:00:00Z' : '2024-01-01T14:00:00Z',
      duration_hours: 12,
      time_step_seconds: backward ? -900 : 900,
      output_step_seconds: 3600,
      num_particles: numParticles,
      object_type: 'PIW-1',
      coastline_action: 'none',
      wind_uncertainty_mps: 1,
      current_uncertainty_mps: 0.1,
      forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
      products: { animation: false },
    },
  });
}

async function run(j: Job, threads: number, envFile?: string): Promise<TrajectoryResult> {
  const model = specOf(j).model;
  return simulate({ model, forcing, land: null, threads, recordEnvironment: true, ...(envFile !== undefined ? { envFile } : {}) });
}

/** Every variable's values and attributes and the global attributes, as our reader returns them. */
async function contents(file: string): Promise<string[]> {
  const nc = await openNetcdf(file);
  try {
    const out = [JSON.stringify(nc.globalAttrs)];
    for (const [name, v] of nc.variables) {
      const values = await nc.read(name);
      out.push(`${name} ${JSON.stringify(v.attrs)} ${Buffer.from(values.buffer).toString('base64')}`);
    }
    return out;
  } finally {
    await nc.close();
  }
}

describe('the environment record file', () => {
  for (const threads of [0, 2]) {
    for (const backward of [false, true]) {
      it(`gives the in-memory particles.nc, NetCDF-3 byte for byte and NetCDF-4 value for value (${threads === 0 ? 'calling thread' : `${threads} threads`}, ${backward ? 'backward' : 'forward'})`, { timeout: 120_000 }, async () => {
        const j = job(backward);
        const ctx = productContextOf(j, sources);
        const sub = path.join(dir, `t${threads}-${backward ? 'b' : 'f'}`);
        mkdirSync(sub, { recursive: true });
        const envFile = path.join(sub, ENV_FILE_NAME);
        const inMemory = await run(j, threads);
        const spilled = await run(j, threads, envFile);
        expect(inMemory.env).toBeDefined();
        expect(spilled.env).toBeUndefined();
        expect(spilled.envFile).toBe(envFile);
        // The file holds out.env's values, bit for bit (NaN before release included), time-major:
        // output t, component c, particles 0..n-1 (16 B per record: 8 969 particles × 13 output times).
        const bytes = readFileSync(envFile);
        const { nParticles: n, nTimes: nT } = inMemory;
        expect(bytes.length).toBe(n * nT * 16);
        const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
        const env = inMemory.env!;
        let mismatches = 0;
        ENV_COMPONENTS.forEach((name, c) => {
          const memory = new Uint32Array(env[name].buffer, env[name].byteOffset, n * nT);
          for (let t = 0; t < nT; t++) for (let p = 0; p < n; p++) if (words[(t * 4 + c) * n + p] !== memory[p * nT + t]) mismatches++;
        });
        expect(mismatches).toBe(0);
        expect(env.windUMps.some((x) => Number.isNaN(x))).toBe(true);
        // The records are not all alike (else a transposition error would write the same file).
        expect(new Set(inMemory.env?.windUMps).size).toBeGreaterThan(inMemory.nParticles);

        for (const format of ['netcdf3', 'netcdf4'] as TrajectoryNcFormat[]) {
          // 4 000-byte chunks (1 000 floats, 76.9 rows of 13): rows straddle chunks, as at 1 MiB with 49 times.
          for (const chunkBytes of [4000, undefined]) {
            const opts = { format, ...(chunkBytes !== undefined ? { chunkBytes } : {}) };
            const a = path.join(sub, `mem-${format}-${chunkBytes ?? 'default'}.nc`);
            const b = path.join(sub, `file-${format}-${chunkBytes ?? 'default'}.nc`);
            await writeTrajectoryNc(inMemory, ctx, a, opts);
            await writeTrajectoryNc(spilled, ctx, b, opts);
            if (format === 'netcdf3') {
              expect(readFileSync(b).equals(readFileSync(a)), `${format} chunkBytes ${chunkBytes}`).toBe(true);
            } else {
              expect(readFileSync(b).length).toBe(readFileSync(a).length);
              expect(await contents(b)).toEqual(await contents(a));
            }
          }
        }
        // The animation's wind arrow reads one time plane of the file: the same mean as from memory.
        for (const t of [0, 3, inMemory.nTimes - 1]) expect(frameWind(spilled, ctx, t)).toEqual(frameWind(inMemory, ctx, t));
        rmSync(sub, { recursive: true, force: true });
      });
    }
  }

  it('is used by a mission above the threshold and deleted after it, and after a failed one', { timeout: 120_000 }, async () => {
    const config = loadConfig({});
    const spec = specOf(job(false, 500));
    const seen: string[] = [];
    const deps = (workDir: string, envFileMinBytes: number) => ({
      config,
      logger: silentLogger,
      workDir,
      s3: null,
      envFileMinBytes,
      // While the products are written the file is there (the simulation wrote it).
      onProgress: (p: { stage: string }) => {
        if (p.stage === 'products') seen.push(`${path.basename(workDir)} ${existsSync(path.join(workDir, ENV_FILE_NAME))}`);
      },
    });
    const memDir = path.join(dir, 'mission-memory');
    const fileDir = path.join(dir, 'mission-file');
    await runMission(spec, deps(memDir, Infinity));
    await runMission(spec, deps(fileDir, 0));
    expect(seen).toEqual(['mission-memory false', 'mission-file true']);
    expect(existsSync(path.join(fileDir, ENV_FILE_NAME))).toBe(false);
    const wind = async (workDir: string) => {
      const nc = await openNetcdf(path.join(workDir, 'raw', 'particles.nc'));
      try {
        return [...(await nc.read('x_wind')), ...(await nc.read('y_sea_water_velocity'))];
      } finally {
        await nc.close();
      }
    };
    expect(await wind(fileDir)).toEqual(await wind(memDir));

    // raw/ is a file: particles.nc cannot be written and the mission fails after its simulation.
    const failDir = path.join(dir, 'mission-fails');
    mkdirSync(failDir, { recursive: true });
    writeFileSync(path.join(failDir, 'raw'), 'not a directory');
    await expect(runMission(spec, deps(failDir, 0))).rejects.toThrow();
    expect(seen.at(-1)).toBe('mission-fails true');
    expect(existsSync(path.join(failDir, ENV_FILE_NAME))).toBe(false);
  });

  it('is refused before anything runs when the work directory\'s disk cannot hold it (E_DISK, retryable)', async () => {
    const spec = specOf(job(false, 500));
    const workDir = path.join(dir, 'mission-no-room');
    mkdirSync(workDir, { recursive: true });
    // Particles enough for a file of twice this disk's free space (the real filesystem, asked as the code asks).
    const fs = await statfs(workDir);
    const { nTimes } = planRun(spec.model);
    const numParticles = Math.ceil((2 * fs.bavail * fs.bsize) / (nTimes * 16));
    const deps = { config: loadConfig({}), logger: silentLogger, workDir, s3: null, envFileMinBytes: 0 };
    const err = await runMission({ ...spec, model: { ...spec.model, numParticles } }, deps).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_DISK', retryable: true, field: 'params.products.record_environment' });
    expect((err as Error).message).toMatch(/needs a \d+ MiB file .* which has \d+ MiB free/);
    expect(existsSync(path.join(workDir, ENV_FILE_NAME))).toBe(false);
  });
});
