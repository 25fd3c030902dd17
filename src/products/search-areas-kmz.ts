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
 * already), and doc.kml is deflated by Node's zlib (ZipNativeDeflate). The probabilities, their colour
 * scale and the map images are computed in probability-images.ts.
 */
import { deflateRawSync } from 'node:zlib';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { Zip, ZipPassThrough } from 'fflate';
import { writeProductPieces, type ProductPiece } from './files.js';
import type { TrajectoryResult } from '../model/types.js';
import type { DensityGrid } from './density-grid.js';
import { gridExtent } from './density-nc.js';
import type { SearchAreaSet } from './search-areas-compute.js';
import { areaColour, searchAreasKmlPieces, type KmlOverlays } from './search-areas-kml.js';
import { pxPerCell, probabilityPng, rampRgba, SCALE_DECADES, scaleTop, weightedProbability } from './probability-images.js';
import type { ProductContext, ProductFile } from './types.js';

const FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';

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
