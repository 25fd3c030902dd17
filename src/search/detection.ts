/**
 * Koopman's detection laws and the IAMSAR Vol. II effort/coverage arithmetic. Pure.
 *
 * Units: speed in knots, endurance in hours, sweep width W and track spacing S in nautical miles,
 * effort Z = speed × endurance × W in NM², area A in NM² (or m² where the name says so).
 * Coverage C = W / S = Z / A (dimensionless). 1 NM = 1852 m exactly (international definition, 1929).
 */

/** Metres per international nautical mile (exact). */
export const M_PER_NM = 1852;
/** Square metres per square nautical mile (exact): 1852². */
export const M2_PER_NM2 = M_PER_NM * M_PER_NM;

export type DetectionLaw = 'exponential' | 'inverse_cube';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * Error function, |error| < 2e-16 absolute. erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))
 * (Abramowitz & Stegun 7.1.6): every term is positive, so there is no cancellation; it needs about
 * 2x² + 20 terms, so |x| ≥ 6 returns ±1 directly (erfc(6) = 2.2e-17, below double resolution at 1).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

/** Exponential (random search) law: POD = 1 − e^(−C). */
export function podExponential(coverage: number): number {
  return coverage > 0 ? -Math.expm1(-coverage) : 0;
}

/** Inverse-cube law for parallel sweeps: POD = erf(√π/2 · C). */
export function podInverseCube(coverage: number): number {
  return coverage > 0 ? erf((Math.sqrt(Math.PI) / 2) * coverage) : 0;
}

export function pod(law: DetectionLaw, coverage: number): number {
  return law === 'inverse_cube' ? podInverseCube(coverage) : podExponential(coverage);
}

/** Coverage from sweep width and track spacing: C = W / S. */
export function coverageFromSpacing(sweepWidthNm: number, trackSpacingNm: number): number {
  return sweepWidthNm / trackSpacingNm;
}

/** Effort Z = V × T × W, NM² (IAMSAR Vol. II; no fatigue/endurance factor applied here). */
export function effortNm2(speedKn: number, enduranceH: number, sweepWidthNm: number): number {
  return speedKn * enduranceH * sweepWidthNm;
}

/** Coverage from effort and area: C = Z / A. */
export function coverageFromEffort(effortNm2Value: number, areaNm2: number): number {
  return effortNm2Value / areaNm2;
}

/** Track spacing that spreads the effort over the area: S = W / C = A / (V × T), NM. */
export function trackSpacingNm(sweepWidthNm: number, coverage: number): number {
  return sweepWidthNm / coverage;
}
