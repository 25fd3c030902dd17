/**
 * Datum, spread and the smoothed probability map from first principles: the weighted centre and
 * principal axes of a known Gaussian cloud, the IAMSAR probable error of an isotropic Gaussian
 * (σ·√(2 ln 2)), Scott's bandwidth, and the map's mass and variance (sample variance + h² + the
 * linear-binning term cell²/6).
 */
import { describe, expect, it } from 'vitest';
import { datumOf, weightedCloud } from '../../src/search/datum.js';
import { kdeMap } from '../../src/search/kde.js';
import { gaussianCloud } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

describe('datum and spread', () => {
  it('weighted centre of two particles sits at the weighted mean (±0.5 m)', () => {
    const c = weightedCloud([4, 4.1], [60, 60], [0.25, 0.75])!;
    const d = datumOf(c);
    // 0.1° of longitude at 60° N on WGS-84 ≈ 5 584 m; 3/4 of it from the west particle.
    expect(d.latDeg).toBeCloseTo(60, 4);
    expect(d.lonDeg).toBeCloseTo(4.075, 4);
    expect(d.nEff).toBeCloseTo(1 / (0.25 ** 2 + 0.75 ** 2), 12);
  });

  it('recovers a rotated Gaussian: centre, axes and σ (20 000 particles)', () => {
    // σ = 3 km × 1 km rotated 30° ccw from east (bearing 60°). Standard errors: centre 21 m, σ 0.5 %,
    // axis angle ~0.2°; bounds are 4–5 standard errors.
    const g = gaussianCloud(20_000, 11, { lon0: 4.5, lat0: 60, sxM: 3000, syM: 1000, rotRad: Math.PI / 6 });
    const c = weightedCloud(g.lon, g.lat, g.w)!;
    const d = datumOf(c);
    expect(Math.abs((d.lonDeg - 4.5) * 111_320 * 0.5)).toBeLessThan(100);
    expect(Math.abs((d.latDeg - 60) * 111_320)).toBeLessThan(100);
    expect(Math.abs(d.majorAxisBearingDeg - 60)).toBeLessThan(1.5);
    expect(Math.abs(d.sigmaMajorM / 3000 - 1)).toBeLessThan(0.025);
    expect(Math.abs(d.sigmaMinorM / 1000 - 1)).toBeLessThan(0.025);
    expect(d.nEff).toBeCloseTo(20_000, 6);
  });

  it('probable error of an isotropic Gaussian is σ·√(2 ln 2) = 1.1774 σ (±2 %)', () => {
    const g = gaussianCloud(20_000, 12, { lon0: -30, lat0: 45, sxM: 2000, syM: 2000 });
    const d = datumOf(weightedCloud(g.lon, g.lat, g.w)!);
    expect(Math.abs(d.probableErrorM / (2000 * Math.sqrt(2 * Math.LN2)) - 1)).toBeLessThan(0.02);
  });
});

describe('kdeMap', () => {
  const g = gaussianCloud(5000, 13, { lon0: 179.9, lat0: -40, sxM: 4000, syM: 1500, rotRad: 0.4 });
  const cloud = weightedCloud(g.lon, g.lat, g.w)!;
  const map = kdeMap(cloud);

  it('uses Scott/Silverman bandwidths σ·n_eff^(−1/6) along the principal axes, cells of h/2', () => {
    expect(map.bandwidthUM).toBeCloseTo(cloud.sigmaMajorM * 5000 ** (-1 / 6), 6);
    expect(map.bandwidthVM).toBeCloseTo(cloud.sigmaMinorM * 5000 ** (-1 / 6), 6);
    expect(map.cellUM).toBeCloseTo(map.bandwidthUM / 2, 6);
    expect(map.angleRad).toBeCloseTo(cloud.majorAxisRad, 12);
  });

  it('holds the whole drifting mass (Σ density and Σ raw mass = 1 within 1e-3) across the antimeridian', () => {
    let s = 0;
    let m = 0;
    for (let c = 0; c < map.density.length; c++) {
      s += at(map.density, c);
      m += at(map.mass, c);
    }
    // The grid spans the central 99.9 % plus 4 h; the 4 h truncated kernel loses 6e-5.
    expect(Math.abs(s - 1)).toBeLessThan(1e-3);
    expect(Math.abs(m - 1)).toBeLessThan(1e-3);
  });

  it('puts nothing of a particle off the grid on it: one stray particle 60 km out (trimmed) leaves Σ density = 1 − its weight', () => {
    // 1 999 particles of the cloud and one far out along its major axis: the grid's trimmed range drops
    // it (floor(0.05 % of 2 000) = 1 particle each end), so its weight lands on no cell, edge cells included.
    const n = 2000;
    const h = gaussianCloud(n, 5, { lon0: 4.5, lat0: 60, sxM: 3000, syM: 1000 });
    h.lon[0] = 4.5 + 60_000 / (111_320 * Math.cos((60 * Math.PI) / 180));
    h.lat[0] = 60;
    const m = kdeMap(weightedCloud(h.lon, h.lat, h.w)!);
    let s = 0;
    let raw = 0;
    for (let c = 0; c < m.density.length; c++) {
      s += at(m.density, c);
      raw += at(m.mass, c);
    }
    expect(Math.abs(raw - (n - 1) / n)).toBeLessThan(1e-12);
    // Less what the cloud's own tails put beyond the grid (~1e-6); the stray's weight is 5e-4, and a
    // quarter of it on a corner cell would be 1.2e-4.
    expect(Math.abs(s - (n - 1) / n)).toBeLessThan(2e-5);
  });

  it('has the variance of the sample plus h² plus cell²/6 along each axis (±1 %)', () => {
    const c = Math.cos(map.angleRad);
    const s = Math.sin(map.angleRad);
    let su = 0;
    let sv = 0;
    for (let i = 0; i < cloud.xM.length; i++) {
      const u = at(cloud.xM, i) * c + at(cloud.yM, i) * s;
      const v = -at(cloud.xM, i) * s + at(cloud.yM, i) * c;
      su += at(cloud.weight, i) * u * u;
      sv += at(cloud.weight, i) * v * v;
    }
    let mu = 0;
    let mv = 0;
    let muu = 0;
    let mvv = 0;
    let tot = 0;
    for (let j = 0; j < map.nv; j++) {
      for (let i = 0; i < map.nu; i++) {
        const p = at(map.density, j * map.nu + i);
        const u = map.u0M + (i + 0.5) * map.cellUM;
        const v = map.v0M + (j + 0.5) * map.cellVM;
        tot += p;
        mu += p * u;
        mv += p * v;
        muu += p * u * u;
        mvv += p * v * v;
      }
    }
    const varU = muu / tot - (mu / tot) ** 2;
    const varV = mvv / tot - (mv / tot) ** 2;
    expect(Math.abs(mu / tot)).toBeLessThan(1); // metres: the frame is centred on the weighted centre
    expect(Math.abs(varU / (su + map.bandwidthUM ** 2 + map.cellUM ** 2 / 6) - 1)).toBeLessThan(0.01);
    expect(Math.abs(varV / (sv + map.bandwidthVM ** 2 + map.cellVM ** 2 / 6) - 1)).toBeLessThan(0.01);
  });
});
