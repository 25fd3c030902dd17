/**
 * The basemap's land: exactly the land the model ran with, so a particle stranded by the model sits on
 * drawn land and never in drawn open sea.
 *
 * - With the model's LandRaster (the forcing's land_binary_mask, or the coastline tiles of the mission
 *   window from src/land, which is what src/mission/run.ts passes): its cells, read the way the model's
 *   land sampler reads them (src/land/sampler.ts readCellRow, plain or tiled). Cells of 232 m show as 2-px steps
 *   at a 100 m/px view and as blocks when zoomed in: that is the coast the model saw.
 * - Without one (coastline action 'none': the model ignored land; or a caller that has no raster):
 *   the polygons of the coastline source, rasterised by src/land at the basemap's sample points.
 *
 * Every pixel is sampled 3 × 3 times (10 coverage levels) to soften the staircase, and the coast is
 * the land side of every land/sea step, darkened in proportion to the step, which gives a ~1 px line.
 * 1280 × 720: 5.1 million samples, 10-30 ms; the polygon path adds their rasterisation (~20-60 ms
 * on the Norwegian coast with the OSM source) and, once per process, loadCoastline() (0.6-0.8 s).
 */
import path from 'node:path';
import { loadCoastline, type CoastlineSource } from '../../land/coastline.js';
import { rasterisePolygons } from '../../land/rasterise.js';
import { readCellRow } from '../../land/sampler.js';
import { TILE_LAND, TILE_WATER } from '../../land/tiles.js';
import { DEFAULT_COASTLINE } from '../../land/sources.js';
import type { LandRaster } from '../../land/types.js';
import { COLOURS, hexRgb } from './style.js';
import type { MapView } from './view.js';

/** What the model used for land, as given to writeAnimation. */
export interface AnimationLand {
  /** The raster the model ran with; null when it ran without land (coastline action 'none'). */
  raster: LandRaster | null;
  /** Where `raster` came from: the forcing's land_binary_mask, or the coastline `source` rasterised. */
  rasterFrom: 'forcing' | 'coastline';
  /** The configured coastline polygons (coastlineSourceFromConfig): drawn when there is no raster. */
  source: CoastlineSource;
  /** Label of the forcing land mask (ForcingSource.description) for the footer. */
  forcingLabel?: string;
}

/** Used when writeAnimation is given no land: the default coastline, as a worker without COASTLINE_FILE. */
export const DEFAULT_ANIMATION_LAND: AnimationLand = { raster: null, rasterFrom: 'coastline', source: DEFAULT_COASTLINE };

/** Samples per pixel along each axis: 3 × 3 gives 10 coverage levels, enough through yuv420p. */
export const SAMPLES_PER_PX = 3;

/** Land value (0/1) of every sample point of the map box, rows from the top: (S·h) × (S·w) bytes. */
export interface LandSamples {
  w: number;
  h: number;
  values: Uint8Array;
  /**
   * Set when every sample is this value, known from the raster without reading the samples one by one
   * (uniformRasterValue): coverage and renderLand then fill instead of visiting every sample.
   */
  uniform?: 0 | 1;
}

/**
 * The value of every cell of the raster and of the outside, when they are all the same: a constant
 * forcing land mask (1 cell), a coastline window with no coast (one water cell, or tiles all water).
 * Else null. Costs a look at the cells (or the tile index), not at the map's samples.
 */
function uniformRasterValue(raster: LandRaster): 0 | 1 | null {
  const { outside } = raster;
  if (raster.tiles) {
    const index = new Int32Array(raster.tiles.index);
    if (index.length !== raster.tiles.ntx * raster.tiles.nty) return null;
    const flag = outside === 1 ? TILE_LAND : TILE_WATER;
    for (let k = 0; k < index.length; k++) if (index[k] !== flag) return null;
    return outside;
  }
  const cells = new Uint8Array(raster.data);
  if (cells.length > MAX_UNIFORM_SCAN_CELLS || cells.length !== raster.nx * raster.ny) return null;
  for (let k = 0; k < cells.length; k++) if ((cells[k] === 1 ? 1 : 0) !== outside) return null;
  return outside;
}

/** A plain raster is scanned for uniformity up to this many cells (a forcing mask is small; 1 ms). */
const MAX_UNIFORM_SCAN_CELLS = 1 << 20;

/** Sample longitude/latitude of sample column c / row r (c, r from the box's top-left corner). */
function sampleLonDeg(view: MapView, c: number): number {
  return view.westDeg + (c + 0.5) / (SAMPLES_PER_PX * view.pxPerDegLon);
}

function sampleLatDeg(view: MapView, r: number): number {
  return view.northDeg - (r + 0.5) / (SAMPLES_PER_PX * view.pxPerDegLat);
}

/** Land at every sample point, looked up in `raster` with createLandSampler's arithmetic. */
function sampleRaster(view: MapView, raster: LandRaster): LandSamples {
  const w = SAMPLES_PER_PX * view.box.w;
  const h = SAMPLES_PER_PX * view.box.h;
  // Every sample reads a cell of the raster or its outside: all the same value when those are.
  const uniform = uniformRasterValue(raster);
  if (uniform !== null) {
    const values = new Uint8Array(w * h); // zeros
    return { w, h, values: uniform === 0 ? values : values.fill(uniform), uniform };
  }
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny, outside } = raster;
  const col = new Int32Array(w);
  for (let c = 0; c < w; c++) {
    let dLon = sampleLonDeg(view, c) - westDeg;
    dLon -= 360 * Math.floor(dLon / 360); // as the sampler: rasters may straddle the antimeridian
    const i = Math.floor(dLon / dLonDeg);
    col[c] = i >= 0 && i < nx ? i : -1;
  }
  const values = new Uint8Array(w * h);
  // Sample rows are ~10-40 m apart and cells 232 m or more: most rows read the same cell row as the
  // row above, whose samples are then copied (same `col`, same cells) instead of read again.
  let prevJ = Number.NaN;
  for (let r = 0; r < h; r++) {
    const j = Math.floor((sampleLatDeg(view, r) - southDeg) / dLatDeg);
    const out = values.subarray(r * w, (r + 1) * w);
    if (j === prevJ) values.copyWithin(r * w, (r - 1) * w, r * w);
    else if (j < 0 || j >= ny) out.fill(outside);
    else readCellRow(raster, col, j, out); // plain or tiled (src/land/sampler.ts)
    prevJ = j;
  }
  return { w, h, values };
}

/** The source's polygons rasterised with a cell centred on every sample point (src/land's fill rule). */
function samplePolygons(view: MapView, source: CoastlineSource): LandSamples {
  const w = SAMPLES_PER_PX * view.box.w;
  const h = SAMPLES_PER_PX * view.box.h;
  const dLonDeg = 1 / (SAMPLES_PER_PX * view.pxPerDegLon);
  const dLatDeg = 1 / (SAMPLES_PER_PX * view.pxPerDegLat);
  const southDeg = view.northDeg - h * dLatDeg;
  // The rasteriser wants its west edge in [-180, 180); the view's is unwrapped around the cloud.
  const westDeg = view.westDeg - 360 * Math.floor((view.westDeg + 180) / 360);
  const fromSouth = new Uint8Array(w * h);
  rasterisePolygons(loadCoastline(source), { westDeg, southDeg, dLonDeg, dLatDeg, nx: w, ny: h }, fromSouth);
  const values = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) values.set(fromSouth.subarray((h - 1 - r) * w, (h - r) * w), r * w);
  return { w, h, values };
}

/** Land at the basemap's sample points: the model's raster when it had one, else the source's polygons. */
export function landSamples(view: MapView, land: AnimationLand): LandSamples {
  return land.raster ? sampleRaster(view, land.raster) : samplePolygons(view, land.source);
}

/**
 * RGBA pixels of the map box (box.w × box.h × 4): sea, land by coverage, coast on the land side of
 * each land/sea step.
 */
export function renderLand(view: MapView, samples: LandSamples): Uint8ClampedArray {
  const S = SAMPLES_PER_PX;
  const { w: bw, h: bh } = view.box;
  const full = S * S;
  const cover = coverage(view, samples);
  // k ± 1 and k ± bw are only read inside the box: in bounds, `?? 0` only satisfies the type.
  const at = (k: number): number => cover[k] ?? 0;
  const sea = hexRgb(COLOURS.sea);
  const landRgb = hexRgb(COLOURS.land);
  const coast = hexRgb(COLOURS.coast);
  const rgba = new Uint8ClampedArray(bw * bh * 4);
  if (samples.uniform !== undefined) {
    // Every pixel has the same coverage and so no step to a neighbour (e = 0): one colour.
    const f = at(0) / full;
    const pixel = Uint8ClampedArray.of(landShade(sea[0], landRgb[0], coast[0], f, 0), landShade(sea[1], landRgb[1], coast[1], f, 0), landShade(sea[2], landRgb[2], coast[2], f, 0), 255);
    // The 4 bytes as one 32-bit word in the machine's byte order: one fill for the whole box (1100 × 700
    // px: 23-27 ms setting each pixel's 4 bytes, 2 ms).
    new Uint32Array(rgba.buffer).fill(new Uint32Array(pixel.buffer)[0] ?? 0);
    return rgba;
  }
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const k = y * bw + x;
      const c = at(k);
      // The step down to the least-covered 4-neighbour: 9 at a pixel-aligned coast, split between
      // the two pixels when the coast crosses a pixel; 0 inland and at sea.
      let lowest = c;
      if (x > 0 && at(k - 1) < lowest) lowest = at(k - 1);
      if (x + 1 < bw && at(k + 1) < lowest) lowest = at(k + 1);
      if (y > 0 && at(k - bw) < lowest) lowest = at(k - bw);
      if (y + 1 < bh && at(k + bw) < lowest) lowest = at(k + bw);
      const f = c / full;
      const e = (c - lowest) / full;
      rgba[k * 4] = landShade(sea[0], landRgb[0], coast[0], f, e);
      rgba[k * 4 + 1] = landShade(sea[1], landRgb[1], coast[1], f, e);
      rgba[k * 4 + 2] = landShade(sea[2], landRgb[2], coast[2], f, e);
      rgba[k * 4 + 3] = 255;
    }
  }
  return rgba;
}

/** One colour channel: sea to land by the coverage f, then towards the coast colour by the step e. */
function landShade(seaC: number, landC: number, coastC: number, f: number, e: number): number {
  const v = seaC + (landC - seaC) * f;
  return Math.round(v + (coastC - v) * e);
}

/** coverage() of samples already counted: renderLand and landMaskOf both need it for the same samples. */
const coverageOf = new WeakMap<LandSamples, Uint8Array>();

/** Land samples per map-box pixel (box.w × box.h, rows from the top), 0..SAMPLES_PER_PX². Do not modify. */
function coverage(view: MapView, samples: LandSamples): Uint8Array {
  const known = coverageOf.get(samples);
  if (known !== undefined && known.length === view.box.w * view.box.h) return known;
  const cover = countCoverage(view, samples);
  coverageOf.set(samples, cover);
  return cover;
}

function countCoverage(view: MapView, samples: LandSamples): Uint8Array {
  const S = SAMPLES_PER_PX;
  const bw = view.box.w;
  const cover = new Uint8Array(bw * view.box.h);
  if (samples.uniform !== undefined) return cover.fill(samples.uniform * S * S);
  const { values, w } = samples;
  // S × S samples per pixel, the samples' rows and columns S times the box's: every index is in
  // bounds and `?? 0` only satisfies the type. A pixel's S samples of a row are added together (no
  // division per sample: 6.9 M samples at 1100 × 700 px, 24 -> ~8 ms).
  for (let r = 0; r < samples.h; r++) {
    const rowOut = ((r / S) | 0) * bw;
    let c = r * w;
    for (let x = 0; x < bw; x++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += values[c++] ?? 0;
      cover[rowOut + x] = (cover[rowOut + x] ?? 0) + sum;
    }
  }
  return cover;
}

function sourceName(source: CoastlineSource): string {
  if (source === 'osm-seas-10m') return 'OpenStreetMap';
  if (source === 'natural-earth-10m') return 'Natural Earth 1:10m';
  return path.basename(source.file);
}

function cellLabel(raster: LandRaster): string {
  // North-south cell size (111.32 km per degree of latitude).
  const m = raster.dLatDeg * 111_320;
  return m >= 1000 ? `${(m / 1000).toFixed(m < 10_000 ? 1 : 0)} km` : `${Math.round(m)} m`;
}

/**
 * The footer lines naming the land drawn (the model's), with the data's attribution line when its
 * licence asks for one (OpenStreetMap, ODbL). `ignoredByModel`: coastline action 'none'.
 */
export function landLabel(land: AnimationLand, ignoredByModel: boolean): string[] {
  const { raster } = land;
  if (raster && land.rasterFrom === 'forcing') {
    const name = land.forcingLabel ?? raster.source;
    if (raster.nx * raster.ny === 1) return [`Land: ${name} (forcing)`];
    return [`Land: forcing land mask, ${cellLabel(raster)} cells`, name];
  }
  const lines = [
    raster
      ? `Coastline: ${sourceName(land.source)}, model's ${cellLabel(raster)} cells`
      : `Coastline: ${sourceName(land.source)}${ignoredByModel ? ' (ignored by the model)' : ''}`,
  ];
  if (land.source === 'osm-seas-10m') lines.push('© OpenStreetMap contributors');
  return lines;
}

/**
 * 1 per map-box pixel (box.w × box.h, rows from the top) where more than half of its samples are land:
 * the pixels the density shading leaves alone (FrameExtras.landMask), so density cells stop at the
 * drawn coast. A coast pixel half land keeps its shading, which keeps the 1 px coast line readable.
 */
export function landMaskOf(view: MapView, samples: LandSamples): Uint8Array {
  const half = (SAMPLES_PER_PX * SAMPLES_PER_PX) / 2;
  if (samples.uniform !== undefined) return new Uint8Array(view.box.w * view.box.h).fill(samples.uniform * SAMPLES_PER_PX * SAMPLES_PER_PX > half ? 1 : 0);
  const cover = coverage(view, samples);
  const mask = new Uint8Array(cover.length);
  for (let k = 0; k < cover.length; k++) mask[k] = (cover[k] ?? 0) > half ? 1 : 0;
  return mask;
}
