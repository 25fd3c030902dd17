/**
 * density.nc's smoothed layer and its separate accounting of stranded and outside-the-forcing
 * particles (issue 8 item 3), read back with our NetCDF-3 reader and netcdfjs. A hand-made run:
 * 3 records of a 2 000-particle Gaussian cloud (4 × 2 km) with unequal weights; from record 1, 200
 * particles are stranded (kept in the cloud), from record 2, 100 more have left the forcing and sit
 * frozen 30 km east (the "false ridge" of issue 8).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNetcdf } from '../../src/netcdf/open.js';
import { STATUS } from '../../src/model/types.js';
import { buildDensityGrid, cellOf, type DensityGrid } from '../../src/products/density-grid.js';
import { DensityLayerBuilder } from '../../src/products/density-layers.js';
import { writeDensityNc } from '../../src/products/density-nc.js';
import { smoothedSearchAreas } from '../../src/products/search-smoothed.js';
import { syntheticContext } from '../unit/products.fixtures.js';
import { gaussianCloud, handTrajectory, M_PER_DEG } from '../unit/search-fixtures.js';
import { at } from '../helpers/indexed.js';

const N = 2000;
const NT = 3;
const LON0 = 4.6;
const LAT0 = 59.3;
const FROZEN_LON = LON0 + 30_000 / (M_PER_DEG * Math.cos((LAT0 * Math.PI) / 180));
const T0 = Date.UTC(2024, 0, 1, 12) / 1000;

const g = gaussianCloud(N, 5, { lon0: LON0, lat0: LAT0, sxM: 4000, syM: 2000, rotRad: 0.4 });
const result = handTrajectory(
  [T0, T0 + 3600, T0 + 7200],
  Array.from({ length: N }, (_, p) => {
    const stranded = p < 200;
    const outside = p >= 200 && p < 300;
    return {
      lon: [at(g.lon, p), at(g.lon, p), outside ? FROZEN_LON : at(g.lon, p)],
      lat: [at(g.lat, p), at(g.lat, p), at(g.lat, p)],
      status: [STATUS.ACTIVE, stranded ? STATUS.STRANDED : STATUS.ACTIVE, stranded ? STATUS.STRANDED : outside ? STATUS.OUTSIDE : STATUS.ACTIVE],
    };
  }),
);
// Unequal weights (Σ = 1): particle p weighs ∝ 1 + (p mod 3).
const raw = Array.from({ length: N }, (_, p) => 1 + (p % 3));
const total = raw.reduce((a, b) => a + b, 0);
const weights = Float64Array.from(raw, (w) => w / total);

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-density-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'density.nc');
let grid: DensityGrid;
let vars: Map<string, Float64Array>;
let nc: NetCDFReader;

beforeAll(async () => {
  grid = buildDensityGrid(result, 1000);
  const layers = new DensityLayerBuilder(grid, result, weights);
  smoothedSearchAreas(result, weights, [50, 90], (t, map) => layers.add(t, map));
  await writeDensityNc(grid, syntheticContext(), file, {}, layers.layers);
  const f = await openNetcdf(file);
  vars = new Map();
  for (const name of ['probability_smoothed', 'smoothed_probability_off_grid', 'drifting_probability', 'stranded_probability', 'outside_probability', 'drifting_count', 'stranded_count_total', 'outside_count', 'particle_count', 'probability']) {
    vars.set(name, await f.read(name));
  }
  await f.close();
  nc = new NetCDFReader(readFileSync(file));
});

const v = (name: string): Float64Array => {
  const a = vars.get(name);
  if (!a) throw new Error(`no ${name}`);
  return a;
};
const sumWeights = (pred: (p: number) => boolean) => weights.reduce((s, w, p) => (pred(p) ? s + w : s), 0);

describe('density.nc: smoothed layer, stranded and outside apart from drifting', () => {
  it('per time: drifting, stranded and outside probability are the weights of those particles, summing to 1 (1e-12)', () => {
    const expected = [
      [1, 0, 0],
      [sumWeights((p) => p >= 200), sumWeights((p) => p < 200), 0],
      [sumWeights((p) => p >= 300), sumWeights((p) => p < 200), sumWeights((p) => p >= 200 && p < 300)],
    ];
    for (let t = 0; t < NT; t++) {
      const got = [at(v('drifting_probability'), t), at(v('stranded_probability'), t), at(v('outside_probability'), t)];
      got.forEach((x, k) => expect(x).toBeCloseTo(at(at(expected, t), k), 12));
      expect(at(got, 0) + at(got, 1) + at(got, 2)).toBeCloseTo(1, 12);
    }
    expect(Array.from(v('drifting_count'))).toEqual([2000, 1800, 1700]);
    expect(Array.from(v('stranded_count_total'))).toEqual([0, 200, 200]);
    expect(Array.from(v('outside_count'))).toEqual([0, 0, 100]);
  });

  it('particle_count holds drifting particles only: the frozen particles\' cell has none, and the grid total equals drifting_count', () => {
    const cells = grid.nx * grid.ny;
    const pc = v('particle_count');
    for (let t = 0; t < NT; t++) {
      let s = 0;
      for (let c = 0; c < cells; c++) s += at(pc, t * cells + c);
      expect(s).toBe(v('drifting_count')[t]);
    }
    const frozen = cellOf(grid, FROZEN_LON, LAT0);
    expect(frozen).not.toBeNull();
    const k = 2 * cells + frozen!.y * grid.nx + frozen!.x;
    expect(grid.counts[k]).toBeGreaterThan(0); // the raw grid counted them with the non-stranded ones
    expect(pc[k]).toBe(0);
  });

  it('probability_smoothed sums to drifting_probability less the off-grid tails (float32 sums: 1e-5), and puts nothing on the frozen particles', () => {
    const cells = grid.nx * grid.ny;
    const sm = v('probability_smoothed');
    for (let t = 0; t < NT; t++) {
      let s = 0;
      for (let c = 0; c < cells; c++) s += at(sm, t * cells + c);
      expect(s + at(v('smoothed_probability_off_grid'), t)).toBeCloseTo(at(v('drifting_probability'), t), 5);
      expect(at(v('smoothed_probability_off_grid'), t)).toBeLessThan(0.01);
    }
    const frozen = cellOf(grid, FROZEN_LON, LAT0)!;
    // 30 km east of a cloud with σ ≤ 4 km: beyond the kernel's 4-bandwidth truncation.
    expect(sm[2 * cells + frozen.y * grid.nx + frozen.x]).toBe(0);
  });

  it('probability_smoothed is centred on the weighted drifting particles (within 100 m) and spreads wider than them', () => {
    const cells = grid.nx * grid.ny;
    const sm = v('probability_smoothed');
    const t = 2;
    let m = 0;
    let lon = 0;
    let lat = 0;
    let lat2 = 0;
    for (let y = 0; y < grid.ny; y++) {
      for (let x = 0; x < grid.nx; x++) {
        const w = at(sm, t * cells + y * grid.nx + x);
        const cx = grid.westDeg + (x + 0.5) * grid.dLonDeg;
        const cy = grid.southDeg + (y + 0.5) * grid.dLatDeg;
        m += w;
        lon += w * cx;
        lat += w * cy;
        lat2 += w * cy * cy;
      }
    }
    lon /= m;
    lat /= m;
    const sdLatM = Math.sqrt(lat2 / m - lat * lat) * M_PER_DEG;
    let pw = 0;
    let plon = 0;
    let plat = 0;
    let plat2 = 0;
    for (let p = 300; p < N; p++) {
      pw += at(weights, p);
      plon += at(weights, p) * at(g.lon, p);
      plat += at(weights, p) * at(g.lat, p);
      plat2 += at(weights, p) * at(g.lat, p) ** 2;
    }
    plon /= pw;
    plat /= pw;
    const psdLatM = Math.sqrt(plat2 / pw - plat * plat) * M_PER_DEG;
    // 100 m: a tenth of a 1 km cell (cell centres stand for the mass in them).
    expect(Math.abs(lat - plat) * M_PER_DEG).toBeLessThan(100);
    expect(Math.abs(lon - plon) * M_PER_DEG * Math.cos((LAT0 * Math.PI) / 180)).toBeLessThan(100);
    // The kernel adds its own variance (and binning ~cell²/12): the spread grows, by less than 50 %.
    expect(sdLatM).toBeGreaterThan(psdLatM);
    expect(sdLatM).toBeLessThan(1.5 * psdLatM);
  });

  it('ncdump -h declares the new variables', () => {
    const cdl = execFileSync('ncdump', ['-h', file], { encoding: 'utf8' });
    for (const decl of [
      'float probability_smoothed(time, lat, lon)',
      'double smoothed_probability_off_grid(time)',
      'double drifting_probability(time)',
      'double stranded_probability(time)',
      'double outside_probability(time)',
      'int drifting_count(time)',
      'int stranded_count_total(time)',
      'int outside_count(time)',
      'int particle_count(time, lat, lon)',
      'float probability(time, lat, lon)',
    ]) {
      expect(cdl).toContain(decl);
    }
  });

  it('every new variable is documented (long_name, units, comment), read by netcdfjs', () => {
    for (const name of ['probability_smoothed', 'smoothed_probability_off_grid', 'drifting_probability', 'stranded_probability', 'outside_probability', 'drifting_count', 'stranded_count_total', 'outside_count']) {
      const attrs = (nc.variables.find((x) => x.name === name)?.attributes ?? []) as unknown as { name: string; value: unknown }[];
      const names = attrs.map((a) => a.name);
      expect(names, name).toEqual(expect.arrayContaining(['long_name', 'units', 'comment']));
    }
    const pc = (nc.variables.find((x) => x.name === 'particle_count')?.attributes ?? []) as unknown as { name: string; value: unknown }[];
    expect(pc.find((a) => a.name === 'long_name')?.value).toMatch(/neither stranded nor outside/);
    expect(nc.variables.find((x) => x.name === 'probability_smoothed')?.dimensions).toBeDefined();
  });
});
