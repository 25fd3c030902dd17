/**
 * writeAllProducts, exactly as src/mission/run.ts calls it: every file written where PRODUCT_PATHS says,
 * described with size and sha256, per-product timings recorded, the summary listing the others.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRODUCT_PATHS } from '../../src/products/types.js';
import { writeAllProducts } from '../../src/products/write.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-products-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAllProducts', () => {
  it('writes trajectory, density, search areas and summary, each described with size and sha256', async () => {
    const result = syntheticResult({ nParticles: 3000, nTimes: 25, releaseSteps: 3 });
    const ctx = syntheticContext({ fallbackWind: true });
    const timingsMs: Record<string, number> = { forcing: 5, simulation: 50 };
    const warnings: string[] = ['FALLBACK FORCING: the mission named no wind forcing; used configured fallback constant [5, 0] m/s'];
    const files = await writeAllProducts(result, ctx, dir, { cellM: 1000, percents: [50, 90, 95], timingsMs, warnings });

    expect(files.map((f) => f.kind)).toEqual(['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'search_areas_kmz', 'stranding_geojson', 'leeway_ascii', 'summary']);
    for (const f of files) {
      expect(f.relPath).toBe(PRODUCT_PATHS[f.kind].relPath);
      expect(f.path).toBe(path.join(dir, f.relPath));
      expect(f.contentType).toBe(PRODUCT_PATHS[f.kind].contentType);
      const bytes = readFileSync(f.path);
      expect(f.bytes).toBe(bytes.length);
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    for (const stage of ['trajectory_nc', 'density_grid', 'density_nc', 'search_areas', 'search_areas_kmz', 'checksums', 'leeway_ascii', 'summary']) {
      expect(typeof timingsMs[stage], stage).toBe('number');
    }
    expect(execFileSync('ncdump', ['-h', path.join(dir, 'raw/particles.nc')], { encoding: 'utf8' })).toContain('trajectory = 3000 ;');
    expect(execFileSync('ncdump', ['-h', path.join(dir, 'products/density.nc')], { encoding: 'utf8' })).toContain('probability(time, lat, lon)');
    // OpenDrift's export_ascii layout: header, then per record the particles seen so far (all 3000 at the end).
    const ascii = readFileSync(path.join(dir, 'products/leeway.txt'), 'utf8');
    expect(ascii.startsWith('# Drift simulation initiated [UTC]:\nsimDate simTime\n2024-01-01\t12:00:00\t#\n')).toBe(true);
    expect(ascii.trimEnd().split('\n').at(-1)).toMatch(/^3000\t[-\d.]+\t[-\d.]+\t(11|41|2)\t\d+\t[01]$/);

    const summary = JSON.parse(readFileSync(path.join(dir, 'products/summary.json'), 'utf8'));
    expect(summary.FORCING_FALLBACK).toMatch(/FALLBACK FORCING/);
    expect(summary.warnings).toEqual(warnings);
    expect(summary.timings_ms.simulation).toBe(50);
    expect(summary.timings_ms.trajectory_nc).toBe(timingsMs.trajectory_nc);
    expect(summary.products.map((p: { path: string }) => p.path)).toEqual([
      'raw/particles.nc',
      'products/density.nc',
      'products/search_areas.geojson',
      'products/search_areas.kml',
      'products/search_areas.kmz',
      'products/stranding.geojson',
      'products/leeway.txt',
    ]);
    expect(summary.products[0].sha256).toBe(at(files, 0).sha256);
    expect(summary.density_grid.cell_m).toBe(1000);
    expect(statSync(path.join(dir, 'raw/particles.nc')).size).toBe(at(files, 0).bytes);
  });

  it('warns when the density grid had to be coarsened', async () => {
    const out = path.join(dir, 'coarse');
    const warnings: string[] = [];
    // 10 m cells over a ~30 km cloud for 25 times would be ~9 M cells per time: over the grid's cap.
    await writeAllProducts(syntheticResult({ nParticles: 500, nTimes: 25 }), syntheticContext(), out, {
      cellM: 10,
      percents: [95],
      timingsMs: {},
      warnings,
    });
    expect(warnings.some((w) => /density grid coarsened from 10 m/.test(w))).toBe(true);
  });
});
