/**
 * Per-frame compositing straight into the RGBA bytes that go to ffmpeg: base layer copy, density
 * shading, particles, datum, overlay, sidebar panel. Pixels are written by hand rather than through
 * canvas calls: 100 000 particles as canvas fillRect calls cost ~100 ms a frame, as array writes ~2 ms.
 */
import { RecordBlocks } from '../record-blocks.js';
import { STATUS, type TrajectoryResult } from '../../model/types.js';
import type { DensityGrid } from '../density-grid.js';
import { unwrapLonDeg } from '../../model/geo.js';
import type { AnnotationLayer } from './annotations.js';
import type { Overlay } from './base.js';
import { COLOURS, hexRgb, type Layout } from './style.js';
import type { MapView } from './view.js';
import { blendRgb } from './pixels.js';

export interface FrameInputs {
  L: Layout;
  view: MapView;
  base: Uint8Array;
  overlay: Overlay;
  result: TrajectoryResult;
  grid: DensityGrid;
  /** densityLut() */
  lut: Uint8Array;
  /** Largest count of one grid cell over the run: the top of the log colour scale. */
  maxCellCount: number;
  /** Draw every activeStride-th drifting particle (activeStrideFor); all stranded/outside ones are drawn. */
  activeStride: number;
}

/**
 * At most 20 000 drifting-particle dots: 2×2 px each they cover up to 80 000 px, a cloud ~280 px
 * across; more would paint the cloud solid and hide the density shading, which already shows every
 * particle. Stranded and outside particles are few and operationally important: all are drawn.
 */
export const MAX_ACTIVE_DOTS = 20_000;

/** Cap on stranded (and, separately, outside-forcing) dots per frame; see drawParticles. */
export const MAX_OTHER_DOTS = 5000;

export function activeStrideFor(nParticles: number): number {
  return Math.max(1, Math.ceil(nParticles / MAX_ACTIVE_DOTS));
}

export interface FrameStats {
  active: number;
  stranded: number;
  outside: number;
  notReleased: number;
  /** Released particles capsized at this record (result.capsized, per record). */
  capsized: number;
}

/**
 * Drifting-particle dots: with up to 5 000 dots drawn, 3×3 px at 85 % opacity (each particle matters
 * and must stand out on the shading); with more, 2×2 px at 55 %, so dense areas saturate while sparse
 * ones still show the shading below.
 */
export function dotStyle(nDrawn: number): { size: number; alpha: number } {
  // 2 px at 35 % (≤ 5 000 drawn) / 25 %: the shading's colour stays readable under the cloud's core
  // (looked at on the demo's 5 000 particles: 3 px at 85 % hid the density peak entirely).
  return nDrawn <= 5000 ? { size: 2, alpha: 0.35 } : { size: 2, alpha: 0.25 };
}

export interface FrameExtras {
  /**
   * 1 where the map-box pixel is land (more than half of its samples; landMaskOf): the density is not
   * shaded there, so a 1 km cell at the coast stops at the drawn coast instead of covering land.
   */
  landMask?: Uint8Array;
  /** Search areas, plan rectangles and datum track, drawn over the particles and under the overlay. */
  annotations?: AnnotationLayer;
  /**
   * The datum cross per output record (the drifting datum of the search areas, so the cross is the
   * centre the areas are drawn around); null where nothing drifts. Without it: the released centroid.
   */
  datumByTime?: readonly ({ lonDeg: number; latDeg: number } | null)[];
}

export class FrameCompositor {
  private readonly colStart: Int32Array;
  private readonly colEnd: Int32Array;
  private readonly rowStart: Int32Array;
  private readonly rowEnd: Int32Array;
  private readonly logTop: number;
  private readonly strandedOrOutside: Int32Array;
  private nOther = 0;
  /** Each frame's records as contiguous arrays (record-blocks.ts): frames are drawn in time order. */
  private readonly records: RecordBlocks;
  /** Reference longitude the grid was binned around (buildDensityGrid's extent.refLonDeg). */
  private readonly gridRefLonDeg: number;
  private readonly halfStepSec: number;
  private readonly forward: boolean;

  constructor(
    private readonly f: FrameInputs,
    private readonly x: FrameExtras = {},
  ) {
    const { grid, view } = f;
    const { box } = view;
    this.records = new RecordBlocks(f.result);
    // Column and row pixel ranges of every grid cell, clipped to the map box.
    const half = (grid.nx * grid.dLonDeg) / 2;
    const west = unwrapLonDeg(grid.westDeg + half, view.centreLonDeg) - half;
    this.colStart = new Int32Array(grid.nx);
    this.colEnd = new Int32Array(grid.nx);
    for (let x = 0; x < grid.nx; x++) {
      const a = Math.round(box.x + (west + x * grid.dLonDeg - view.westDeg) * view.pxPerDegLon);
      const b = Math.round(box.x + (west + (x + 1) * grid.dLonDeg - view.westDeg) * view.pxPerDegLon);
      this.colStart[x] = Math.max(box.x, a);
      this.colEnd[x] = Math.min(box.x + box.w, b);
    }
    this.rowStart = new Int32Array(grid.ny);
    this.rowEnd = new Int32Array(grid.ny);
    for (let y = 0; y < grid.ny; y++) {
      const top = Math.round(box.y + (view.northDeg - (grid.southDeg + (y + 1) * grid.dLatDeg)) * view.pxPerDegLat);
      const bottom = Math.round(box.y + (view.northDeg - (grid.southDeg + y * grid.dLatDeg)) * view.pxPerDegLat);
      this.rowStart[y] = Math.max(box.y, top);
      this.rowEnd[y] = Math.min(box.y + box.h, bottom);
    }
    this.logTop = Math.log(Math.max(2, f.maxCellCount));
    this.strandedOrOutside = new Int32Array(f.result.nParticles);
    this.gridRefLonDeg = grid.extent?.refLonDeg ?? grid.westDeg + half;
    const times = f.result.timesSec;
    const first = times[0] ?? 0;
    const last = times[times.length - 1] ?? first;
    this.forward = last >= first;
    this.halfStepSec = times.length > 1 ? Math.abs(last - first) / (times.length - 1) / 2 : 0;
  }

  /**
   * Composite frame `t` into `out` (width × height × 4) and return the counts by status. `allPlans`:
   * draw every plan rectangle whatever its window (the static map of the final time).
   */
  render(t: number, out: Uint8Array, allPlans = false): FrameStats {
    out.set(this.f.base);
    const { stats, centroid } = this.collect(t);
    this.shadeDensity(t, out);
    this.drawParticles(t, out, stats);
    const timeSec = this.f.result.timesSec[t] ?? 0;
    this.x.annotations?.render(timeSec, this.halfStepSec, this.forward, out, allPlans);
    const datum = this.x.datumByTime ? (this.x.datumByTime[t] ?? null) : centroid;
    if (datum !== null) {
      const { view, L } = this.f;
      const cx = Math.round(xOfFast(view, datum.lonDeg));
      const cy = Math.round(view.box.y + (view.northDeg - datum.latDeg) * view.pxPerDegLat);
      drawDatum(out, L.width, view.box, cx, cy, Math.round(11 * L.s), Math.max(1, Math.round(L.s)));
    }
    this.blendOverlay(out);
    return stats;
  }

  /** Counts by status, the stranded/outside particles' record indices, and the released centroid. */
  private collect(t: number): { stats: FrameStats; centroid: { lonDeg: number; latDeg: number } | null } {
    const { result, view } = this.f;
    const nT = result.nTimes;
    const { lonDeg, latDeg, status, capsized } = this.records.at(t);
    const centre = view.centreLonDeg;
    const stats: FrameStats = { active: 0, stranded: 0, outside: 0, notReleased: 0, capsized: 0 };
    let nOther = 0;
    let sumLon = 0;
    let sumLat = 0;
    for (let p = 0; p < result.nParticles; p++) {
      // In bounds (p < nParticles); `?? NaN` only satisfies the type and reads as not released.
      const lat = latDeg[p] ?? NaN;
      let d = (lonDeg[p] ?? NaN) - centre;
      if (!(d === d) || !(lat === lat)) {
        stats.notReleased++;
        continue;
      }
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      sumLon += d;
      sumLat += lat;
      if (capsized[p] === 1) stats.capsized++;
      const st = status[p];
      if (st === STATUS.STRANDED) stats.stranded++;
      else if (st === STATUS.OUTSIDE) stats.outside++;
      else stats.active++;
      // The record index: outsideCells and the stranded/outside dots read the trajectory itself.
      if (st === STATUS.STRANDED || st === STATUS.OUTSIDE) this.strandedOrOutside[nOther++] = p * nT + t;
    }
    this.nOther = nOther;
    const released = stats.active + stats.stranded + stats.outside;
    const centroid = released > 0 ? { lonDeg: centre + sumLon / released, latDeg: sumLat / released } : null;
    return { stats, centroid };
  }

  /**
   * Particles outside the forcing per grid cell at this record: they are frozen at the forcing's edge
   * and say nothing about the object, so the shading leaves them out (drawn as grey dots instead).
   */
  private outsideCells(): Map<number, number> | null {
    const { grid, result } = this.f;
    const { lonDeg, latDeg, status } = result;
    let cells: Map<number, number> | null = null;
    const ref = this.gridRefLonDeg;
    for (const i of this.strandedOrOutside.subarray(0, this.nOther)) {
      if (status[i] !== STATUS.OUTSIDE) continue;
      // i is a record index collect() found released: in bounds, `?? NaN` only satisfies the type.
      const lat = latDeg[i] ?? NaN;
      let d = (lonDeg[i] ?? NaN) - ref;
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      // buildDensityGrid's binning, clamped the same way.
      const x = Math.min(grid.nx - 1, Math.max(0, Math.floor((ref + d - grid.westDeg) / grid.dLonDeg)));
      const y = Math.min(grid.ny - 1, Math.max(0, Math.floor((lat - grid.southDeg) / grid.dLatDeg)));
      cells ??= new Map();
      const c = y * grid.nx + x;
      cells.set(c, (cells.get(c) ?? 0) + 1);
    }
    return cells;
  }

  private shadeDensity(t: number, out: Uint8Array): void {
    const { grid, lut, L, view } = this.f;
    const W = L.width;
    const n = grid.nx * grid.ny;
    const off = t * n;
    const outside = this.outsideCells();
    const mask = this.x.landMask;
    const bx = view.box.x;
    const by = view.box.y;
    const bw = view.box.w;
    const { colStart, colEnd, rowStart, rowEnd } = this;
    // Every index below is in bounds: cells of record t, x < nx and y < ny (the column/row tables'
    // lengths), k <= 255 * 4 in the 256-entry LUT. The `?? 0` only satisfy the type (an empty span is
    // skipped).
    for (let c = 0; c < n; c++) {
      let count = (grid.counts[off + c] ?? 0) + (grid.stranded[off + c] ?? 0);
      if (count === 0) continue;
      if (outside !== null) count -= outside.get(c) ?? 0;
      if (count <= 0) continue;
      const x = c % grid.nx;
      const y = (c - x) / grid.nx;
      const x0 = colStart[x] ?? 0;
      const x1 = colEnd[x] ?? 0;
      const y0 = rowStart[y] ?? 0;
      const y1 = rowEnd[y] ?? 0;
      if (x1 <= x0 || y1 <= y0) continue;
      const k = Math.min(255, Math.round((255 * Math.log(count)) / this.logTop)) * 4;
      const r = lut[k] ?? 0;
      const g = lut[k + 1] ?? 0;
      const b = lut[k + 2] ?? 0;
      const a = (lut[k + 3] ?? 0) / 255;
      for (let py = y0; py < y1; py++) {
        let i = (py * W + x0) * 4;
        let m = (py - by) * bw + (x0 - bx);
        for (let px = x0; px < x1; px++, i += 4, m++) {
          if (mask !== undefined && mask[m] === 1) continue;
          blendRgb(out, i, r, g, b, a);
        }
      }
    }
  }

  private drawParticles(t: number, out: Uint8Array, stats: FrameStats): void {
    const { result, view, L } = this.f;
    const { box } = view;
    const W = L.width;
    const { lonDeg, latDeg, status } = result;
    const at = this.records.at(t);
    const centre = view.centreLonDeg;
    const xMin = box.x;
    const stride = this.f.activeStride;
    const { size, alpha } = dotStyle(Math.ceil(result.nParticles / stride));
    const half = size >> 1;
    const xMax = box.x + box.w - size; // dots stay inside the box
    const yMin = box.y;
    const yMax = box.y + box.h - size;
    const [ar, ag, ab] = hexRgb(COLOURS.active);
    for (let p = 0; p < result.nParticles; p += stride) {
      // In bounds (p < nParticles); `?? NaN` only satisfies the type and reads as not released.
      const lat = at.latDeg[p] ?? NaN;
      let d = (at.lonDeg[p] ?? NaN) - centre;
      if (!(d === d) || !(lat === lat)) continue;
      const st = at.status[p];
      if (st === STATUS.STRANDED || st === STATUS.OUTSIDE) continue;
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      const px = Math.floor(box.x + (centre + d - view.westDeg) * view.pxPerDegLon) - half;
      const py = Math.floor(box.y + (view.northDeg - lat) * view.pxPerDegLat) - half;
      if (px < xMin || px > xMax || py < yMin || py > yMax) continue;
      let o = (py * W + px) * 4;
      for (let row = 0; row < size; row++, o += (W - size) * 4) {
        for (let col = 0; col < size; col++, o += 4) blendRgb(out, o, ar, ag, ab, alpha);
      }
    }
    // Outside-forcing and stranded particles on top, 3×3 and opaque: all of them up to 5 000 of each
    // status (45 000 px), so a handful always shows; beyond that every k-th, as for drifting ones.
    const outside = hexRgb(COLOURS.outside);
    const stranded = hexRgb(COLOURS.stranded);
    for (const pass of [STATUS.OUTSIDE, STATUS.STRANDED]) {
      const [r, g, b] = pass === STATUS.OUTSIDE ? outside : stranded;
      const passStride = Math.max(1, Math.ceil((pass === STATUS.OUTSIDE ? stats.outside : stats.stranded) / MAX_OTHER_DOTS));
      let seen = 0;
      for (const i of this.strandedOrOutside.subarray(0, this.nOther)) {
        if (status[i] !== pass) continue;
        if (seen++ % passStride !== 0) continue;
        // i is a record index collect() found released: in bounds, `?? NaN` only satisfies the type.
        const px = Math.floor(xOfFast(view, lonDeg[i] ?? NaN)) - 1;
        const py = Math.floor(box.y + (view.northDeg - (latDeg[i] ?? NaN)) * view.pxPerDegLat) - 1;
        if (pass === STATUS.OUTSIDE) {
          // A hollow grey square (3×3 ring): frozen, not drifting; reads apart from the drifting dots.
          fillRect(out, W, box, px - 1, py - 1, 5, 1, r, g, b);
          fillRect(out, W, box, px - 1, py + 3, 5, 1, r, g, b);
          fillRect(out, W, box, px - 1, py, 1, 3, r, g, b);
          fillRect(out, W, box, px + 3, py, 1, 3, r, g, b);
        } else fillRect(out, W, box, px, py, 3, 3, r, g, b);
      }
    }
  }

  private blendOverlay(out: Uint8Array): void {
    const { index, rgba } = this.f.overlay;
    // k < index.length and rgba holds 4 bytes per entry: in bounds, `?? 0` only satisfies the type.
    for (let k = 0; k < index.length; k++) {
      const a = (rgba[k * 4 + 3] ?? 0) / 255;
      blendRgb(out, (index[k] ?? 0) * 4, rgba[k * 4] ?? 0, rgba[k * 4 + 1] ?? 0, rgba[k * 4 + 2] ?? 0, a);
    }
  }
}

function xOfFast(view: MapView, lonDeg: number): number {
  let d = lonDeg - view.centreLonDeg;
  if (d >= 180) d -= 360;
  else if (d < -180) d += 360;
  return view.box.x + (view.centreLonDeg + d - view.westDeg) * view.pxPerDegLon;
}

/** Opaque rectangle, clipped to the box. */
function fillRect(
  out: Uint8Array,
  W: number,
  box: { x: number; y: number; w: number; h: number },
  x: number,
  y: number,
  w: number,
  h: number,
  r: number,
  g: number,
  b: number,
): void {
  const x0 = Math.max(box.x, x);
  const x1 = Math.min(box.x + box.w, x + w);
  const y0 = Math.max(box.y, y);
  const y1 = Math.min(box.y + box.h, y + h);
  for (let py = y0; py < y1; py++) {
    for (let px = x0, o = (py * W + x0) * 4; px < x1; px++, o += 4) {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    }
  }
}

/** The datum as in the legend: a black cross with a white halo. */
function drawDatum(out: Uint8Array, W: number, box: { x: number; y: number; w: number; h: number }, x: number, y: number, arm: number, t: number): void {
  fillRect(out, W, box, x - arm - t, y - 2 * t, 2 * (arm + t) + 1, 4 * t + 1, 255, 255, 255);
  fillRect(out, W, box, x - 2 * t, y - arm - t, 4 * t + 1, 2 * (arm + t) + 1, 255, 255, 255);
  fillRect(out, W, box, x - arm, y - t, 2 * arm + 1, 2 * t + 1, 0, 0, 0);
  fillRect(out, W, box, x - t, y - arm, 2 * t + 1, 2 * arm + 1, 0, 0, 0);
}
