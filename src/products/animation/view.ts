/**
 * The map view: equirectangular with x stretched by cos(mid-latitude) so that, near the cloud, a
 * kilometre is the same number of pixels east-west and north-south; fitted to the cloud over the
 * whole run (plus the seed), then widened to fill the map box. Longitudes are unwrapped around the
 * view centre, so a cloud across the antimeridian is drawn in one piece.
 */
import { M_PER_DEG_LAT, unwrapLonDeg, wrapLonDeg } from '../../model/geo.js';
import type { Extent } from '../density-grid.js';
import type { Box } from './style.js';

export interface MapView {
  box: Box;
  /** Unwrapped west/east, and south/north of the box edges, degrees. */
  westDeg: number;
  eastDeg: number;
  southDeg: number;
  northDeg: number;
  centreLonDeg: number;
  pxPerDegLon: number;
  pxPerDegLat: number;
  /** Pixels per kilometre (north-south everywhere; east-west at the mid-latitude). */
  pxPerKm: number;
}

/** Margin around the cloud: 8 % of its span on each side, so edge particles are not on the frame. */
const MARGIN_FRACTION = 0.08;
/** Smallest view, 4 km across: a stationary or tiny cloud is not blown up to a few metres. */
const MIN_SPAN_M = 4000;

export function fitView(extent: Extent, box: Box): MapView {
  const latMid = (extent.minLatDeg + extent.maxLatDeg) / 2;
  const cosMid = Math.max(0.05, Math.cos((latMid * Math.PI) / 180));
  // Work in kilometre-like units: x = lon·cos, y = lat (both in degrees of latitude).
  let x0 = extent.minLonDeg * cosMid;
  let x1 = extent.maxLonDeg * cosMid;
  let y0 = extent.minLatDeg;
  let y1 = extent.maxLatDeg;
  const minSpan = MIN_SPAN_M / M_PER_DEG_LAT;
  const grow = (a: number, b: number): [number, number] => {
    const span = Math.max(b - a, minSpan / (1 + 2 * MARGIN_FRACTION));
    const mid = (a + b) / 2;
    const half = (span * (1 + 2 * MARGIN_FRACTION)) / 2;
    return [mid - half, mid + half];
  };
  [x0, x1] = grow(x0, x1);
  [y0, y1] = grow(y0, y1);
  // Fill the box: the tighter axis sets the scale, the other one is widened around its middle.
  const scale = Math.min(box.w / (x1 - x0), box.h / (y1 - y0));
  const xMid = (x0 + x1) / 2;
  const yMid = (y0 + y1) / 2;
  x0 = xMid - box.w / scale / 2;
  x1 = xMid + box.w / scale / 2;
  y0 = yMid - box.h / scale / 2;
  y1 = yMid + box.h / scale / 2;
  // Stay off the poles (the projection degenerates there).
  if (y1 > 89) {
    y0 -= y1 - 89;
    y1 = 89;
  }
  if (y0 < -89) {
    y1 += -89 - y0;
    y0 = -89;
  }
  const westDeg = x0 / cosMid;
  const eastDeg = x1 / cosMid;
  return {
    box,
    westDeg,
    eastDeg,
    southDeg: y0,
    northDeg: y1,
    centreLonDeg: (westDeg + eastDeg) / 2,
    pxPerDegLon: scale * cosMid,
    pxPerDegLat: scale,
    pxPerKm: scale / (M_PER_DEG_LAT / 1000),
  };
}

/** Pixel x of a longitude (any wrapping). */
export function xOf(v: MapView, lonDeg: number): number {
  return v.box.x + (unwrapLonDeg(lonDeg, v.centreLonDeg) - v.westDeg) * v.pxPerDegLon;
}

export function yOf(v: MapView, latDeg: number): number {
  return v.box.y + (v.northDeg - latDeg) * v.pxPerDegLat;
}

/** Tick steps in degrees: half a minute up to 30°, minute-friendly so labels read as D°MM′. */
const TICK_STEPS_DEG = [0.5 / 60, 1 / 60, 2 / 60, 5 / 60, 10 / 60, 15 / 60, 30 / 60, 1, 2, 5, 10, 15, 30, 45];

/** Ticks inside [from, to] at the smallest step giving at most `maxTicks`. */
export function ticks(fromDeg: number, toDeg: number, maxTicks: number): { stepDeg: number; values: number[] } {
  const span = toDeg - fromDeg;
  const stepDeg = TICK_STEPS_DEG.find((s) => span / s <= maxTicks) ?? 90;
  const values: number[] = [];
  // Work in half-minutes (integers) so that values are exact multiples of the step.
  const unit = 1 / 120;
  const k = Math.round(stepDeg / unit);
  for (let m = Math.ceil(fromDeg / unit / k) * k; m * unit <= toDeg + 1e-12; m += k) values.push(m * unit);
  return { stepDeg, values };
}

/** `60°15′N`, `4°30.5′E`, `179°W`: degrees and minutes, as on a nautical chart. */
export function formatTick(valueDeg: number, axis: 'lat' | 'lon', stepDeg: number): string {
  const v = axis === 'lon' ? wrapLonDeg(valueDeg) : valueDeg;
  // 0° and 180° have no hemisphere letter.
  const hemi = axis === 'lat' ? (v > 0 ? 'N' : v < 0 ? 'S' : '') : v > 0 && v < 180 ? 'E' : v < 0 && v > -180 ? 'W' : '';
  const a = Math.abs(v);
  // Half-minute resolution: count in tenths of a minute to avoid 59.99999′.
  const tenths = Math.round(a * 600);
  const deg = Math.floor(tenths / 600);
  const minTenths = tenths - deg * 600;
  if (stepDeg >= 1 && minTenths === 0) return `${deg}°${hemi}`;
  const minutes = minTenths % 10 === 0 ? String(minTenths / 10).padStart(2, '0') : (minTenths / 10).toFixed(1).padStart(4, '0');
  return `${deg}°${minutes}′${hemi}`;
}

/** Largest "nice" length (1, 2, 5 × 10^k) not longer than maxLength. */
export function niceLength(maxLength: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(maxLength)));
  for (const m of [5, 2, 1]) if (m * p <= maxLength) return m * p;
  return p;
}
