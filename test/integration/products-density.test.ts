/**
 * products/density.nc: read by ncdump and netcdfjs, probability sums to 1 at each time, counts agree with
 * an independent count of the trajectory, CF grid metadata and ACDD attributes present.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { buildDensityGrid, type DensityGrid } from '../../src/products/density-grid.js';
import { gridExtent, writeDensityNc } from '../../src/products/density-nc.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-density-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 2000;
const NT = 13;
const result = syntheticResult({ nParticles: N, nTimes: NT, releaseSteps: 4 });
const ctx = syntheticContext();
const file = path.join(dir, 'density.nc');
let grid: DensityGrid;
let r: NetCDFReader;

beforeAll(async () => {
  grid = buildDensityGrid(result, 1000);
  await writeDensityNc(grid, ctx, file);
  r = new NetCDFReader(readFileSync(file));
});

const varAttr = (v: string, a: string) =>
  (r.variables.find((x) => x.name === v)?.attributes as unknown as { name: string; value: unknown }[] | undefined)?.find((x) => x.name === a)?.value;

describe('products/density.nc', () => {
  it('is read by ncdump -h with time × lat × lon variables, bounds and a crs', () => {
    expect(execFileSync('ncdump', ['-k', file], { encoding: 'utf8' }).trim()).toBe('64-bit offset');
    const cdl = execFileSync('ncdump', ['-h', file], { encoding: 'utf8' });
    for (const decl of [
      'float probability(time, lat, lon)',
      'int particle_count(time, lat, lon)',
      'int stranded_count(time, lat, lon)',
      'double lat_bnds(lat, bnds)',
      'double lon_bnds(lon, bnds)',
      'int crs ;',
      'double time(time)',
    ]) {
      expect(cdl).toContain(decl);
    }
    expect(cdl).toContain(`lat = ${grid.ny} ;`);
    expect(cdl).toContain(`lon = ${grid.nx} ;`);
  });

  it('has probability summing to 1 ± 1e-6 at every time', () => {
    const p = r.getDataVariable('probability') as number[];
    const cells = grid.nx * grid.ny;
    expect(p.length).toBe(cells * NT);
    for (let t = 0; t < NT; t++) {
      let sum = 0;
      for (let k = 0; k < cells; k++) sum += at(p, t * cells + k);
      // float32 values each rounded to 6e-8 relative, so the sum is off by at most ~6e-8: 1e-6 is ample.
      expect(Math.abs(sum - 1), `time ${t}`).toBeLessThan(1e-6);
    }
  });

  it('counts every released particle once, stranded ones apart (checked against the trajectory)', () => {
    const counts = r.getDataVariable('particle_count') as number[];
    const stranded = r.getDataVariable('stranded_count') as number[];
    expect(counts).toEqual(Array.from(grid.counts));
    expect(stranded).toEqual(Array.from(grid.stranded));
    const cells = grid.nx * grid.ny;
    for (let t = 0; t < NT; t++) {
      let released = 0;
      let nStranded = 0;
      for (let p = 0; p < N; p++) {
        const s = result.status[p * NT + t];
        if (s !== STATUS.NOT_RELEASED) released++;
        if (s === STATUS.STRANDED) nStranded++;
      }
      let c = 0;
      let s = 0;
      for (let k = 0; k < cells; k++) {
        c += at(counts, t * cells + k);
        s += at(stranded, t * cells + k);
      }
      expect(c + s, `released at ${t}`).toBe(released);
      expect(s, `stranded at ${t}`).toBe(nStranded);
    }
    expect((r.getDataVariable('released_count') as number[])[0]).toBe(N / 4); // a quarter released per step
  });

  it('has coordinate variables with bounds that tile the grid', () => {
    const lat = r.getDataVariable('lat') as number[];
    const lon = r.getDataVariable('lon') as number[];
    const latB = r.getDataVariable('lat_bnds') as number[];
    const lonB = r.getDataVariable('lon_bnds') as number[];
    for (let j = 0; j < grid.ny; j++) {
      expect(latB[2 * j]).toBeCloseTo(grid.southDeg + j * grid.dLatDeg, 12); // degrees; doubles, 1e-12 is rounding
      expect(latB[2 * j + 1]).toBeCloseTo(grid.southDeg + (j + 1) * grid.dLatDeg, 12);
      expect(lat[j]).toBeCloseTo((at(latB, 2 * j) + at(latB, 2 * j + 1)) / 2, 12);
      if (j > 0) expect(latB[2 * j]).toBe(latB[2 * j - 1]);
    }
    for (let i = 0; i < grid.nx; i++) {
      expect(lon[i]).toBeCloseTo((at(lonB, 2 * i) + at(lonB, 2 * i + 1)) / 2, 12);
      if (i > 0) expect(lonB[2 * i]).toBe(lonB[2 * i - 1]);
    }
    expect(r.getDataVariable('time')).toEqual(Array.from(result.timesSec));
  });

  it('carries CF grid metadata: units, standard names, cell_methods, bounds, crs', () => {
    expect(varAttr('probability', 'units')).toBe('1');
    expect(varAttr('probability', 'grid_mapping')).toBe('crs');
    expect(varAttr('probability', 'cell_methods')).toBe('time: point area: sum');
    expect(varAttr('particle_count', 'standard_name')).toBe('number_of_observations');
    expect(varAttr('stranded_count', 'grid_mapping')).toBe('crs');
    expect(varAttr('lat', 'bounds')).toBe('lat_bnds');
    expect(varAttr('lon', 'bounds')).toBe('lon_bnds');
    expect(varAttr('lat', 'standard_name')).toBe('latitude');
    expect(varAttr('lon', 'units')).toBe('degrees_east');
    expect(varAttr('time', 'units')).toBe('seconds since 1970-01-01T00:00:00Z');
    expect(varAttr('crs', 'grid_mapping_name')).toBe('latitude_longitude');
    expect(varAttr('crs', 'semi_major_axis')).toBe(6378137);
    expect(varAttr('crs', 'inverse_flattening')).toBe(298.257223563);
  });

  it('carries ACDD attributes with the grid as geospatial bounds and the run as time coverage', () => {
    const a = (n: string) => r.getAttribute(n);
    expect(a('Conventions')).toBe('CF-1.11, ACDD-1.3');
    expect(a('cdm_data_type')).toBe('Grid');
    for (const n of ['title', 'summary', 'id', 'naming_authority', 'history', 'date_created', 'creator_name', 'institution', 'project', 'source', 'processing_level', 'keywords', 'license', 'product_version']) {
      expect(String(a(n)).length, n).toBeGreaterThan(0);
    }
    expect(a('geospatial_lat_min')).toBeCloseTo(grid.southDeg, 12);
    expect(a('geospatial_lat_max')).toBeCloseTo(grid.southDeg + grid.ny * grid.dLatDeg, 12);
    expect(a('geospatial_lon_min')).toBeCloseTo(grid.westDeg, 12);
    expect(a('geospatial_lon_max')).toBeCloseTo(grid.westDeg + grid.nx * grid.dLonDeg, 12);
    expect(a('time_coverage_start')).toBe('2024-01-01T12:00:00Z');
    expect(a('time_coverage_end')).toBe('2024-01-02T00:00:00Z');
    expect(a('time_coverage_duration')).toBe('PT12H');
    expect(a('density_cell_size_m')).toBe(grid.cellM);
    expect(a('mission_num_particles')).toBe(1000);
    expect(r.attributeExists('featureType')).toBe(false); // gridded data is not a discrete sampling geometry
  });

  it('writes probability 0 at a time with no released particle, and handles an antimeridian grid', async () => {
    // A hand-made 2 × 1 grid straddling 180°: west edge 179.5, 1° cells.
    const g: DensityGrid = {
      westDeg: 179.5, southDeg: -10, dLonDeg: 1, dLatDeg: 1, nx: 2, ny: 1, nTimes: 2,
      timesSec: Float64Array.from([0, 3600]),
      counts: Uint32Array.from([0, 0, 3, 0]),
      stranded: Uint32Array.from([0, 0, 0, 1]),
      releasedPerTime: Uint32Array.from([0, 4]),
      cellM: 111_320, requestedCellM: 1000,
    };
    const f = path.join(dir, 'tiny.nc');
    await writeDensityNc(g, ctx, f);
    const t = new NetCDFReader(readFileSync(f));
    expect(t.getDataVariable('probability')).toEqual([0, 0, 0.75, 0.25]);
    expect(t.getDataVariable('lon')).toEqual([180, 181]); // monotonic across the antimeridian
    expect(t.getAttribute('geospatial_lon_min')).toBe(179.5);
    expect(t.getAttribute('geospatial_lon_max')).toBe(-178.5); // west > east: crosses the antimeridian (ACDD)
    expect(t.getAttribute('density_cell_size_comment')).toMatch(/coarsened from the requested 1000 m/);
    expect(gridExtent(g).latMaxDeg).toBe(-9);
    expect(execFileSync('ncdump', ['-v', 'probability', f], { encoding: 'utf8' })).toMatch(/probability =\s+0, 0,\s+0\.75, 0\.25 ;/);
  });
});
