/**
 * Detection laws and effort arithmetic against published values: erf from Abramowitz & Stegun
 * Table 7.1 (given there to 10+ digits), Koopman's laws at coverage 1, and IAMSAR's Z = V·T·W.
 */
import { describe, expect, it } from 'vitest';
import {
  coverageFromEffort,
  coverageFromSpacing,
  effortNm2,
  erf,
  M2_PER_NM2,
  M_PER_NM,
  pod,
  podExponential,
  podInverseCube,
  trackSpacingNm,
} from '../../src/search/detection.js';

describe('erf', () => {
  // Reference values: A&S Table 7.1 / high-precision tables (16 digits).
  it.each([
    [0, 0],
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [1.5, 0.9661051464753108],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [4, 0.9999999845827421],
    [5.9, 0.9999999999999999],
  ])('erf(%f) = %f to 1e-15', (x, v) => {
    expect(Math.abs(erf(x) - v)).toBeLessThan(1e-15);
    expect(Math.abs(erf(-x) + v)).toBeLessThan(1e-15);
  });
  it('is ±1 beyond 6 and NaN for NaN', () => {
    expect(erf(6.5)).toBe(1);
    expect(erf(-30)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
  });
  it('has the derivative 2/√π e^(−x²) (central difference, 1e-7 step)', () => {
    for (const x of [0.3, 1.1, 2.4]) {
      const h = 1e-5;
      const d = (erf(x + h) - erf(x - h)) / (2 * h);
      expect(Math.abs(d - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThan(1e-9);
    }
  });
});

describe('Koopman detection laws', () => {
  it('exponential: 1 − e^(−C): 0.632 at C = 1, 0.865 at C = 2', () => {
    expect(podExponential(1)).toBeCloseTo(0.6321205588285577, 15);
    expect(podExponential(2)).toBeCloseTo(0.8646647167633873, 15);
    expect(podExponential(0)).toBe(0);
    expect(pod('exponential', 0.5)).toBe(podExponential(0.5));
  });
  it('inverse cube: erf(√π/2 · C) = erf(0.886227) = 0.789909 at C = 1, always above the exponential law', () => {
    expect(podInverseCube(1)).toBeCloseTo(0.7899085945560627, 14);
    for (const c of [0.1, 0.5, 1, 1.5, 3]) expect(podInverseCube(c)).toBeGreaterThan(podExponential(c));
    // Small C: both laws tend to C (slope 1 at the origin: erf'(0)·√π/2 = 1).
    expect(podInverseCube(1e-6) / 1e-6).toBeCloseTo(1, 6);
    expect(pod('inverse_cube', 2)).toBe(podInverseCube(2));
  });
});

describe('IAMSAR effort and coverage', () => {
  it('1 NM = 1852 m exactly', () => {
    expect(M_PER_NM).toBe(1852);
    expect(M2_PER_NM2).toBe(3429904);
  });
  it('Z = V·T·W; C = Z/A = W/S; S = W/C', () => {
    // A helicopter at 90 kn for 2.5 h with W = 1.2 NM: Z = 270 NM²; over 300 NM²: C = 0.9, S = 1.333 NM.
    const z = effortNm2(90, 2.5, 1.2);
    expect(z).toBeCloseTo(270, 12);
    const c = coverageFromEffort(z, 300);
    expect(c).toBeCloseTo(0.9, 12);
    expect(trackSpacingNm(1.2, c)).toBeCloseTo(1.2 / 0.9, 12);
    // The same coverage from the spacing: W/S.
    expect(coverageFromSpacing(1.2, trackSpacingNm(1.2, c))).toBeCloseTo(c, 12);
  });
});
