/**
 * The probability layer of products/search_areas.kmz (search-areas-kmz.ts), pure: the weighted
 * probability of each density-grid cell at each output time, the one colour scale over the run, and each
 * time's map as an indexed PNG (written here byte by byte: IHDR, PLTE, tRNS, one zlib IDAT). Apart from
 * the KMZ's legend drawing and zip writing, which do the I/O.
 */
import { deflateSync } from 'node:zlib';
import type { TrajectoryResult } from '../model/types.js';
import { gridCenterLonDeg, type DensityGrid } from './density-grid.js';
import { kthFromEachEnd } from '../search/select.js';

/**
 * Pixels per grid cell along each axis: Google Earth stretches an overlay with bilinear filtering, so
 * one pixel per cell would smear a 40-cell grid into a blur; 8 px keeps the cell edges sharp. Fewer
 * for big grids so no image side exceeds ~1024 px unless the grid itself has more cells than that.
 */
export const MAX_PX_PER_CELL = 8;
const TARGET_IMAGE_PX = 1024;
/** Decades of probability the colour ramp spans below the run's top cell; cells below are drawn in the lowest colour, never hidden. */
export const SCALE_DECADES = 3;
/** Ramp stops (ColorBrewer YlOrRd), low to high, with opacity (0-1): low values lighter and more transparent. */
const RAMP: [number, number, number, number][] = [
  [255, 255, 178, 0.55],
  [254, 204, 92, 0.65],
  [253, 141, 60, 0.75],
  [240, 59, 32, 0.82],
  [189, 0, 38, 0.9],
];

export function pxPerCell(grid: Pick<DensityGrid, 'nx' | 'ny'>): number {
  return Math.max(1, Math.min(MAX_PX_PER_CELL, Math.floor(TARGET_IMAGE_PX / Math.max(grid.nx, grid.ny))));
}

/**
 * Weighted probability per cell and time, layout (t * ny + y) * nx + x like the grid's counts: the
 * weight of the released particles in the cell over the weight released at t (0 where nothing is
 * released). Cells are found exactly as buildDensityGrid bins them (longitude unwrapped about the
 * grid's reference, clamped at the edges). One pass, particle-major as the arrays are laid out.
 */
export function weightedProbability(grid: DensityGrid, result: TrajectoryResult, weights: Float64Array): Float32Array {
  const { nx, ny, nTimes, westDeg, southDeg } = grid;
  const cellsPerTime = nx * ny;
  const fromCounts = equalWeightProbability(grid, result, weights);
  if (fromCounts !== null) return fromCounts;
  // Float64 sums (64 MB at the grid's 8 M cell-time cap, as much as the grid's own counts): float32
  // accumulation of 2 000 equal weights was already 7.5e-6 off, so the map would not sum to 1.
  const sums = new Float64Array(cellsPerTime * nTimes);
  const released = new Float64Array(nTimes);
  const ref = grid.extent?.refLonDeg ?? gridCenterLonDeg(grid);
  const invDLon = 1 / grid.dLonDeg;
  const invDLat = 1 / grid.dLatDeg;
  const n = Math.min(nTimes, result.nTimes);
  for (let p = 0; p < result.nParticles; p++) {
    const w = weights[p] ?? 0;
    if (!(w > 0)) continue;
    const base = p * result.nTimes;
    // t < n <= both arrays' times, cells clamped into the grid: every read below is in bounds and the
    // `?? NaN` / `?? 0` only satisfy the type (a missing position would read as "not released").
    for (let t = 0; t < n; t++) {
      const lat = result.latDeg[base + t] ?? NaN;
      let d = (result.lonDeg[base + t] ?? NaN) - ref;
      if (!(d === d) || !(lat === lat)) continue; // not released
      if (d >= 180) d -= 360;
      else if (d < -180) d += 360;
      const x = Math.min(nx - 1, Math.max(0, Math.floor((ref + d - westDeg) * invDLon)));
      const y = Math.min(ny - 1, Math.max(0, Math.floor((lat - southDeg) * invDLat)));
      const cell = t * cellsPerTime + y * nx + x;
      sums[cell] = (sums[cell] ?? 0) + w;
      released[t] = (released[t] ?? 0) + w;
    }
  }
  const out = new Float32Array(cellsPerTime * nTimes);
  for (let t = 0; t < nTimes; t++) {
    const total = released[t] ?? 0;
    if (!(total > 0)) continue;
    for (let c = t * cellsPerTime; c < (t + 1) * cellsPerTime; c++) out[c] = (sums[c] ?? 0) / total; // in bounds
  }
  return out;
}

/**
 * weightedProbability from the grid's own counts when every particle carries the same weight w (no
 * scenarios, no completed searches) and the grid was binned from this run (buildDensityGrid: same cells,
 * same clamps, same test for "released"), else null. A cell's sum is then w added once per particle in
 * it, starting from 0, whatever order the particles come in: the same double as sums[k] = sums[k − 1] + w
 * after k additions, so a table of those partial sums gives every cell's and every time's sum exactly.
 * One pass over the cells instead of one over every position: the 20 000 × 48 h case of
 * bench/opendrift-side-by-side.mjs, weightedProbability 49 ms of the KMZ stage's CPU profile -> ~2 ms.
 */
function equalWeightProbability(grid: DensityGrid, result: TrajectoryResult, weights: Float64Array): Float32Array | null {
  const w = weights[0] ?? 0;
  if (grid.extent === undefined || grid.nTimes !== result.nTimes || weights.length !== result.nParticles || !(w > 0)) return null;
  for (let p = 1; p < weights.length; p++) if (weights[p] !== w) return null;
  const { nTimes, counts, stranded, releasedPerTime } = grid;
  const cellsPerTime = grid.nx * grid.ny;
  let most = 0;
  for (let t = 0; t < nTimes; t++) most = Math.max(most, releasedPerTime[t] ?? 0);
  // sumOf[k]: w added k times (a cell or a time holds at most `most` released particles).
  const sumOf = new Float64Array(most + 1);
  for (let k = 1; k <= most; k++) sumOf[k] = (sumOf[k - 1] ?? 0) + w;
  const out = new Float32Array(cellsPerTime * nTimes);
  for (let t = 0; t < nTimes; t++) {
    const total = sumOf[releasedPerTime[t] ?? 0] ?? 0;
    if (!(total > 0)) continue;
    // In bounds: counts and stranded have cellsPerTime × nTimes cells, and a cell holds ≤ `most` particles.
    for (let c = t * cellsPerTime; c < (t + 1) * cellsPerTime; c++) out[c] = (sumOf[(counts[c] ?? 0) + (stranded[c] ?? 0)] ?? 0) / total;
  }
  return out;
}

/**
 * Top of the colour scale: the 99th percentile of the occupied cells' values over the run (0 when no
 * cell is occupied), not the maximum. The maximum is the first records' few cells holding the whole
 * release (45 % in one 1 km cell at the demo's start, while later cells hold under 5 %): scaled to it,
 * the later maps would sit a decade down the ramp. Above the top the colour saturates.
 */
export function scaleTop(prob: Float32Array): number {
  let n = 0;
  for (let c = 0; c < prob.length; c++) if ((prob[c] as number) > 0) n++;
  if (n === 0) return 0;
  const occupied = new Float32Array(n);
  let k = 0;
  for (let c = 0; c < prob.length; c++) {
    const v = prob[c] as number;
    if (v > 0) occupied[k++] = v;
  }
  // The value a sorted copy holds at m, counted from the top (kthFromEachEnd keeps the n − m largest
  // in a heap) instead of sorting every occupied cell: 102 410 cell-times of the 20 000 × 48 h case of
  // bench/opendrift-side-by-side.mjs, first call 4.9-5.0 -> 3.3-4.0 ms, then 1.7-3.2 -> 0.9-1.4 ms.
  const m = Math.min(n - 1, Math.floor(0.99 * n));
  return kthFromEachEnd(occupied, n - 1 - m)[1];
}

/** The colour of a probability as RGBA 0-255 on the log ramp topped at `top`; alpha 0 for 0. */
export function rampRgba(value: number, top: number): [number, number, number, number] {
  if (!(value > 0) || !(top > 0)) return [0, 0, 0, 0];
  const f = Math.min(1, Math.max(0, 1 + Math.log10(value / top) / SCALE_DECADES));
  const pos = f * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(pos));
  const a = RAMP[k];
  const b = RAMP[k + 1];
  if (a === undefined || b === undefined) return [0, 0, 0, 0]; // k is clamped to the ramp: never
  const u = pos - k;
  const mix = (from: number, to: number) => from + (to - from) * u;
  return [Math.round(mix(a[0], b[0])), Math.round(mix(a[1], b[1])), Math.round(mix(a[2], b[2])), Math.round(mix(a[3], b[3]) * 255)];
}

/** CRC-32 (ISO 3309, as PNG chunks use), table-driven; node:zlib's crc32 needs Node 20.15+. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  // The index is masked to 0..255, the table's size: `?? 0` only satisfies the type.
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * The ramp as a 256-entry palette (RGBA): index 0 transparent (no particle), 1..255 the ramp from its
 * floor to its top. 255 steps over 3 decades is 1.2 % in value per step, finer than the eye can tell.
 */
export function rampPalette(): Uint8Array {
  const pal = new Uint8Array(256 * 4);
  for (let i = 1; i < 256; i++) pal.set(rampRgba(10 ** (-SCALE_DECADES * (1 - (i - 1) / 254)), 1), i * 4);
  return pal;
}
const PALETTE = rampPalette();

/** Palette index of a probability on the ramp topped at `top` (0: transparent). */
function rampIndex(value: number, top: number): number {
  if (!(value > 0) || !(top > 0)) return 0;
  const f = Math.min(1, Math.max(0, 1 + Math.log10(value / top) / SCALE_DECADES));
  return 1 + Math.round(f * 254);
}

/**
 * One time's map as an 8-bit palette PNG (colour type 3 with tRNS), north up (image row 0 is the grid's
 * last row), `k` px per cell. Written directly (IHDR, PLTE, tRNS, one zlib IDAT): one byte per pixel
 * instead of canvas's four, and 49 images of 704 × 576 px took 6.8 s through @napi-rs/canvas's encoder
 * on this 2-core machine at load 21 (100 000 particles × 49 records).
 */
export function probabilityPng(prob: Float32Array, t: number, nx: number, ny: number, top: number, k: number): Buffer {
  const w = nx * k;
  const h = ny * k;
  const stride = w + 1; // filter byte 0 (None) per row
  const raw = new Uint8Array(stride * h);
  const offset = t * nx * ny;
  const row = new Uint8Array(w);
  for (let y = 0; y < ny; y++) {
    row.fill(0);
    for (let x = 0; x < nx; x++) {
      const idx = rampIndex(prob[offset + y * nx + x] ?? 0, top);
      if (idx !== 0) row.fill(idx, x * k, (x + 1) * k);
    }
    const row0 = (ny - 1 - y) * k;
    for (let dy = 0; dy < k; dy++) raw.set(row, (row0 + dy) * stride + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // bit depth 8, palette, deflate, no filter method variants, no interlace
  const plte = new Uint8Array(256 * 3);
  const trns = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    plte.set(PALETTE.subarray(i * 4, i * 4 + 3), i * 3);
    trns[i] = PALETTE[i * 4 + 3] ?? 0;
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', plte),
    pngChunk('tRNS', trns),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
