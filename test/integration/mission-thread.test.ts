/**
 * Product writing on a mission thread (src/mission/thread-pool.ts) writes the same bytes as the same
 * writers on the calling thread, and the same again when split over both mission threads; reports its
 * stages, carries error codes across, fails the whole when either thread fails; and the coastline
 * raster made on a thread is the one made here.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/products/animation/index.js';
import { DEFAULT_ANIMATION_LAND } from '../../src/products/animation/land.js';
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

  it('writes the same products split over two threads as on one: particles.nc and leeway.txt on the other thread', async () => {
    const result = syntheticResult({ nParticles: 2000, nTimes: 13, releaseSteps: 2 });
    const ctx = syntheticContext();
    const input = (workDir: string) => ({
      result,
      ctx,
      workDir,
      cellM: 1000,
      percents: [50, 90],
      animation: null,
      map: { land: DEFAULT_ANIMATION_LAND },
      timingsMs: { simulation: 1 },
      warnings: [],
    });
    const one = await writeProductsOnMissionThreads(input(path.join(dir, 'one')), () => undefined, false);
    const stages: string[] = [];
    const split = await writeProductsOnMissionThreads(input(path.join(dir, 'split')), (s) => stages.push(s), true);
    expect(stages).toEqual(['products']);
    // Same products in the same order, map.png (drawn before the files) last, as on one thread.
    expect(one.products.map((p) => p.kind)).toEqual(['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'search_areas_kmz', 'stranding_geojson', 'leeway_ascii', 'summary', 'map']);
    expect(split.products.map((p) => p.relPath)).toEqual(one.products.map((p) => p.relPath));
    // Every file but summary.json byte for byte, with the size and checksum it is listed with.
    for (const [i, f] of split.products.entries()) {
      expect(sha(f.path), f.relPath).toBe(f.sha256);
      if (f.kind !== 'summary') expect({ bytes: f.bytes, sha256: f.sha256 }, f.relPath).toEqual({ bytes: one.products[i]!.bytes, sha256: one.products[i]!.sha256 });
    }
    // summary.json differs only in the timings (two runs), and has the same stages.
    type Summary = { products: unknown[]; timings_ms: Record<string, number> };
    const summaryOf = (out: typeof one) => JSON.parse(readFileSync(out.products.find((p) => p.kind === 'summary')!.path, 'utf8')) as Summary;
    const { timings_ms: splitTimings, ...splitSummary } = summaryOf(split);
    const { timings_ms: oneTimings, ...oneSummary } = summaryOf(one);
    expect(splitSummary).toEqual(oneSummary);
    expect(splitSummary.products).toHaveLength(one.products.length - 1);
    expect(Object.keys(split.timingsMs).sort()).toEqual(Object.keys(one.timingsMs).sort());
    expect(Object.keys(splitTimings).sort()).toEqual(Object.keys(oneTimings).sort());
    expect(split.warnings).toEqual(one.warnings);
    expect(split.warnings).toEqual(['200 of 2000 particles left the forcing area and stopped there (not drifting); their positions say nothing about the object']);
  }, THREAD_TEST_MS);

  it('runs two split missions at once on the two threads (a worker with MAX_CONCURRENT_JOBS 2): both finish, with the products each writes alone', async () => {
    // Four tasks on two threads: no task waits for another, so whichever order piscina runs them in,
    // both missions end (a task that waited for its sibling could hold both threads and never finish).
    const missions = [3, 4].map((seed) => ({ result: syntheticResult({ nParticles: 1500 + seed, nTimes: 9, releaseSteps: 2, seed }), ctx: syntheticContext() }));
    const input = (k: number, workDir: string) => ({ ...missions[k]!, workDir, cellM: 1000, percents: [50, 90], animation: null, timingsMs: {}, warnings: [] });
    const together = await Promise.all([0, 1].map((k) => writeProductsOnMissionThreads(input(k, path.join(dir, `together-${k}`)), () => undefined, true)));
    for (const k of [0, 1]) {
      const alone = await writeProductsOnMissionThreads(input(k, path.join(dir, `alone-${k}`)), () => undefined, true);
      expect(together[k]!.products.map((p) => p.relPath)).toEqual(alone.products.map((p) => p.relPath));
      for (const [i, f] of together[k]!.products.entries()) {
        expect(sha(f.path), f.relPath).toBe(f.sha256);
        if (f.kind !== 'summary') expect(f.sha256, `mission ${k} ${f.relPath}`).toBe(alone.products[i]!.sha256);
      }
    }
    // The two missions' files are their own (different particle counts: different particles.nc).
    expect(together[0]!.products[0]!.sha256).not.toBe(together[1]!.products[0]!.sha256);
  }, THREAD_TEST_MS);

  /** A directory where a product goes: the thread that writes that product fails. */
  const blocked = async (workDir: string, ...relPaths: string[]) => {
    for (const p of relPaths) await mkdir(path.join(workDir, p), { recursive: true });
    return { result: syntheticResult({ nParticles: 50, nTimes: 5, releaseSteps: 1 }), ctx: syntheticContext(), workDir, cellM: 1000, percents: [50], animation: null, timingsMs: {}, warnings: [] };
  };

  it.each([
    { thread: 'record-files thread', blocks: 'products/leeway.txt', stage: /leeway_ascii/, others: ['products/density.nc', 'products/stranding.geojson'] },
    { thread: 'other thread', blocks: 'products/density.nc', stage: /density_nc/, others: ['raw/particles.nc', 'products/leeway.txt'] },
  ])('fails the whole when the $thread fails, once the other thread is done', async ({ blocks, stage, others }) => {
    const workDir = path.join(dir, `fail-${path.basename(blocks)}`);
    const err = await writeProductsOnMissionThreads(await blocked(workDir, blocks), () => undefined, true).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DriftlineError', code: 'E_INTERNAL' });
    expect((err as Error).message).toMatch(stage);
    // The other thread finished its files before the error came back; summary.json was never written.
    for (const f of others) expect(sha(path.join(workDir, f)), f).toMatch(/^[0-9a-f]{64}$/);
    expect(() => readFileSync(path.join(workDir, 'products/summary.json'))).toThrow(/ENOENT/);
  }, THREAD_TEST_MS);

  it('throws the error of the thread writing the search products when both fail', async () => {
    const workDir = path.join(dir, 'both-fail');
    const err = await writeProductsOnMissionThreads(await blocked(workDir, 'products/density.nc', 'raw/particles.nc'), () => undefined, true).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DriftlineError', code: 'E_INTERNAL' });
    expect((err as Error).message).toMatch(/density_nc/);
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
