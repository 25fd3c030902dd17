/**
 * Land: stranding, moving back, particles seeded on land, and particles leaving the forcing.
 * The coast is a half-plane raster built here: land east of 5° E.
 */
import { describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { createLandSampler } from '../../src/land/sampler.js';
import type { LandRaster } from '../../src/land/types.js';
import { coastlineCrossing, nearestWater, waterSearchGrid } from '../../src/model/land.js';
import { findCategory } from '../../src/model/objects.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { STATUS, type LandSampler, type ModelParams, type RngKind, type VectorSampler } from '../../src/model/types.js';
import { at } from '../helpers/indexed.js';

const COAST_LON = 5;

/** 0.001° raster over 4–6° E, 59–61° N; land where lon >= 5° E. */
function halfPlaneRaster(): LandRaster {
  const nx = 2000;
  const ny = 2000;
  const data = new SharedArrayBuffer(nx * ny);
  const cells = new Uint8Array(data);
  for (let j = 0; j < ny; j++) for (let i = 1000; i < nx; i++) cells[j * nx + i] = 1;
  return { westDeg: 4, southDeg: 59, dLonDeg: 0.001, dLatDeg: 0.001, nx, ny, data, outside: 0, source: 'test half-plane' };
}
const land = createLandSampler(halfPlaneRaster());

function cloud(rng: RngKind, overrides: Partial<ModelParams> = {}): ModelParams {
  return {
    category: findCategory(50)!,
    numParticles: 500,
    seed: 3,
    rng,
    startTimeSec: Date.UTC(2024, 0, 1) / 1000,
    durationSec: 12 * 3600,
    timeStepSec: 900,
    outputStepSec: 3600,
    seeding: { lonDeg: 4.95, latDeg: 60, radiusM: 500, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'stranding',
    ...overrides,
  };
}

// 15 m/s towards the east: FISHING-VESSEL-1 drifts 0.37 ± 0.15 m/s east, 2.7 km to the coast. Its
// fastest particles move ~0.9 km (0.017° at 60° N) per 900 s step.
const eastWind = constantSampler(15, 0);
const noCurrent = constantSampler(0, 0);
const MAX_STEP_DEG = 0.02;

describe.each(['fast', 'opendrift'] as const)('a cloud driven onto a coast (rng %s)', (rng) => {
  const stranding = simulateLocal(cloud(rng), { wind: eastWind, current: noCurrent, land });
  const T = stranding.nTimes;

  it('strands particles at the coast, and stranded particles stay put', () => {
    let stranded = 0;
    for (let p = 0; p < stranding.nParticles; p++) {
      let strandedAt = -1;
      for (let t = 0; t < T; t++) {
        const q = p * T + t;
        const lon = at(stranding.lonDeg, q);
        if (stranding.status[q] === STATUS.ACTIVE) {
          expect(land.isLand(lon, at(stranding.latDeg, q))).toBe(false);
          expect(strandedAt).toBe(-1); // never active again after stranding
        } else {
          expect(stranding.status[q]).toBe(STATUS.STRANDED);
          if (strandedAt < 0) {
            strandedAt = t;
            stranded++;
            // On the first land node of OpenDrift's lattice between the previous and the landed position:
            // floor(Δlon/0.001°) nodes from one to the other, so at most 3 × 0.001° inside the coast.
            expect(lon).toBeGreaterThanOrEqual(COAST_LON);
            expect(lon).toBeLessThan(COAST_LON + 0.003);
          } else {
            expect(lon).toBe(stranding.lonDeg[p * T + strandedAt]);
            expect(stranding.latDeg[q]).toBe(stranding.latDeg[p * T + strandedAt]);
          }
        }
      }
    }
    // The slowest particles (downwind eps < −2σ) do not reach the coast in 12 h; nearly all others do.
    expect(stranded).toBeGreaterThan(0.9 * stranding.nParticles);
    // Particles integrate only while active: fewer particle-steps than particles × steps.
    expect(stranding.particleSteps).toBeLessThan(stranding.nParticles * 48);
  });

  it("keeps the landed position with coastline_approximation_precision null (OpenDrift's test_leewayrun setting)", () => {
    const r = simulateLocal(cloud(rng, { coastlineApproximationPrecisionDeg: null }), { wind: eastWind, current: noCurrent, land });
    let deeper = 0;
    for (let p = 0; p < r.nParticles; p++) {
      const q = p * T + T - 1;
      if (r.status[q] !== STATUS.STRANDED) continue;
      expect(r.lonDeg[q]).toBeGreaterThanOrEqual(COAST_LON);
      expect(r.lonDeg[q]).toBeLessThan(COAST_LON + MAX_STEP_DEG);
      if (at(r.lonDeg, q) > COAST_LON + 0.003) deeper++;
    }
    expect(deeper).toBeGreaterThan(0);
  });

  it("moves particles that reach land back to their previous position with coastline action 'previous'", () => {
    const r = simulateLocal(cloud(rng, { coastlineAction: 'previous' }), { wind: eastWind, current: noCurrent, land });
    let atCoast = 0;
    for (let q = 0; q < r.lonDeg.length; q++) {
      expect(r.status[q]).toBe(STATUS.ACTIVE);
      expect(r.lonDeg[q]).toBeLessThan(COAST_LON);
    }
    for (let p = 0; p < r.nParticles; p++) if (at(r.lonDeg, p * T + T - 1) > COAST_LON - MAX_STEP_DEG) atCoast++;
    // They pile up along the coast instead of stranding.
    expect(atCoast).toBeGreaterThan(0.9 * r.nParticles);
  });

  it("ignores land with coastline action 'none'", () => {
    const r = simulateLocal(cloud(rng, { coastlineAction: 'none' }), { wind: eastWind, current: noCurrent, land });
    let onLand = 0;
    for (let p = 0; p < r.nParticles; p++) if (at(r.lonDeg, p * T + T - 1) > COAST_LON) onLand++;
    expect(onLand).toBeGreaterThan(0.9 * r.nParticles);
  });
});

describe('stranding with rng "fast" changes nothing but the particles that reach land', () => {
  it('gives every particle the track it has without land until it reaches the coast, then strands it there', () => {
    const withLand = simulateLocal(cloud('fast'), { wind: eastWind, current: noCurrent, land });
    const without = simulateLocal(cloud('fast', { coastlineAction: 'none' }), { wind: eastWind, current: noCurrent, land });
    const T = withLand.nTimes;
    for (let p = 0; p < withLand.nParticles; p++) {
      // First record at or after which the land-free track is beyond the coast.
      let cross = 0;
      while (cross < T && at(without.lonDeg, p * T + cross) < COAST_LON) cross++;
      for (let t = 0; t < T; t++) {
        const q = p * T + t;
        if (t < cross) {
          // The wind blows east, so a particle's longitude only ever moves one way: still west of the
          // coast in the land-free run means not yet at the coast in this one.
          expect(withLand.status[q]).toBe(STATUS.ACTIVE);
          expect(withLand.lonDeg[q]).toBe(without.lonDeg[q]);
          expect(withLand.latDeg[q]).toBe(without.latDeg[q]);
          expect(withLand.orientation[q]).toBe(without.orientation[q]);
        } else {
          expect(withLand.status[q]).toBe(STATUS.STRANDED);
          expect(withLand.lonDeg[q]).toBeLessThan(COAST_LON + 0.003);
        }
      }
    }
  });
});

describe('particles seeded on land (OpenDrift seed:ocean_only)', () => {
  it.each(['fast', 'opendrift'] as const)('are moved to the nearest water node of the 0.01° lattice (rng %s)', (rng) => {
    const r = simulateLocal(cloud(rng, { seeding: { lonDeg: 5.023, latDeg: 60.0012, radiusM: 0, radiusType: 'gaussian' } }), { wind: constantSampler(0, 0), current: noCurrent, land });
    const T = r.nTimes;
    for (let p = 0; p < r.nParticles; p++) {
      const lon0 = at(r.lonDeg, p * T);
      expect(r.status[p * T]).toBe(STATUS.ACTIVE);
      expect(land.isLand(lon0, at(r.latDeg, p * T))).toBe(false);
      // The nearest water node is the last lattice column west of 5° E, on the lattice row nearest 60.0012° N.
      expect(lon0).toBeLessThan(COAST_LON);
      expect(lon0).toBeGreaterThan(COAST_LON - 0.0101);
      expect(Math.abs(at(r.latDeg, p * T) - 60.0012)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(r.coefficients.seedLonDeg[p]).toBe(lon0);
    }
  });
});

describe('nearestWater (the search behind seeding on land)', () => {
  /** A random blob mask, deterministic. */
  function blobs(seed: number): LandSampler {
    const centres: Array<[number, number, number]> = [];
    let s = seed;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 12; k++) centres.push([10 + rnd() * 0.6, 50 + rnd() * 0.6, 0.02 + rnd() * 0.12]);
    return { isLand: (lon, lat) => centres.some(([x, y, r]) => (lon - x) ** 2 + (lat - y) ** 2 < r * r) };
  }

  it('finds the same node as a brute-force search over the whole lattice', () => {
    const grid = waterSearchGrid(10, 10.6, 50, 50.6);
    const out = new Float64Array(2);
    for (let seed = 1; seed <= 5; seed++) {
      const mask = blobs(seed);
      for (let k = 0; k < 40; k++) {
        const lon = 10 + ((k * 0.137 + seed * 0.05) % 0.6);
        const lat = 50 + ((k * 0.291 + seed * 0.03) % 0.6);
        let best = Infinity;
        for (let j = 0; j < grid.ny; j++) {
          for (let i = 0; i < grid.nx; i++) {
            const x = grid.lon0Deg + i * grid.stepDeg;
            const y = grid.lat0Deg + j * grid.stepDeg;
            if (!mask.isLand(x, y)) best = Math.min(best, (x - lon) ** 2 + (y - lat) ** 2);
          }
        }
        expect(nearestWater(mask, lon, lat, grid, out)).toBe(true);
        expect((at(out, 0) - lon) ** 2 + (at(out, 1) - lat) ** 2).toBeCloseTo(best, 12);
      }
    }
  });

  it('reports no water when the lattice has none', () => {
    expect(nearestWater({ isLand: () => true }, 10, 50, waterSearchGrid(10, 10, 50, 50), new Float64Array(2))).toBe(false);
  });
});

describe('coastlineCrossing (where a stranded particle is put)', () => {
  it("takes the first land node of OpenDrift's lattice from the previous position", () => {
    const out = new Float64Array(2);
    // Moving 0.0105° east across the coast at 5° E: 10 columns 0.001167° apart from 4.9950°.
    expect(coastlineCrossing(land, 4.995, 60.2, 5.0055, 60.2, 0.001, out)).toBe(true);
    expect(out[1]).toBe(60.2);
    expect(out[0]).toBeGreaterThanOrEqual(5);
    expect(at(out, 0) - 5).toBeLessThan(0.0012);
  });

  it('keeps the landed position when the lattice holds only the previous (water) position', () => {
    expect(coastlineCrossing(land, 4.9996, 60, 5.0004, 60, 0.001, new Float64Array(2))).toBe(false);
  });
});

describe('particles leaving a gridded forcing field', () => {
  it('are deactivated as OUTSIDE where the forcing is NaN, and stay where they left', () => {
    // A "grid" that covers only west of 4.97° E: NaN beyond, as createVectorSampler returns outside a grid.
    const edge = 4.97;
    const wind: VectorSampler = {
      sample(lon, _lat, i0, i1, _t, u, v) {
        for (let p = i0; p < i1; p++) {
          const inside = at(lon, p) < edge;
          u[p] = inside ? 15 : NaN;
          v[p] = inside ? 0 : NaN;
        }
      },
    };
    const r = simulateLocal(cloud('fast', { coastlineAction: 'none' }), { wind, current: noCurrent, land: null });
    const T = r.nTimes;
    let outside = 0;
    for (let p = 0; p < r.nParticles; p++) {
      const q = p * T + T - 1;
      if (r.status[q] !== STATUS.OUTSIDE) continue;
      outside++;
      // Deactivated at the first step that starts beyond the edge: within one step of it.
      expect(r.lonDeg[q]).toBeGreaterThanOrEqual(edge);
      expect(r.lonDeg[q]).toBeLessThan(edge + MAX_STEP_DEG);
      let first = T - 1;
      while (first > 0 && r.status[p * T + first - 1] === STATUS.OUTSIDE) first--;
      for (let t = first; t < T; t++) expect(r.lonDeg[p * T + t]).toBe(r.lonDeg[q]);
    }
    // All but the slowest particles leave the field in 12 h.
    expect(outside).toBeGreaterThan(0.9 * r.nParticles);
  });
});
