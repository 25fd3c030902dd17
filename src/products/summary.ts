/**
 * products/summary.json: what a coordinator reads first. The datum (centroid of the released particles)
 * at each output time with the spread around it and its drift from the last known position, the counts
 * by status (and capsized), the forcing actually used (a FALLBACK at the top when there was one), model and software
 * versions, the mission parameters and the time each stage took.
 */
import geodesic from 'geographiclib-geodesic';
import { meridionalRadiusM, primeVerticalRadiusM, wrapLonDeg } from '../model/geo.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { fallbackWarnings, isoTime, redactSecrets } from './acdd.js';
import { areaSizeFields, driftingDatumFields, type SummarySearch } from './summary-search.js';
import { firstStranding, mostLikelyCell } from './summary-glance.js';
import type { ProductContext, ProductFile } from './types.js';
import { plainCategoryText } from './category-text.js';
import { writePieces } from './files.js';
import { jsonPieces } from './json-pieces.js';

const WGS84 = geodesic.Geodesic.WGS84;
const DEG = Math.PI / 180;

export interface TimeStats {
  timeSec: number;
  /** Centroid of the released particles (all statuses), or null before the first release. */
  datumLonDeg: number | null;
  datumLatDeg: number | null;
  /** Population standard deviation of the positions about the datum, metres east and north. */
  stdEastM: number | null;
  stdNorthM: number | null;
  /** Geodesic distance (m) and initial bearing (degrees from north) from the seed position to the datum. */
  datumDistanceFromSeedM: number | null;
  datumBearingFromSeedDeg: number | null;
  released: number;
  active: number;
  stranded: number;
  outside: number;
  notReleased: number;
  /** Released particles capsized at this time (OpenDrift's `capsized` = 1); stays 0 without capsizing. */
  capsized: number;
}

/**
 * Per-time statistics in one pass over the particles (particle-major, as the arrays are laid out).
 * Longitudes are unwrapped around the seed so a cloud straddling 180° averages to ±180°, not 0°.
 * Degrees become metres with the WGS84 radii of curvature at the datum's latitude (meridional M and
 * prime-vertical N·cos φ); over a cloud a few tens of km across that local scale is good to ~0.1 %.
 */
export function spreadStats(result: TrajectoryResult, seedLonDeg: number, seedLatDeg: number): TimeStats[] {
  const { nParticles, nTimes, lonDeg, latDeg, status, capsized } = result;
  const n = new Float64Array(nTimes);
  const sx = new Float64Array(nTimes);
  const sy = new Float64Array(nTimes);
  const sxx = new Float64Array(nTimes);
  const syy = new Float64Array(nTimes);
  const byStatus = new Float64Array(nTimes * 4); // active, stranded, outside, not released / other
  const nCapsized = new Float64Array(nTimes);
  for (let p = 0; p < nParticles; p++) {
    const base = p * nTimes;
    for (let t = 0; t < nTimes; t++) {
      const i = base + t;
      const s = status[i];
      // Every index here is in bounds (i < nParticles * nTimes, t < nTimes): the `?? 0` / `?? NaN` below
      // only satisfy the type (a missing position would read as "not released").
      const k = t * 4 + (s === STATUS.ACTIVE ? 0 : s === STATUS.STRANDED ? 1 : s === STATUS.OUTSIDE ? 2 : 3);
      byStatus[k] = (byStatus[k] ?? 0) + 1;
      const lat = latDeg[i] ?? NaN;
      let dx = (lonDeg[i] ?? NaN) - seedLonDeg;
      if (!(dx === dx) || !(lat === lat)) continue; // not released
      nCapsized[t] = (nCapsized[t] ?? 0) + (capsized[i] ?? 0);
      if (dx > 180) dx -= 360;
      else if (dx < -180) dx += 360;
      // Offsets from the seed keep the sums small, so the one-pass variance does not cancel catastrophically.
      const dy = lat - seedLatDeg;
      n[t] = (n[t] ?? 0) + 1;
      sx[t] = (sx[t] ?? 0) + dx;
      sy[t] = (sy[t] ?? 0) + dy;
      sxx[t] = (sxx[t] ?? 0) + dx * dx;
      syy[t] = (syy[t] ?? 0) + dy * dy;
    }
  }
  const out: TimeStats[] = [];
  // t < nTimes = the length of every per-time array: the `?? 0` below only satisfy the type.
  for (let t = 0; t < nTimes; t++) {
    const counts = {
      active: byStatus[t * 4] ?? 0,
      stranded: byStatus[t * 4 + 1] ?? 0,
      outside: byStatus[t * 4 + 2] ?? 0,
      notReleased: byStatus[t * 4 + 3] ?? 0,
      capsized: nCapsized[t] ?? 0,
    };
    const k = n[t] ?? 0;
    const timeSec = result.timesSec[t] ?? NaN;
    if (k === 0) {
      out.push({
        timeSec, datumLonDeg: null, datumLatDeg: null, stdEastM: null, stdNorthM: null,
        datumDistanceFromSeedM: null, datumBearingFromSeedDeg: null, released: 0, ...counts,
      });
      continue;
    }
    const mx = (sx[t] ?? 0) / k;
    const my = (sy[t] ?? 0) / k;
    const varX = Math.max(0, (sxx[t] ?? 0) / k - mx * mx);
    const varY = Math.max(0, (syy[t] ?? 0) / k - my * my);
    const datumLat = seedLatDeg + my;
    // The mean offset is within a turn of the seed, so this is one ±360° step.
    const datumLon = wrapLonDeg(seedLonDeg + mx);
    const sinPhi = Math.sin(datumLat * DEG);
    const primeVerticalM = primeVerticalRadiusM(sinPhi);
    const meridionalM = meridionalRadiusM(sinPhi);
    const inv = WGS84.Inverse(seedLatDeg, seedLonDeg, datumLat, datumLon);
    const distanceM = inv.s12 ?? 0;
    out.push({
      timeSec,
      datumLonDeg: datumLon,
      datumLatDeg: datumLat,
      stdEastM: Math.sqrt(varX) * DEG * primeVerticalM * Math.cos(datumLat * DEG),
      stdNorthM: Math.sqrt(varY) * DEG * meridionalM,
      datumDistanceFromSeedM: distanceM,
      // Bearing is undefined at zero distance; report 0 there rather than geographiclib's arbitrary azimuth.
      datumBearingFromSeedDeg: distanceM > 0 ? (((inv.azi1 ?? 0) % 360) + 360) % 360 : 0,
      released: k,
      ...counts,
    });
  }
  return out;
}

export interface SummaryOptions {
  timingsMs: Record<string, number>;
  warnings: string[];
  grid?: DensityGrid;
  /** Products already written (listed with size and sha256 so the summary vouches for them). */
  products?: ProductFile[];
  /** Drifting datums, plan and completed searches (summary-search.ts); without it the datum is the released centroid. */
  search?: SummarySearch;
  /** Weighted scenarios' shares over time (summary-scenarios.ts); only with params.scenarios. */
  scenarios?: Record<string, unknown>[];
  /** Stranded probability over time (stranding.ts strandingSummary). */
  stranding?: Record<string, unknown>;
}

/** How summary.json lists a product. */
export function summaryProductList(products: ProductFile[]): Array<Record<string, unknown>> {
  return products.map((p) => ({ kind: p.kind, path: p.relPath, content_type: p.contentType, bytes: p.bytes, sha256: p.sha256 }));
}

const round = (v: number | null, digits: number): number | null => (v === null ? null : Number(v.toFixed(digits)));

export function buildSummary(result: TrajectoryResult, ctx: ProductContext, opts: SummaryOptions): Record<string, unknown> {
  const m = ctx.model;
  const seedLon = m.seeding.lonDeg;
  const seedLat = m.seeding.latDeg;
  const stats = spreadStats(result, seedLon, seedLat);
  const fallback = fallbackWarnings(ctx);
  const t0 = result.timesSec[0] ?? m.startTimeSec;
  const { category, ...modelParams } = m;
  return {
    mission_id: ctx.missionId,
    // Placed first so nobody can miss it: the drift was computed with made-up forcing.
    ...(fallback.length > 0 ? { FORCING_FALLBACK: fallback.join('; ') } : {}),
    created_at: ctx.createdAtIso,
    warnings: opts.warnings,
    software: { name: 'driftline', version: ctx.softwareVersion },
    model: {
      name: 'Leeway',
      description: "driftline's TypeScript implementation of OpenDrift's Leeway search-and-rescue drift model",
      version: ctx.softwareVersion,
      rng: m.rng,
      seed: m.seed,
    },
    object_category: { id: category.id, key: category.key, description: plainCategoryText(category.description) },
    last_known_position: { lon: seedLon, lat: seedLat, time: isoTime(m.startTimeSec) },
    forcing: { fallback_used: fallback.length > 0, ...redactSecrets(ctx.forcing) },
    run: {
      particles: result.nParticles,
      output_times: result.nTimes,
      direction: m.timeStepSec > 0 ? 'forward' : 'backward',
      time_step_s: m.timeStepSec,
      output_step_s: m.outputStepSec,
      duration_s: m.durationSec,
      particle_steps: result.particleSteps,
    },
    ...(opts.grid
      ? {
          density_grid: {
            cell_m: round(opts.grid.cellM, 1),
            requested_cell_m: opts.grid.requestedCellM,
            nx: opts.grid.nx,
            ny: opts.grid.ny,
            west_deg: opts.grid.westDeg,
            south_deg: opts.grid.southDeg,
            dlon_deg: opts.grid.dLonDeg,
            dlat_deg: opts.grid.dLatDeg,
          },
        }
      : {}),
    // lon/lat to 1e-6° (0.1 m), distances to 0.1 m: finer digits would be noise next to float32 positions.
    times: stats.map((s) => ({
      time: isoTime(s.timeSec),
      hours_since_start: round((s.timeSec - t0) / 3600, 4),
      datum: s.datumLonDeg === null ? null : { lon: round(s.datumLonDeg, 6), lat: round(s.datumLatDeg, 6) },
      std_east_m: round(s.stdEastM, 1),
      std_north_m: round(s.stdNorthM, 1),
      datum_distance_from_seed_m: round(s.datumDistanceFromSeedM, 1),
      datum_bearing_from_seed_deg: round(s.datumBearingFromSeedDeg, 1),
      ...(opts.search
        ? driftingDatumFields(s.timeSec, opts.search, seedLon, seedLat, s.datumLonDeg === null ? null : { lon: round(s.datumLonDeg, 6), lat: round(s.datumLatDeg, 6) })
        : {}),
      ...(opts.search?.areas ? areaSizeFields(s.timeSec, opts.search.areas) : {}),
      counts: {
        released: s.released,
        active: s.active,
        stranded: s.stranded,
        outside: s.outside,
        not_released: s.notReleased,
        capsized: s.capsized,
      },
    })),
    ...(opts.search?.mission ? { search: opts.search.mission } : {}),
    // Issue 8 items 2 and 5: per-scenario shares, stranded probability over time.
    ...(opts.scenarios ? { scenarios: opts.scenarios } : {}),
    ...(opts.stranding ? { stranding: opts.stranding } : {}),
    // At a glance (summary-glance.ts): null when no particle stranded / no grid.
    first_stranding: firstStranding(result),
    most_likely_cell: opts.grid ? mostLikelyCell(opts.grid, result.timesSec) : null,
    timings_ms: opts.timingsMs,
    products: summaryProductList(opts.products ?? []),
    params: redactSecrets(ctx.provenance),
    model_params: modelParams,
  };
}

/** The text of JSON.stringify(summary, null, 2) and a final newline, in pieces: one per time entry (depth 2). */
export function* summaryPieces(summary: Record<string, unknown>): Generator<string> {
  yield* jsonPieces(summary, { space: 2, depth: 2 });
  yield '\n';
}

/**
 * Writes products/summary.json; returns its size and sha256 (hashed as written). The summary object is
 * built whole (kilobytes per output time); its text is written in pieces.
 */
export async function writeSummary(result: TrajectoryResult, ctx: ProductContext, filePath: string, opts: SummaryOptions): Promise<{ bytes: number; sha256: string }> {
  return writePieces(filePath, summaryPieces(buildSummary(result, ctx, opts)));
}
