/**
 * Search plans: one rectangle per unit, greedy and non-overlapping, each on the probability the
 * earlier units leave (the posterior after their POD), with the sweep pattern. Pure.
 *
 * Units: speed knots, endurance hours, sweep width / track spacing nautical miles; areas NM².
 * POC/POS are sums of the weights passed in (pass mission-normalised weights, Σ over every particle
 * = 1, and POC is the mission probability inside the rectangle; the drifting subset sums to less
 * when some particles are stranded or outside). Units are planned in the order given (the lead unit
 * first); with non-overlapping rectangles, unit k's posterior weight inside its rectangle equals its
 * prior weight, so the plan's cumulative POS is Σ POS_k.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { DriftlineError } from '../errors.js';
import { wrapLonDeg } from '../model/geo.js';
import type { Cloud } from './datum.js';
import { coverageFromSpacing, effortNm2, M2_PER_NM2, M_PER_NM, trackSpacingNm, type DetectionLaw } from './detection.js';
import { round6, toLonLat } from './frame.js';
import { optimiseRectangle, rectCorners, type Rect, type RectResult } from './rectangle.js';

export interface SearchUnit {
  name: string;
  speedKn: number;
  enduranceH: number;
  sweepWidthNm: number;
  /** Fixes the coverage C = W/S (and so the area Z/C); otherwise S follows from the best area. */
  trackSpacingNm?: number;
}

export interface UnitPlan {
  unit: string;
  rect: Rect;
  /** Corners lon/lat (6 decimals), counter-clockwise, closed (5 points). */
  ring: number[][];
  centreLonDeg: number;
  centreLatDeg: number;
  lengthNm: number;
  widthNm: number;
  areaNm2: number;
  /** Track (long side) direction, compass degrees in [0, 180). */
  trackBearingDeg: number;
  /** Direction the parallel tracks advance across the rectangle, compass degrees in [0, 360). */
  creepBearingDeg: number;
  effortNm2: number;
  coverage: number;
  trackSpacingNm: number;
  sweepWidthNm: number;
  /** Parallel tracks needed: width ÷ spacing, rounded up. */
  nTracks: number;
  poc: number;
  pod: number;
  pos: number;
}

export interface Plan {
  units: UnitPlan[];
  /** Σ POS over units (the rectangles do not overlap). */
  cumulativePos: number;
  /** Weights after every unit searched without success (not renormalised), same order as the cloud's. */
  posteriorWeight: Float64Array;
}

/** Check a unit's numbers; the error names the field (e.g. `params.search.plan.units[1].endurance_h`). */
export function validateUnit(u: SearchUnit, field: string): void {
  const positive = (v: number | undefined, name: string) => {
    if (v === undefined) return;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      throw new DriftlineError('E_JOB_INVALID', `${field}.${name}: must be a positive finite number, got ${v}`, { field: `${field}.${name}` });
    }
  };
  positive(u.speedKn, 'speed_kn');
  positive(u.enduranceH, 'endurance_h');
  positive(u.sweepWidthNm, 'sweep_width_nm');
  positive(u.trackSpacingNm, 'track_spacing_nm');
}

function bearingOf(angleRad: number): number {
  // Local frame angle is counter-clockwise from east; a compass bearing is clockwise from north.
  return (((90 - angleRad / (Math.PI / 180)) % 360) + 360) % 360;
}

/**
 * Greedy plan over the units. `creepTowardsBearingDeg` (e.g. the drift direction) picks which way the
 * tracks advance: of the two directions across the rectangle, the one closer to it (default: the one
 * 90° clockwise of the track bearing).
 */
export function planSearch(cloud: Cloud, units: SearchUnit[], law: DetectionLaw, opts: { creepTowardsBearingDeg?: number; fieldPrefix?: string } = {}): Plan {
  const prefix = opts.fieldPrefix ?? 'params.search.plan.units';
  units.forEach((u, k) => validateUnit(u, `${prefix}[${k}]`));
  const weight = Float64Array.from(cloud.weight);
  const points = { xM: cloud.xM, yM: cloud.yM, weight };
  const blocked: Rect[] = [];
  const out: UnitPlan[] = [];
  let cumulativePos = 0;
  for (const u of units) {
    const zNm2 = effortNm2(u.speedKn, u.enduranceH, u.sweepWidthNm);
    const objective = {
      effortM2: zNm2 * M2_PER_NM2,
      law,
      ...(u.trackSpacingNm !== undefined ? { fixedCoverage: coverageFromSpacing(u.sweepWidthNm, u.trackSpacingNm) } : {}),
      blocked: [...blocked],
    };
    const res: RectResult | null = optimiseRectangle(points, objective, cloud.majorAxisRad);
    if (res === null) continue; // nothing left to search that does not overlap the earlier units
    const r = res.rect;
    blocked.push(r);
    // Posterior: the weight in the rectangle survives with probability 1 − POD.
    const c = Math.cos(r.angleRad);
    const s = Math.sin(r.angleRad);
    const ac = r.cxM * c + r.cyM * s;
    const bc = -r.cxM * s + r.cyM * c;
    for (let i = 0; i < weight.length; i++) {
      const a = (cloud.xM[i] ?? NaN) * c + (cloud.yM[i] ?? NaN) * s - ac;
      const b = -(cloud.xM[i] ?? NaN) * s + (cloud.yM[i] ?? NaN) * c - bc;
      if (a >= -r.lengthM / 2 && a < r.lengthM / 2 && b >= -r.widthM / 2 && b < r.widthM / 2) weight[i] = (weight[i] ?? NaN) * (1 - res.pod);
    }
    const [clonRaw, clat] = toLonLat(cloud.frame, r.cxM, r.cyM);
    // The frame's longitudes are unwrapped about its origin (may pass ±180): move the rectangle by
    // whole turns so that its centre is in [-180, 180), as particles.nc stores longitudes. Its corners
    // stay contiguous about the centre (within ±180° of it), so a rectangle across the antimeridian
    // keeps one ring here; the GeoJSON writer cuts it there (plan-products.ts).
    const clon = wrapLonDeg(clonRaw);
    const turn = clon - clonRaw;
    const ring = rectCorners(r).map(([x, y]) => {
      const [lon, lat] = toLonLat(cloud.frame, x, y);
      return [round6(lon + turn), round6(lat)];
    });
    ring.push([...(ring[0] as number[])]);
    const trackBearing = bearingOf(r.angleRad) % 180;
    let creep = (trackBearing + 90) % 360;
    if (opts.creepTowardsBearingDeg !== undefined) {
      const diff = Math.abs(((opts.creepTowardsBearingDeg - creep + 540) % 360) - 180);
      if (diff > 90) creep = (creep + 180) % 360;
    }
    const spacingNm = u.trackSpacingNm ?? trackSpacingNm(u.sweepWidthNm, res.coverage);
    const widthNm = r.widthM / M_PER_NM;
    out.push({
      unit: u.name,
      rect: r,
      ring,
      centreLonDeg: round6(clon),
      centreLatDeg: round6(clat),
      lengthNm: r.lengthM / M_PER_NM,
      widthNm,
      areaNm2: res.areaM2 / M2_PER_NM2,
      trackBearingDeg: trackBearing,
      creepBearingDeg: creep,
      effortNm2: zNm2,
      coverage: res.coverage,
      trackSpacingNm: spacingNm,
      sweepWidthNm: u.sweepWidthNm,
      nTracks: Math.max(1, Math.ceil(widthNm / spacingNm - 1e-9)),
      poc: res.poc,
      pod: res.pod,
      pos: res.pos,
    });
    cumulativePos += res.pos;
  }
  return { units: out, cumulativePos, posteriorWeight: weight };
}
