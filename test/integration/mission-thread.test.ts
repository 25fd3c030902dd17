/**
 * Product writing on a mission thread (src/mission/thread-pool.ts) writes the same bytes as the same
 * writers on the calling thread, reports its stages, carries error codes across, and the coastline
 * raster made on a thread is the one made here.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/products/animation/index.js';
import { writeAllProducts } from '../../src/products/write.js';
import { closeMissionThreads, missionLandOffThread, writeProductsOffThread, writeProductsOnMissionThreads } from '../../src/mission/thread-pool.js';
import { missionLand } from '../../src/mission/land.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-mission-thread-'));
afterAll(async () => {
  await closeMissionThreads();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A safety net, not a speed target: a thread started from TypeScript source loads through tsx (~10 s
 * on a loaded 2-core machine) and then the coastline (~1 s), and the animation encodes with ffmpeg.
 */
const THREAD_TEST_MS = 240_000;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('mission thread', () => {
  it('writes byte-identical products to writeAllProducts on this thread, and the animation', async () => {
    const result = syntheticResult({ nParticles: 3000, nTimes: 25, releaseSteps: 3 });
    const ctx = syntheticContext();
    const here = path.join(dir, 'here');
    const there = path.join(dir, 'there');
    const direct = await writeAllProducts(result, ctx, here, { cellM: 1000, percents: [50, 90], timingsMs: {}, warnings: [] });
    const ffmpegPath = findFfmpeg({});
    expect(ffmpegPath, 'ffmpeg is installed on the test machine').not.toBeNull();
    const stages: string[] = [];
    const off = await writeProductsOffThread(
      { result, ctx, workDir: there, cellM: 1000, percents: [50, 90], animation: { ffmpegPath: ffmpegPath!, land: { raster: null, rasterFrom: 'coastline', source: 'osm-seas-10m' } }, timingsMs: { simulation: 1 }, warnings: [] },
      (s) => stages.push(s),
    );
    expect(stages).toEqual(['animation', 'products']);
    expect(off.products.map((p) => p.kind)).toEqual(['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'search_areas_kmz', 'stranding_geojson', 'leeway_ascii', 'summary', 'animation']);
    expect(off.timingsMs).toMatchObject({ simulation: 1 });
    expect(off.timingsMs.animation).toBeGreaterThan(0);
    // summary.json holds the timings, which differ between two runs; every other file must not.
    for (const f of direct.filter((p) => p.kind !== 'summary')) {
      expect(sha(path.join(there, f.relPath)), f.relPath).toBe(f.sha256);
    }
    // syntheticResult sends 10 % of its particles out of the forcing: the one warning products carry.
    expect(off.warnings).toEqual(['300 of 3000 particles left the forcing area and stopped there (not drifting); their positions say nothing about the object']);
    expect(readFileSync(path.join(there, 'products/animation.mp4')).subarray(4, 8).toString('latin1')).toBe('ftyp');
  }, THREAD_TEST_MS);

  it('writes leeway.txt on the other thread: the same files, and a summary listing every one as it is on disk', async () => {
    const result = syntheticResult({ nParticles: 2000, nTimes: 13, releaseSteps: 2 });
    const ctx = syntheticContext();
    const here = path.join(dir, 'apart-here');
    const there = path.join(dir, 'apart-there');
    const direct = await writeAllProducts(result, ctx, here, { cellM: 1000, percents: [50, 90], timingsMs: {}, warnings: [] });
    const stages: string[] = [];
    const apart = await writeProductsOnMissionThreads(
      { result, ctx, workDir: there, cellM: 1000, percents: [50, 90], animation: null, timingsMs: { simulation: 1 }, warnings: [] },
      (s) => stages.push(s),
      true,
    );
    expect(stages).toEqual(['products']);
    // Same products in the same order as on one thread, every one but summary.json with the same bytes.
    expect(apart.products.map((p) => p.kind)).toEqual(direct.map((p) => p.kind));
    for (const f of direct.filter((p) => p.kind !== 'summary')) expect(sha(path.join(there, f.relPath)), f.relPath).toBe(f.sha256);
    for (const f of apart.products) expect(sha(path.join(there, f.relPath)), f.relPath).toBe(f.sha256);
    // summary.json lists every other product with its size and checksum on disk, and both threads' timings.
    const summary = JSON.parse(readFileSync(path.join(there, 'products/summary.json'), 'utf8')) as {
      products: Array<{ kind: string; bytes: number; sha256: string }>;
      timings_ms: Record<string, number>;
    };
    expect(summary.products).toEqual(apart.products.filter((p) => p.kind !== 'summary').map((p) => expect.objectContaining({ kind: p.kind, bytes: p.bytes, sha256: p.sha256 })));
    expect(Object.keys(summary.timings_ms)).toEqual(expect.arrayContaining(['simulation', 'trajectory_nc', 'leeway_ascii', 'products']));
    expect(apart.warnings).toEqual(['200 of 2000 particles left the forcing area and stopped there (not drifting); their positions say nothing about the object']);
  }, THREAD_TEST_MS);

  it('fails the whole when the leeway.txt thread fails, after both threads are done', async () => {
    const result = syntheticResult({ nParticles: 50, nTimes: 5, releaseSteps: 1 });
    const workDir = path.join(dir, 'apart-fail');
    // products/leeway.txt is a directory: the leeway thread cannot write it.
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(workDir, 'products/leeway.txt'), { recursive: true }));
    const err = await writeProductsOnMissionThreads(
      { result, ctx: syntheticContext(), workDir, cellM: 1000, percents: [50], animation: null, timingsMs: {}, warnings: [] },
      () => undefined,
      true,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DriftlineError', code: 'E_INTERNAL' });
    expect((err as Error).message).toMatch(/leeway_ascii/);
    // The other thread finished its products before the error came back; summary.json was never written.
    expect(sha(path.join(workDir, 'raw/particles.nc'))).toMatch(/^[0-9a-f]{64}$/);
    expect(() => readFileSync(path.join(workDir, 'products/summary.json'))).toThrow(/ENOENT/);
  }, THREAD_TEST_MS);

  it('carries a product error code and retryability across the thread', async () => {
    const result = syntheticResult({ nParticles: 10, nTimes: 3, releaseSteps: 1 });
    // The work directory is a file: mkdir fails (ENOTDIR), a permanent E_INTERNAL named for its stage.
    const file = path.join(dir, 'a-file');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    const err = await writeProductsOffThread(
      { result, ctx: syntheticContext(), workDir: file, cellM: 1000, percents: [50], animation: null, timingsMs: {}, warnings: [] },
      () => undefined,
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DriftlineError', code: 'E_INTERNAL', retryable: false });
  }, THREAD_TEST_MS);

  it('rasterises the same coastline on a thread as here', async () => {
    const ctx = syntheticContext({ hours: 6 });
    const onThread = await missionLandOffThread(ctx.model, null, {});
    const local = await missionLand(ctx.model, null, {});
    expect(onThread).not.toBeNull();
    expect({ ...onThread, data: undefined }).toEqual({ ...local, data: undefined });
    expect(Buffer.from(onThread!.data).equals(Buffer.from(local!.data))).toBe(true);
  }, THREAD_TEST_MS);
});
