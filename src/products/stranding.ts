/**
 * Stranding report (issue 8 item 5): where on the coast the probability strands, and when. Land teams
 * search beaches, so they need the coast cells, the probability that the object is there, and when the
 * first particle could arrive (PyGNOME reports its beached particles in the same spirit).
 *
 * Cells are the density grid's (about 1 km, params.products.density_cell_m; coarser only when the grid's
 * memory cap bit), so products/stranding.geojson agrees with density.nc's `stranded` counts. A particle
 * counts in the cell of its FIRST stranded record (it stays there: stranding is final). Probability is
 * the mission's particle weight (the posterior after completed searches, scenario weights included), so
 * the features' probabilities sum to summary.json's stranded probability at the last output time.
 *
 * products/stranding.geojson: a FeatureCollection with `times` (the output times, ISO), one Polygon per
 * coast cell with properties `probability` (mass stranded there by the end), `count` (particles),
 * `first_arrival` (ISO time of the first stranded record there), `first_arrival_hours` (since the run's
 * start; negative in a backward run), `probability_by_time` (cumulative mass stranded there at each of
 * `times`), `centre` {lon, lat} and, with weighted scenarios, `by_scenario` (mass per scenario).
 */
import { writeProductPieces } from './files.js';
import { jsonPieces, lazyArray } from './json-pieces.js';
import { wrapLonDeg } from '../model/geo.js';
import { STATUS } from '../model/types.js';
import type { Tracks } from '../search/weights.js';
import type { DensityGrid } from './density-grid.js';
import { cellOf } from './density-grid.js';
import { isoTime } from './acdd.js';
import type { ProductFile } from './types.js';

export interface StrandingCell {
  x: number;
  y: number;
  /** Cell centre, degrees (lon wrapped to [-180, 180)). */
  lonDeg: number;
  latDeg: number;
  /** Σ weight of the particles that stranded in the cell during the run. */
  probability: number;
  count: number;
  /** Record (run order) of the first stranding in the cell. */
  firstRecord: number;
  /** Cumulative mass stranded in the cell at each record. */
  byTime: Float64Array;
  /** Mass per scenario (only with scenarios). */
  byScenario: number[] | null;
}

export interface StrandingReport {
  /** Cells with stranded mass, most probable first (ties: south-west first). */
  cells: StrandingCell[];
  /** Σ over cells of byTime: stranded probability at each record. */
  probabilityByTime: Float64Array;
  /** Stranded particles at each record. */
  countByTime: Uint32Array;
  cellM: number;
}

/** The stranding cells of a run on `grid`'s cells, with the particles' `weights`. */
export function strandingReport(tracks: Tracks, grid: DensityGrid, weights: ArrayLike<number>, scenarios?: { of: Uint8Array; n: number }): StrandingReport {
  const { nParticles, nTimes, lonDeg, latDeg, status } = tracks;
  const cells = new Map<number, StrandingCell>();
  const probabilityByTime = new Float64Array(nTimes);
  const countByTime = new Uint32Array(nTimes);
  for (let p = 0; p < nParticles; p++) {
    const base = p * nTimes;
    let t = 0;
    while (t < nTimes && status[base + t] !== STATUS.STRANDED) t++;
    if (t === nTimes) continue;
    const w = weights[p] ?? 0;
    // The grid spans every released position; clamp anyway so no stranded mass can go missing.
    const lon = lonDeg[base + t] ?? NaN; // t < nTimes: in bounds
    const lat = latDeg[base + t] ?? NaN;
    const c = cellOf(grid, lon, lat) ?? clampedCell(grid, lon, lat);
    const key = c.y * grid.nx + c.x;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = {
        x: c.x,
        y: c.y,
        lonDeg: wrapLonDeg(grid.westDeg + (c.x + 0.5) * grid.dLonDeg),
        latDeg: grid.southDeg + (c.y + 0.5) * grid.dLatDeg,
        probability: 0,
        count: 0,
        firstRecord: t,
        byTime: new Float64Array(nTimes),
        byScenario: scenarios ? new Array<number>(scenarios.n).fill(0) : null,
      };
      cells.set(key, cell);
    }
    cell.probability += w;
    cell.count++;
    if (t < cell.firstRecord) cell.firstRecord = t;
    cell.byTime[t] = (cell.byTime[t] ?? 0) + w; // arrivals now, made cumulative below
    if (cell.byScenario && scenarios) {
      const s = scenarios.of[p] ?? 0;
      cell.byScenario[s] = (cell.byScenario[s] ?? 0) + w;
    }
    for (let u = t; u < nTimes; u++) countByTime[u] = (countByTime[u] ?? 0) + 1;
  }
  const list = [...cells.values()];
  for (const cell of list) {
    // Running sum: the same additions as byTime[t] += byTime[t - 1] (t < nTimes = both arrays' length).
    let cumulative = 0;
    for (let t = 0; t < nTimes; t++) {
      cumulative += cell.byTime[t] ?? 0;
      cell.byTime[t] = cumulative;
      probabilityByTime[t] = (probabilityByTime[t] ?? 0) + cumulative;
    }
  }
  list.sort((a, b) => b.probability - a.probability || a.y - b.y || a.x - b.x);
  return { cells: list, probabilityByTime, countByTime, cellM: grid.cellM };
}

function clampedCell(grid: DensityGrid, lonDeg: number, latDeg: number): { x: number; y: number } {
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, Number.isFinite(v) ? v : 0));
  return { x: clamp(Math.floor((lonDeg - grid.westDeg) / grid.dLonDeg), grid.nx), y: clamp(Math.floor((latDeg - grid.southDeg) / grid.dLatDeg), grid.ny) };
}

// Probabilities to 1e-9 (a particle of a 1 000 000-particle run weighs 1e-6); degrees to 1e-6 (0.1 m).
const r9 = (v: number) => Number(v.toFixed(9));
const r6 = (v: number) => Number(v.toFixed(6));

/** products/stranding.geojson as a value. */
/** One Polygon feature per coast cell, in the report's order. */
function* strandingFeatures(report: StrandingReport, timesSec: ArrayLike<number>, grid: DensityGrid): Generator<Record<string, unknown>> {
  const t0 = timesSec[0] ?? 0;
  const halfLon = grid.dLonDeg / 2;
  const halfLat = grid.dLatDeg / 2;
  for (const c of report.cells) {
    const w = r6(c.lonDeg - halfLon);
    const e = r6(c.lonDeg + halfLon);
    const s = r6(c.latDeg - halfLat);
    const n = r6(c.latDeg + halfLat);
    const firstSec = timesSec[c.firstRecord] ?? t0;
    yield {
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [w, s],
            [e, s],
            [e, n],
            [w, n],
            [w, s],
          ],
        ],
      },
      properties: {
        probability: r9(c.probability),
        count: c.count,
        first_arrival: isoTime(firstSec),
        first_arrival_hours: Number(((firstSec - t0) / 3600).toFixed(4)),
        probability_by_time: Array.from(c.byTime, r9),
        centre: { lon: r6(c.lonDeg), lat: r6(c.latDeg) },
        ...(c.byScenario ? { by_scenario: c.byScenario.map(r9) } : {}),
      },
    };
  }
}

/** The collection around its features (a list, or a lazy array for jsonPieces). */
function strandingCollection<F>(report: StrandingReport, timesSec: ArrayLike<number>, missionId: string, features: F) {
  return {
    type: 'FeatureCollection',
    mission_id: missionId,
    basis:
      'coast cells of the density grid where particles stranded; probability = sum of the weights (final posterior) of the particles that stranded there, probability_by_time = the same, cumulative, at each of times',
    cell_m: Number(report.cellM.toFixed(1)),
    times: Array.from(timesSec, (t) => isoTime(t)),
    total_probability: r9(report.probabilityByTime[report.probabilityByTime.length - 1] ?? 0),
    features,
  };
}

export function strandingGeoJson(report: StrandingReport, timesSec: ArrayLike<number>, grid: DensityGrid, missionId: string): Record<string, unknown> {
  return strandingCollection(report, timesSec, missionId, [...strandingFeatures(report, timesSec, grid)]);
}

/** The `stranding` object of summary.json: stranded probability over time and the cells at a glance. */
export function strandingSummary(report: StrandingReport, timesSec: ArrayLike<number>): Record<string, unknown> {
  const first = report.countByTime.findIndex((n) => n > 0);
  const t0 = timesSec[0] ?? 0;
  return {
    basis: 'weighted (final posterior) probability of the particles stranded on the coast; cells in products/stranding.geojson',
    cell_m: Number(report.cellM.toFixed(1)),
    cells: report.cells.length,
    probability: r9(report.probabilityByTime[report.probabilityByTime.length - 1] ?? 0),
    first_arrival: first < 0 ? null : isoTime(timesSec[first] ?? t0),
    times: Array.from(timesSec, (t, k) => ({
      time: isoTime(t),
      hours_since_start: Number(((t - t0) / 3600).toFixed(4)),
      probability: r9(report.probabilityByTime[k] ?? 0),
      particles: report.countByTime[k] ?? 0,
    })),
  };
}

/** The text of JSON.stringify(strandingGeoJson(…)) in pieces, one coast cell at a time. */
export function strandingGeoJsonPieces(report: StrandingReport, timesSec: ArrayLike<number>, grid: DensityGrid, missionId: string): Generator<string> {
  return jsonPieces(strandingCollection(report, timesSec, missionId, lazyArray(() => strandingFeatures(report, timesSec, grid))));
}

/** Writes products/stranding.geojson as it is made, one feature at a time. */
export async function writeStrandingFile(report: StrandingReport, timesSec: ArrayLike<number>, grid: DensityGrid, workDir: string, missionId: string): Promise<ProductFile> {
  return writeProductPieces(workDir, 'stranding_geojson', strandingGeoJsonPieces(report, timesSec, grid, missionId));
}
