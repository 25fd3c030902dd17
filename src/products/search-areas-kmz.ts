/**
 * products/search_areas.kmz: everything of search_areas.kml (areas with ExtendedData, datum track,
 * per-time folders) plus what a plain KML file cannot carry, for Google Earth:
 *
 *   doc.kml                   the KML (first entry, as KMZ readers expect), with a ScreenOverlay legend
 *                             and a "Probability map" folder of one GroundOverlay per output time
 *   files/legend.png          the legend: colour scale of the map, area outlines, datum, warnings
 *   files/probability_NNN.png the probability map at output record NNN (record order of the run)
 *
 * Each map image covers the density grid exactly (LatLonBox = the grid's edges, as in density.nc), one
 * block of PX_PER_CELL × PX_PER_CELL pixels per cell, north up, transparent where no particle is. The
 * probability of a cell is the summed weight of the released particles in it over the weight released
 * at that time: with equal weights that is density.nc's `probability`; after completed searches it is
 * the posterior, like the search areas. One colour scale serves every time (fitted to the run's cell
 * values, see scaleTop) so the images can be compared as the time slider moves.
 *
 * Why one KMZ beside the KML: QGIS reads the .kml (vectors with attributes) and ignores overlays;
 * Google Earth opens the .kmz with images and legend. The zip is streamed with fflate's Zip (no
 * dependencies), one entry at a time; PNGs are stored, not deflated again (they are deflate streams
 * already), and doc.kml is deflated by Node's zlib (ZipNativeDeflate).
 */
import { deflateRawSync, deflateSync } from 'node:zlib';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { Zip, ZipPassThrough } from 'fflate';
import { writeProductPieces, type ProductPiece } from './files.js';
import type { TrajectoryResult } from '../model/types.js';
import { gridCenterLonDeg, type DensityGrid } from './density-grid.js';
import { gridExtent } from './density-nc.js';
import type { SearchAreaSet } from './search-areas-compute.js';
import { kthFromEachEnd } from '../search/select.js';
import { areaColour, searchAreasKmlPieces, type KmlOverlays } from './search-areas-kml.js';
import type { ProductContext, ProductFile } from './types.js';

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
const FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';

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
/** A probability as a short percentage label ("4.8 %", "0.05 %"). */
export function percentLabel(p: number): string {
  const pct = p * 100;
  const digits = pct >= 10 ? 0 : pct >= 1 ? 1 : Math.min(6, Math.ceil(-Math.log10(pct)) + 1);
  return `${pct.toFixed(digits)} %`;
}

function wrapText(g: SKRSContext2D, text: string, maxWidthPx: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && g.measureText(next).width > maxWidthPx) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

export interface LegendInput {
  missionId: string;
  cellM: number;
  top: number;
  percents: number[];
  backward: boolean;
  warnings: readonly string[];
}

/** Warnings on the legend: at most this many lines in all (the full text is in the KML and summary.json). */
const MAX_WARNING_LINES = 10;

/** The legend image (300 px wide, height to fit): colour scale, area outlines, datum, last known position, warnings. */
export async function legendPng(L: LegendInput): Promise<Buffer> {
  const width = 300;
  const pad = 10;
  const measure = createCanvas(width, 10).getContext('2d');
  measure.font = `11px ${FONT}`;
  const warningLines: string[] = [];
  for (const w of L.warnings) warningLines.push(...wrapText(measure, `• ${w}`, width - 2 * pad));
  const shownWarnings = warningLines.slice(0, MAX_WARNING_LINES);
  if (warningLines.length > MAX_WARNING_LINES) shownWarnings[MAX_WARNING_LINES - 1] = '… (all warnings in the KML description and summary.json)';
  const rowH = 18;
  const height = pad + 18 + 16 + 14 + 26 + rowH * (L.percents.length + 3) + (shownWarnings.length > 0 ? 18 + 14 * shownWarnings.length : 0) + pad;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = 'rgba(255,255,255,0.88)';
  g.fillRect(0, 0, width, height);
  g.strokeStyle = '#555555';
  g.lineWidth = 1;
  g.strokeRect(0.5, 0.5, width - 1, height - 1);
  g.fillStyle = '#000000';
  g.textBaseline = 'top';
  let y = pad;
  g.font = `bold 13px ${FONT}`;
  g.fillText(L.backward ? 'Where the object came from' : 'Where the object may be', pad, y);
  y += 18;
  g.font = `11px ${FONT}`;
  g.fillText(`Probability per ${Math.round(L.cellM)} m cell (log scale)`, pad, y);
  y += 16;
  // The ramp: left = top / 10^SCALE_DECADES (and below), right = the run's top cell.
  const barW = width - 2 * pad;
  for (let i = 0; i < barW; i++) {
    const v = L.top * 10 ** (-SCALE_DECADES * (1 - i / (barW - 1)));
    const [r, gg, b, a] = rampRgba(v, L.top);
    g.fillStyle = `rgba(${r},${gg},${b},${a / 255})`;
    g.fillRect(pad + i, y, 1, 12);
  }
  y += 14;
  g.fillStyle = '#000000';
  g.font = `10px ${FONT}`;
  for (let d = 0; d <= SCALE_DECADES; d++) {
    const x = pad + ((SCALE_DECADES - d) / SCALE_DECADES) * (barW - 1);
    const label = `${d === SCALE_DECADES ? '≤ ' : d === 0 ? '≥ ' : ''}${percentLabel(L.top / 10 ** d)}`;
    const tw = g.measureText(label).width;
    g.fillRect(x, y - 2, 1, 4);
    g.fillText(label, Math.min(width - pad - tw, Math.max(pad, x - tw / 2)), y + 3);
  }
  y += 26;
  g.font = `11px ${FONT}`;
  const swatchX = pad;
  const textX = pad + 34;
  L.percents.forEach((p, k) => {
    const c = areaColour(k);
    g.fillStyle = `${c}40`;
    g.fillRect(swatchX, y + 2, 26, 12);
    g.strokeStyle = c;
    g.lineWidth = 2;
    g.strokeRect(swatchX, y + 2, 26, 12);
    g.fillStyle = '#000000';
    g.fillText(`${p} % search area`, textX, y + 2);
    y += rowH;
  });
  g.strokeStyle = '#000000';
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(swatchX, y + 8);
  g.lineTo(swatchX + 26, y + 8);
  g.stroke();
  g.fillText('Datum track', textX, y + 2);
  y += rowH;
  g.lineWidth = 1.5;
  g.beginPath();
  g.moveTo(swatchX + 13, y + 1);
  g.lineTo(swatchX + 13, y + 15);
  g.moveTo(swatchX + 6, y + 8);
  g.lineTo(swatchX + 20, y + 8);
  g.stroke();
  g.fillText(L.backward ? 'Datum (where it came from)' : 'Datum at the time shown', textX, y + 2);
  y += rowH;
  g.fillStyle = '#ffff00';
  g.strokeStyle = '#000000';
  g.lineWidth = 1;
  g.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 7 : 3;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    if (i === 0) g.moveTo(swatchX + 13 + r * Math.cos(a), y + 8 + r * Math.sin(a));
    else g.lineTo(swatchX + 13 + r * Math.cos(a), y + 8 + r * Math.sin(a));
  }
  g.closePath();
  g.fill();
  g.stroke();
  g.fillStyle = '#000000';
  g.fillText(L.backward ? 'Where it was found (run start)' : 'Last known position', textX, y + 2);
  y += rowH;
  if (shownWarnings.length > 0) {
    g.fillStyle = '#b00000';
    g.font = `bold 12px ${FONT}`;
    g.fillText('WARNINGS', pad, y + 2);
    y += 18;
    g.font = `11px ${FONT}`;
    for (const line of shownWarnings) {
      g.fillText(line, pad, y);
      y += 14;
    }
  }
  return canvas.encode('png');
}

/** One file of the KMZ: its path in the archive, its bytes in pieces, and its deflate level (0: stored). */
export interface KmzEntry {
  name: string;
  level: 0 | 6;
  pieces: Iterable<ProductPiece>;
}

export interface KmzContent {
  /**
   * The entries in zip order (doc.kml first), each made when the generator reaches it: doc.kml in
   * lines, then the legend and one probability image per output time, so one image at a time exists.
   */
  entries: () => Generator<KmzEntry>;
  overlays: KmlOverlays;
  /** Top of the colour scale (scaleTop). */
  topProbability: number;
  pxPerCell: number;
  warnings: string[];
}

/** What the KMZ holds, computed up to the images (the probability map, its scale, the legend). */
export async function buildSearchAreasKmz(
  result: TrajectoryResult,
  grid: DensityGrid,
  ctx: ProductContext,
  set: SearchAreaSet,
  weights: Float64Array,
): Promise<KmzContent> {
  const warnings: string[] = [];
  const prob = weightedProbability(grid, result, weights);
  const top = scaleTop(prob);
  const k = pxPerCell(grid);
  const ext = gridExtent(grid);
  const href = (t: number) => `files/probability_${String(t).padStart(3, '0')}.png`;
  const images: KmlOverlays['images'] = Array.from({ length: grid.nTimes }, (_, t) => ({ timeSec: grid.timesSec[t] ?? 0, href: href(t) }));
  if (GlobalFonts.families.length === 0) warnings.push('products/search_areas.kmz: no fonts found, the legend image has no text (install e.g. fonts-dejavu-core)');
  const legend = await legendPng({
    missionId: ctx.missionId,
    cellM: grid.cellM,
    top,
    percents: set.percents,
    backward: ctx.model.timeStepSec < 0,
    warnings: ctx.warnings ?? [],
  });
  const overlays: KmlOverlays = {
    legendHref: 'files/legend.png',
    box: { northDeg: ext.latMaxDeg, southDeg: ext.latMinDeg, eastDeg: ext.lonMaxDeg, westDeg: ext.lonMinDeg },
    images,
    scaleNote:
      top > 0
        ? `log colour scale from ${percentLabel(top / 10 ** SCALE_DECADES)} (and below) to ${percentLabel(top)} (and above) per ${Math.round(grid.cellM)} m cell, the 99th percentile of the occupied cells over the run`
        : 'no particle was released, the images are empty',
  };
  function* entries(): Generator<KmzEntry> {
    yield { name: 'doc.kml', level: 6, pieces: searchAreasKmlPieces(set, ctx, result, overlays) };
    yield { name: overlays.legendHref, level: 0, pieces: [legend] };
    for (let t = 0; t < grid.nTimes; t++) yield { name: href(t), level: 0, pieces: [probabilityPng(prob, t, grid.nx, grid.ny, top, k)] };
  }
  return { entries, overlays, topProbability: top, pxPerCell: k, warnings };
}

/**
 * A deflated zip entry (method 8) compressed by Node's zlib, natively, in one call when its last piece
 * arrives, where fflate's ZipDeflate ran its JavaScript deflate over every piece: doc.kml of
 * the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs (397 KB) took ~28 ms of the KMZ's ~70 ms that way
 * (CPU profile, warm), zlib ~3 ms. The entry's content and crc are the same; its compressed bytes (and so the
 * .kmz file's) differ from fflate's. The entry is held until its end: doc.kml, whose size follows the areas,
 * not the particles.
 */
class ZipNativeDeflate extends ZipPassThrough {
  private readonly chunks: Uint8Array[] = [];

  constructor(
    filename: string,
    private readonly level: number,
  ) {
    super(filename);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    if (chunk.length > 0) this.chunks.push(chunk);
    if (!final) return;
    const data = deflateRawSync(Buffer.concat(this.chunks), { level: this.level });
    this.chunks.length = 0;
    this.ondata(null, data, true);
  }
}

/**
 * The zip archive of `entries`, in pieces as fflate's streaming Zip emits them: each entry's local
 * header, its (deflated) data as its pieces are pushed, a data descriptor (crc and sizes, known only at
 * the end of a streamed entry), and the central directory last. `mtime` is every entry's time.
 */
export function* zipPieces(entries: Iterable<KmzEntry>, mtime: Date): Generator<Uint8Array> {
  const out: Uint8Array[] = [];
  const state: { failure: Error | null } = { failure: null };
  const zip = new Zip((err, chunk) => {
    if (err) state.failure = err;
    else out.push(chunk);
  });
  // fflate calls back synchronously inside push/end: hand on what it made, or its error.
  function* emitted(): Generator<Uint8Array> {
    if (state.failure) throw state.failure;
    yield* out.splice(0);
  }
  for (const e of entries) {
    const file = e.level === 0 ? new ZipPassThrough(e.name) : new ZipNativeDeflate(e.name, e.level);
    file.mtime = mtime;
    zip.add(file);
    for (const piece of e.pieces) {
      // The KML's pieces are whole lines, so no UTF-16 surrogate pair is split between two encodings.
      file.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
      yield* emitted();
    }
    file.push(new Uint8Array(0), true);
    yield* emitted();
  }
  zip.end();
  yield* emitted();
}

/**
 * Writes products/search_areas.kmz as it is made: the zip is streamed into the file (files.ts
 * ProductSink) entry by entry, doc.kml line by line, so neither the archive nor all its images are
 * held at once.
 */
export async function writeSearchAreasKmz(
  result: TrajectoryResult,
  grid: DensityGrid,
  ctx: ProductContext,
  workDir: string,
  set: SearchAreaSet,
  weights: Float64Array,
): Promise<{ file: ProductFile; warnings: string[] }> {
  const content = await buildSearchAreasKmz(result, grid, ctx, set, weights);
  // Fixed entry times (the products' creation time) so the same products give the same bytes.
  const file = await writeProductPieces(workDir, 'search_areas_kmz', zipPieces(content.entries(), new Date(ctx.createdAtIso)));
  return { file, warnings: content.warnings };
}
