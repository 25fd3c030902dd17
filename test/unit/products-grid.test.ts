import { describe, expect, it } from 'vitest';
import {
  buildDensityGrid,
  cellOf,
  MAX_GRID_CELL_TIMES,
  type DensityGrid,
} from '../../src/products/density-grid.js';
import { M_PER_DEG_LAT, unwrapLonDeg } from '../../src/model/geo.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { syntheticCloud } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

function sumAt(a: Uint32Array, grid: DensityGrid, t: number): number {
  const n = grid.nx * grid.ny;
  return a.subarray(t * n, (t + 1) * n).reduce((s, v) => s + v, 0);
}

/** Recount every record by the grid's own edges, independently of the builder's loop. */
function expectEveryRecordInItsCell(result: TrajectoryResult, grid: DensityGrid): void {
  const expected = new Uint32Array(grid.counts.length);
  const expectedStranded = new Uint32Array(grid.counts.length);
  const centre = grid.westDeg + (grid.nx * grid.dLonDeg) / 2;
  for (let p = 0; p < result.nParticles; p++) {
    for (let t = 0; t < result.nTimes; t++) {
      const i = p * result.nTimes + t;
      const lonRaw = at(result.lonDeg, i);
      if (Number.isNaN(lonRaw)) continue;
      const lon = unwrapLonDeg(lonRaw, centre);
      const x = Math.floor((lon - grid.westDeg) / grid.dLonDeg);
      const y = Math.floor((at(result.latDeg, i) - grid.southDeg) / grid.dLatDeg);
      // One cell of padding on every side: no record in the outer ring of cells.
      expect(x).toBeGreaterThanOrEqual(1);
      expect(x).toBeLessThanOrEqual(grid.nx - 2);
      expect(y).toBeGreaterThanOrEqual(1);
      expect(y).toBeLessThanOrEqual(grid.ny - 2);
      const cell = (t * grid.ny + y) * grid.nx + x;
      const counts = result.status[i] === STATUS.STRANDED ? expectedStranded : expected;
      counts[cell] = at(counts, cell) + 1;
    }
  }
  // Element loop, not toEqual: vitest's deep equality takes ~1 min on an 8 M-cell array.
  let mismatches = 0;
  for (let c = 0; c < expected.length; c++) {
    if (grid.counts[c] !== expected[c] || grid.stranded[c] !== expectedStranded[c]) mismatches++;
  }
  expect(grid.counts.length).toBe(expected.length);
  expect(mismatches).toBe(0);
}

describe('buildDensityGrid', () => {
  it('counts every released record once, stranded apart, in the cell whose edges hold it', () => {
    const result = syntheticCloud({
      nParticles: 2000,
      nTimes: 13,
      lon0Deg: 4.5,
      lat0Deg: 60.2,
      driftEastMPerStep: 800,
      driftNorthMPerStep: -300,
      strandedFraction: 0.1,
      outsideFraction: 0.05,
      releaseSteps: 4,
    });
    const grid = buildDensityGrid(result, 1000);
    expectEveryRecordInItsCell(result, grid);
    for (let t = 0; t < result.nTimes; t++) {
      let released = 0;
      for (let p = 0; p < result.nParticles; p++) if (!Number.isNaN(result.lonDeg[p * result.nTimes + t])) released++;
      expect(grid.releasedPerTime[t]).toBe(released);
      expect(sumAt(grid.counts, grid, t) + sumAt(grid.stranded, grid, t)).toBe(released);
    }
    // Staggered release: fewer particles at t = 0 than at the end; stranded only from mid-run.
    expect(at(grid.releasedPerTime, 0)).toBeLessThan(at(grid.releasedPerTime, 12));
    expect(sumAt(grid.stranded, grid, 0)).toBe(0);
    expect(sumAt(grid.stranded, grid, 12)).toBe(200);
  });

  it('makes ~square cells of the requested size in metres', () => {
    const result = syntheticCloud({ nParticles: 500, nTimes: 5, lon0Deg: -70, lat0Deg: 42 });
    const grid = buildDensityGrid(result, 1000);
    expect(grid.cellM).toBe(1000);
    expect(grid.requestedCellM).toBe(1000);
    // North-south: exactly cellM / 111 320 m per degree.
    expect(grid.dLatDeg * M_PER_DEG_LAT).toBeCloseTo(1000, 9);
    // East-west at the grid's mid-latitude: within 1 % (the cloud spans < 0.1° of latitude, cos varies < 0.2 %).
    const midLat = grid.southDeg + (grid.ny * grid.dLatDeg) / 2;
    const eastWestM = grid.dLonDeg * M_PER_DEG_LAT * Math.cos((midLat * Math.PI) / 180);
    expect(Math.abs(eastWestM - 1000)).toBeLessThan(10);
    // Fitted to the cloud: a 500 m + 4×200 m sigma cloud is ~10 km across, so tens of cells, not thousands.
    expect(grid.nx).toBeLessThan(40);
    expect(grid.ny).toBeLessThan(40);
  });

  it('keeps a cloud crossing the antimeridian in one narrow grid', () => {
    const result = syntheticCloud({
      nParticles: 1000,
      nTimes: 7,
      lon0Deg: 179.98,
      lat0Deg: -16,
      driftEastMPerStep: 1500,
      sigma0M: 2000,
    });
    let east = 0;
    let west = 0;
    for (const lon of result.lonDeg) {
      if (lon > 0) east++;
      else west++;
    }
    expect(east).toBeGreaterThan(0); // the fixture really straddles 180°
    expect(west).toBeGreaterThan(0);
    const grid = buildDensityGrid(result, 1000);
    // ~30 km of cloud at 1 km cells, not 360° of longitude.
    expect(grid.nx * grid.dLonDeg).toBeLessThan(1);
    expect(grid.westDeg).toBeLessThan(180);
    expect(grid.westDeg + grid.nx * grid.dLonDeg).toBeGreaterThan(180);
    expectEveryRecordInItsCell(result, grid);
    expect(cellOf(grid, -179.99, -16)).not.toBeNull();
    expect(cellOf(grid, 0, -16)).toBeNull();
  });

  it('coarsens the cells to stay under the memory cap and says by how much', () => {
    // A 20° × 20° cloud at 100 m cells would be ~5e8 cells per step.
    const result = syntheticCloud({ nParticles: 400, nTimes: 49, lon0Deg: 10, lat0Deg: 0, sigma0M: 400_000, sigmaGrowthMPerStep: 0 });
    const grid = buildDensityGrid(result, 100);
    expect(grid.nx * grid.ny * grid.nTimes).toBeLessThanOrEqual(MAX_GRID_CELL_TIMES);
    expect(grid.requestedCellM).toBe(100);
    expect(grid.cellM).toBeGreaterThan(1000);
    // Not coarser than needed: within 20 % of the budget (padding cells and the 2 % coarsening steps).
    expect(grid.nx * grid.ny * grid.nTimes).toBeGreaterThan(0.8 * MAX_GRID_CELL_TIMES);
    expect(grid.dLatDeg * M_PER_DEG_LAT).toBeCloseTo(grid.cellM, 6);
    expectEveryRecordInItsCell(result, grid);
  });

  it('gives an empty one-cell grid at the seed when nothing is released', () => {
    const result = syntheticCloud({ nParticles: 10, nTimes: 3, lon0Deg: 5, lat0Deg: 55 });
    result.lonDeg.fill(NaN);
    result.latDeg.fill(NaN);
    const grid = buildDensityGrid(result, 1000);
    // One cell at the seed plus one of padding each side.
    expect(grid.nx).toBe(3);
    expect(grid.ny).toBe(3);
    expect(Array.from(grid.releasedPerTime)).toEqual([0, 0, 0]);
    expect(grid.counts.every((c) => c === 0)).toBe(true);
    expect(grid.westDeg).toBeLessThan(5);
    expect(grid.westDeg + grid.nx * grid.dLonDeg).toBeGreaterThan(5);
  });

  it('rejects a non-positive cell size naming the field', () => {
    const result = syntheticCloud({ nParticles: 10, nTimes: 2, lon0Deg: 0, lat0Deg: 0 });
    expect(() => buildDensityGrid(result, 0)).toThrow(/density_cell_m/);
  });
});
