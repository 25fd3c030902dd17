/**
 * The part of space and time a mission can touch: its seed area grown by the largest drift it can
 * make. Pure (model geometry); the forcing is read over this window and the coastline rasterised on it.
 */
import { M_PER_DEG_LAT } from './geo.js';
import type { ModelParams } from './types.js';

/** Longitudes in degrees, any convention; times in seconds since the epoch. */
export interface MissionWindow {
  lonCenterDeg: number;
  /** Half-width in longitude; >= 180 means all longitudes. */
  lonHalfWidthDeg: number;
  southDeg: number;
  northDeg: number;
  startSec: number;
  endSec: number;
}

/**
 * Largest speed a particle is assumed to keep up for the whole run, for the area read around the seed
 * (m/s). OpenDrift's `drift:max_speed` is 1 m/s, but it re-reads reader blocks as particles move; we
 * read one window for the whole run, so the margin is 5×: Leeway drift is wind × a few % (≤ 1.5 m/s in a
 * 30 m/s gale) plus current, rarely above 2 m/s. A particle that still leaves the window is deactivated
 * as outside the forcing, as it would be at the file's edge.
 */
export const MAX_DRIFT_SPEED_MPS = 5;

/** The space/time window a mission can touch (seed area grown by the largest possible drift). */
export function missionWindow(model: ModelParams): MissionWindow {
  const s = model.seeding;
  let lats = [s.latDeg, s.endLatDeg ?? s.latDeg];
  // Cone seeding: centre between the two ends (shortest way round in longitude).
  let dLonEnds = (s.endLonDeg ?? s.lonDeg) - s.lonDeg;
  dLonEnds -= 360 * Math.round(dLonEnds / 360);
  let lonCenterDeg = s.lonDeg + dLonEnds / 2;
  let radiusM = Math.max(s.radiusM, s.endRadiusM ?? 0) * 4; // gaussian radius: ±4σ holds all but 6e-5
  if (model.scenarios !== undefined) {
    // Weighted scenarios (issue 8): the window spans every scenario's seeding and the reference position,
    // longitudes unwrapped around the reference position.
    const points = seedPoints(model);
    lats = points.map((p) => p[2]);
    const unwrapped = points.map((p) => s.lonDeg + (p[1] - s.lonDeg) - 360 * Math.round((p[1] - s.lonDeg) / 360));
    const west = Math.min(...unwrapped);
    const east = Math.max(...unwrapped);
    lonCenterDeg = (west + east) / 2;
    dLonEnds = east - west;
    radiusM = Math.max(...model.scenarios.map((sc) => Math.max(sc.seeding.radiusM, sc.seeding.endRadiusM ?? 0))) * 4;
  }
  const growM = MAX_DRIFT_SPEED_MPS * model.durationSec + radiusM + 10_000;
  const growLatDeg = growM / M_PER_DEG_LAT;
  const southDeg = Math.max(-90, Math.min(...lats) - growLatDeg);
  const northDeg = Math.min(90, Math.max(...lats) + growLatDeg);
  const maxAbsLat = Math.max(Math.abs(southDeg), Math.abs(northDeg));
  const cos = Math.cos((Math.min(maxAbsLat, 90) * Math.PI) / 180);
  const lonHalfWidthDeg = cos < 1e-3 ? 180 : Math.min(180, Math.abs(dLonEnds) / 2 + growLatDeg / cos);
  const forward = model.timeStepSec > 0;
  const t0 = model.startTimeSec;
  const t1 = t0 + (forward ? model.durationSec : -model.durationSec);
  return { lonCenterDeg, lonHalfWidthDeg, southDeg, northDeg, startSec: Math.min(t0, t1), endSec: Math.max(t0, t1) };
}

/**
 * Named seed points the forcing must cover: the seed (and cone end); with weighted scenarios, also each
 * scenario's start (and end), named by field.
 */
export function seedPoints(model: ModelParams): Array<[string, number, number]> {
  const s = model.seeding;
  const points: Array<[string, number, number]> = [['seed position', s.lonDeg, s.latDeg]];
  if (s.endLonDeg !== undefined && s.endLatDeg !== undefined) points.push(['cone end position', s.endLonDeg, s.endLatDeg]);
  (model.scenarios ?? []).forEach((sc, k) => {
    const q = sc.seeding;
    points.push([`params.scenarios[${k}] seed position`, q.lonDeg, q.latDeg]);
    if (q.endLonDeg !== undefined && q.endLatDeg !== undefined) points.push([`params.scenarios[${k}] end position`, q.endLonDeg, q.endLatDeg]);
  });
  return points;
}
