/**
 * density.nc's raw probability by weight (issue 8 item 1: the density uses the particle weights too):
 * checked against a sum written out here, per cell, on a synthetic run with stranded and
 * outside-the-forcing particles; equal weights with nobody outside keep the count ratio (no layer).
 */
import { describe, expect, it } from 'vitest';
import { STATUS } from '../../src/model/types.js';
import { buildDensityGrid, cellOf } from '../../src/products/density-grid.js';
import { DensityLayerBuilder } from '../../src/products/density-layers.js';
import { syntheticResult } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

describe('raw probability by weight', () => {
  const result = syntheticResult({ nParticles: 400, nTimes: 9, releaseSteps: 3 });
  const grid = buildDensityGrid(result, 2000);
  const cells = grid.nx * grid.ny;

  it('is (weight of drifting + stranded particles in the cell) / (weight released), outside particles left out', () => {
    // Unequal weights: particle p weighs p + 1, normalised.
    const raw = Float64Array.from({ length: result.nParticles }, (_, p) => p + 1);
    const total = raw.reduce((a, b) => a + b, 0);
    const weights = raw.map((w) => w / total);
    const layers = new DensityLayerBuilder(grid, result, weights).layers;
    expect(layers.weightedProbability).not.toBeNull();
    const got = layers.weightedProbability ?? new Float32Array();
    let outsideSeen = 0;
    for (let t = 0; t < result.nTimes; t++) {
      const expected = new Float64Array(cells);
      let released = 0;
      let outside = 0;
      for (let p = 0; p < result.nParticles; p++) {
        const i = p * result.nTimes + t;
        const s = result.status[i];
        if (s === STATUS.NOT_RELEASED) continue;
        released += weights[p] ?? 0;
        if (s === STATUS.OUTSIDE) {
          outside += weights[p] ?? 0;
          continue;
        }
        const c = cellOf(grid, result.lonDeg[i] ?? NaN, result.latDeg[i] ?? NaN);
        if (c) {
          const k = c.y * grid.nx + c.x;
          expected[k] = at(expected, k) + (weights[p] ?? 0);
        }
      }
      if (outside > 0) outsideSeen++;
      let sum = 0;
      for (let k = 0; k < cells; k++) {
        // float32 storage: 1e-7 relative, plus an absolute 1e-9 for empty cells.
        expect(Math.abs((got[t * cells + k] ?? NaN) - at(expected, k) / released)).toBeLessThanOrEqual(1e-6 * (at(expected, k) / released) + 1e-9);
        sum += got[t * cells + k] ?? 0;
      }
      // Cells sum to the non-outside share of the released weight (float32 sum of ~100 cells: 1e-5).
      expect(sum).toBeCloseTo(1 - outside / released, 5);
    }
    expect(outsideSeen).toBeGreaterThan(0); // the fixture really has particles outside the forcing
  });

  it('is not made for equal weights when no particle is outside (the count ratio is the same map), and is with one outside', () => {
    const equal = new Float64Array(result.nParticles).fill(1 / result.nParticles);
    const status = result.status.map((s) => (s === STATUS.OUTSIDE ? STATUS.ACTIVE : s));
    expect(new DensityLayerBuilder(grid, { ...result, status }, equal).layers.weightedProbability).toBeNull();
    expect(new DensityLayerBuilder(grid, result, equal).layers.weightedProbability).not.toBeNull();
  });
});
