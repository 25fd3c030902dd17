/**
 * What does not change between frames, drawn once with @napi-rs/canvas: the basemap (sea, land and
 * coast from land.ts, graticule), tick labels, the sidebar's static text and legends (the base layer, copied into
 * every frame first), and the scale bar and seed marker (the overlay, blended over every frame last so
 * particles never hide them).
 */
import { createCanvas, ImageData, type SKRSContext2D } from '@napi-rs/canvas';
import { wrapLonDeg } from '../../model/geo.js';
import { redactUri } from '../acdd.js';
import { plainCategoryText } from '../search-areas-kml.js';
import type { ProductContext } from '../types.js';
import { outlineLegend, outlineStyle } from './annotations.js';
import { COLOURS, DENSITY_STOPS, font, hexRgb, type Layout } from './style.js';
import { formatTick, niceLength, ticks, xOf, yOf, type MapView } from './view.js';

export interface BaseInfo {
  ctx: ProductContext;
  nParticles: number;
  /** Largest particle count in one display cell over the run (top of the colour bar). */
  maxCellCount: number;
  /** Display cell size, metres. */
  cellM: number;
  /** Footer lines naming the land drawn (landLabel). */
  landLines: string[];
  /** Search-area levels outlined on the map (percent); empty or absent: none drawn, no legend. */
  areaPercents?: readonly number[];
  /** Plan rectangles are drawn (params.search.plan). */
  hasPlan?: boolean;
  /** The cross is the drifting datum (with its track), not the centroid of every released particle. */
  driftingDatum?: boolean;
}

/** Text cut to `maxW` pixels with an ellipsis. */
function fit(g: SKRSContext2D, text: string, maxW: number): string {
  if (g.measureText(text).width <= maxW) return text;
  let t = text;
  while (t.length > 1 && g.measureText(`${t}…`).width > maxW) t = t.slice(0, -1);
  return `${t}…`;
}

/** Greedy word wrap to at most `maxLines` lines of `maxW` pixels. */
function wrap(g: SKRSContext2D, text: string, maxW: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const tryLine = line ? `${line} ${word}` : word;
    if (g.measureText(tryLine).width <= maxW || !line) line = tryLine;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = fit(g, `${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`, maxW);
    return kept;
  }
  return lines;
}

export function drawStar(g: SKRSContext2D, x: number, y: number, r: number): void {
  g.beginPath();
  for (let k = 0; k < 10; k++) {
    const rr = k % 2 === 0 ? r : r * 0.45;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    if (k === 0) g.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    else g.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  g.closePath();
  g.fillStyle = COLOURS.seed;
  g.fill();
  g.strokeStyle = '#000000';
  g.lineWidth = 1.3;
  g.stroke();
}

export function drawCross(g: SKRSContext2D, x: number, y: number, arm: number, s: number): void {
  g.lineCap = 'butt';
  g.strokeStyle = '#ffffff';
  g.lineWidth = 4 * s;
  g.beginPath();
  g.moveTo(x - arm, y);
  g.lineTo(x + arm, y);
  g.moveTo(x, y - arm);
  g.lineTo(x, y + arm);
  g.stroke();
  g.strokeStyle = COLOURS.datum;
  g.lineWidth = 2 * s;
  g.stroke();
}

/** Log-scale positions of 1, 10, 100, ... up to `max` on a bar from 0 to 1. */
export function densityTicks(max: number): { value: number; f: number }[] {
  const out: { value: number; f: number }[] = [];
  const top = Math.log(Math.max(2, max));
  for (let v = 1; v <= max; v *= 10) out.push({ value: v, f: Math.log(v) / top });
  if (max >= 2 && out.at(-1)?.value !== max) out.push({ value: max, f: 1 });
  return out;
}

function drawMap(g: SKRSContext2D, view: MapView, landRgba: Uint8ClampedArray, L: Layout): void {
  const { box } = view;
  // Sea, land and coast of the map box, pixel by pixel (renderLand), under everything else.
  g.putImageData(new ImageData(landRgba, box.w, box.h), box.x, box.y);
  g.save();
  g.beginPath();
  g.rect(box.x, box.y, box.w, box.h);
  g.clip();
  // Graticule at the tick positions.
  const lat = ticks(view.southDeg, view.northDeg, 7);
  const lon = ticks(view.westDeg, view.eastDeg, 8);
  g.strokeStyle = COLOURS.graticule;
  g.lineWidth = 1;
  g.beginPath();
  for (const v of lat.values) {
    const y = Math.round(yOf(view, v)) + 0.5;
    g.moveTo(box.x, y);
    g.lineTo(box.x + box.w, y);
  }
  for (const v of lon.values) {
    const x = Math.round(xOf(view, v)) + 0.5;
    g.moveTo(x, box.y);
    g.lineTo(x, box.y + box.h);
  }
  g.stroke();
  g.restore();
  g.strokeStyle = COLOURS.frame;
  g.lineWidth = 1;
  g.strokeRect(box.x - 0.5, box.y - 0.5, box.w + 1, box.h + 1);

  // Tick marks and labels outside the box.
  g.fillStyle = COLOURS.text;
  g.strokeStyle = COLOURS.frame;
  g.font = font(12, L.s);
  const tick = 5 * L.s;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  g.beginPath();
  for (const v of lat.values) {
    const y = Math.round(yOf(view, v)) + 0.5;
    g.moveTo(box.x - tick, y);
    g.lineTo(box.x, y);
    g.fillText(formatTick(v, 'lat', lat.stepDeg), box.x - tick - 3 * L.s, y);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const v of lon.values) {
    const x = Math.round(xOf(view, v)) + 0.5;
    g.moveTo(x, box.y + box.h);
    g.lineTo(x, box.y + box.h + tick);
    g.fillText(formatTick(wrapLonDeg(v), 'lon', lon.stepDeg), x, box.y + box.h + tick + 3 * L.s);
  }
  g.stroke();
}

function drawSidebar(g: SKRSContext2D, L: Layout, info: BaseInfo): void {
  const { sidebar: sb, s } = L;
  const x = sb.x + 16 * s;
  const w = sb.w - 28 * s;
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillStyle = COLOURS.muted;
  g.font = font(12, s);
  g.fillText('DRIFTLINE · Leeway drift simulation', x, 30 * s);
  g.fillStyle = COLOURS.text;
  g.font = font(20, s, 'bold');
  if (g.measureText(info.ctx.missionId).width <= w) g.fillText(info.ctx.missionId, x, 58 * s);
  else {
    // A long mission id wraps onto two smaller lines (at '-', '_' or '.' too) instead of being cut.
    g.font = font(15, s, 'bold');
    const spaced = info.ctx.missionId.replace(/([-_.])/g, '$1 ');
    const lines = wrap(g, spaced, w, 2).map((line) => line.replace(/([-_.]) /g, '$1'));
    lines.forEach((line, k) => g.fillText(line, x, (46 + k * 17) * s));
  }
  const cat = info.ctx.category;
  g.font = font(14, s, 'bold');
  g.fillText(fit(g, `Object: ${cat.key}`, w), x, 86 * s);
  g.font = font(13, s);
  g.fillStyle = COLOURS.muted;
  const desc = plainCategoryText(cat.description);
  wrap(g, desc, w, 3).forEach((line, k) => g.fillText(line, x, (105 + k * 16) * s));

  // Density colour bar (log scale), below the dynamic panel.
  let y = L.dynamic.y + L.dynamic.h + 18 * s;
  g.fillStyle = COLOURS.text;
  g.font = font(14, s, 'bold');
  g.fillText('Particle density', x, y);
  g.font = font(12, s);
  g.fillStyle = COLOURS.muted;
  const cellKm = info.cellM / 1000;
  const cellText = cellKm >= 1 ? `${cellKm.toFixed(cellKm < 10 ? 1 : 0)} km` : `${Math.round(info.cellM)} m`;
  g.fillText(`particles per ${cellText} cell (log scale)`, x, y + 18 * s);
  y += 28 * s;
  const barW = w - 10 * s;
  const barH = 14 * s;
  g.fillStyle = COLOURS.sea;
  g.fillRect(x, y, barW, barH);
  const grad = g.createLinearGradient(x, 0, x + barW, 0);
  for (const [f, c, a] of DENSITY_STOPS) {
    const [r, gg, b] = hexRgb(c);
    grad.addColorStop(f, `rgba(${r}, ${gg}, ${b}, ${a})`);
  }
  g.fillStyle = grad;
  g.fillRect(x, y, barW, barH);
  g.strokeStyle = COLOURS.frame;
  g.lineWidth = 1;
  g.strokeRect(x + 0.5, y + 0.5, barW - 1, barH - 1);
  g.fillStyle = COLOURS.text;
  g.font = font(11, s);
  g.textAlign = 'center';
  g.textBaseline = 'top';
  const dt = densityTicks(info.maxCellCount);
  let lastRight = -Infinity;
  for (const t of dt) {
    const tx = x + t.f * barW;
    const label = t.value.toLocaleString('en-US');
    const half = g.measureText(label).width / 2;
    const cx = Math.min(Math.max(tx, x + half), x + barW - half);
    if (cx - half < lastRight + 4 * s) continue; // no overlapping labels
    g.fillRect(tx - 0.5, y + barH, 1, 4 * s);
    g.fillText(label, cx, y + barH + 5 * s);
    lastRight = cx + half;
  }

  // Symbols.
  y += barH + 40 * s;
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.font = font(13, s);
  drawCross(g, x + 8 * s, y, 7 * s, s);
  g.fillStyle = COLOURS.text;
  // A backward run starts where the object was found and drifts back to where it came from.
  const backward = info.ctx.model.timeStepSec < 0;
  const datumLabel = info.driftingDatum
    ? `${backward ? 'Likely origin' : 'Datum'} (drifting) and its track`
    : `${backward ? 'Likely origin' : 'Datum'} (centre of the particles)`;
  g.fillText(fit(g, datumLabel, w - 24 * s), x + 24 * s, y);
  y += 24 * s;
  drawStar(g, x + 8 * s, y, 8 * s);
  g.fillStyle = COLOURS.text;
  g.fillText(backward ? 'Position found (backward run start)' : 'Last known position', x + 24 * s, y);
  // Outline styles of the search areas and the plan rectangles (annotations.ts).
  const legendLine = (colour: string, widthPx: number, dash: number[], label: string) => {
    y += 20 * s;
    g.save();
    g.setLineDash(dash);
    g.strokeStyle = colour;
    g.lineWidth = widthPx;
    g.beginPath();
    g.moveTo(x, y);
    g.lineTo(x + 18 * s, y);
    g.stroke();
    g.restore();
    g.fillStyle = COLOURS.text;
    g.fillText(fit(g, label, w - 24 * s), x + 24 * s, y);
  };
  const levels = outlineLegend(info.areaPercents ?? []);
  if (levels.length > 0) y += 4 * s;
  // At most 4 lines fit above the footer at 720 px; more levels are in search_areas.geojson.
  for (const { rank, label } of levels.slice(0, 4)) {
    const st = outlineStyle(rank, s);
    legendLine(COLOURS.outline, st.widthPx, st.dash, `${label}${rank === 0 ? ' (drifting)' : ''}`);
  }
  if (info.hasPlan) legendLine(COLOURS.plan, 2.5 * s, [], 'Plan rectangle: unit · POS');

  // Footer.
  g.fillStyle = COLOURS.muted;
  g.font = font(10.5, s);
  g.textBaseline = 'alphabetic';
  // Bottom up: version line, then the land lines (at most 3 once wrapped), then the particle count.
  const landLines = info.landLines.flatMap((line) => wrap(g, line, w, 2)).slice(0, 3);
  const f = info.ctx.forcing;
  const forcingLines = wrap(g, `Forcing: wind ${redactUri(f.wind.description)}${f.wind.fallback ? ' (FALLBACK)' : ''}; current ${redactUri(f.current.description)}${f.current.fallback ? ' (FALLBACK)' : ''}`, w, 2);
  const lines = [`${info.nParticles.toLocaleString('en-US')} particles · OpenDrift Leeway method`, ...forcingLines, ...landLines];
  lines.push(`driftline ${info.ctx.softwareVersion} · made ${info.ctx.createdAtIso.slice(0, 16).replace('T', ' ')} UTC`);
  lines.forEach((line, k) => g.fillText(fit(g, line, w), x, sb.h - (12 + 15 * (lines.length - 1 - k)) * s));
  // Separator between map and sidebar.
  g.fillStyle = 'rgba(0, 0, 0, 0.12)';
  g.fillRect(sb.x, 0, 1, sb.h);
}

/** The base layer as RGBA bytes (width × height × 4). */
export function drawBase(L: Layout, view: MapView, landRgba: Uint8ClampedArray, info: BaseInfo): Uint8Array {
  const canvas = createCanvas(L.width, L.height);
  const g = canvas.getContext('2d');
  g.fillStyle = COLOURS.page;
  g.fillRect(0, 0, L.width, L.height);
  drawMap(g, view, landRgba, L);
  drawSidebar(g, L, info);
  const img = g.getImageData(0, 0, L.width, L.height);
  return new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
}

/** Pixels drawn over every frame: their index (pixel number) and straight RGBA. */
export interface Overlay {
  index: Uint32Array;
  rgba: Uint8Array;
}

function drawScaleBar(g: SKRSContext2D, view: MapView, L: Layout): void {
  const { box } = view;
  const s = L.s;
  const maxPx = box.w * 0.22;
  const km = niceLength(maxPx / view.pxPerKm);
  const nm = niceLength(maxPx / (view.pxPerKm * 1.852));
  const kmPx = km * view.pxPerKm;
  const nmPx = nm * 1.852 * view.pxPerKm;
  const x = box.x + 12 * s;
  const y = box.y + box.h - 52 * s;
  const labelKm = `${km.toLocaleString('en-US')} km`;
  const labelNm = `${nm.toLocaleString('en-US')} nm`;
  g.font = font(12, s);
  const textW = Math.max(g.measureText(labelKm).width, g.measureText(labelNm).width);
  g.fillStyle = 'rgba(255, 255, 255, 0.85)';
  g.fillRect(x - 8 * s, y - 8 * s, Math.max(kmPx, nmPx) + textW + 26 * s, 48 * s);
  g.fillStyle = COLOURS.text;
  g.strokeStyle = COLOURS.text;
  g.lineWidth = 2 * s;
  const bar = (yy: number, len: number, label: string) => {
    g.beginPath();
    g.moveTo(x, yy - 4 * s);
    g.lineTo(x, yy);
    g.lineTo(x + len, yy);
    g.lineTo(x + len, yy - 4 * s);
    g.stroke();
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    g.fillText(label, x + len + 8 * s, yy - 2 * s);
  };
  bar(y + 10 * s, kmPx, labelKm);
  bar(y + 30 * s, nmPx, labelNm);
}

/** Lines of the warning banner at most: 4 lines of 13 px cover ~9 % of a 720 px frame's map. */
const MAX_WARNING_LINES = 4;

/**
 * The mission's warnings as an opaque red banner across the top of the map, over the particles in every
 * frame: a coordinator who sees only the video must see that the drift rests on made-up wind or that
 * particles left the forcing.
 */
function drawWarningBanner(g: SKRSContext2D, view: MapView, L: Layout, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const { box } = view;
  const pad = 6 * L.s;
  const lineH = 16 * L.s;
  g.font = font(13, L.s, 'bold');
  const maxW = box.w - 2 * pad;
  let lines = warnings.flatMap((w) => wrap(g, `WARNING: ${w}`, maxW, 2));
  if (lines.length > MAX_WARNING_LINES) {
    lines = [...lines.slice(0, MAX_WARNING_LINES - 1), '… more warnings in summary.json'];
  }
  g.fillStyle = COLOURS.warning;
  g.fillRect(box.x, box.y, box.w, lines.length * lineH + pad);
  g.fillStyle = '#ffffff';
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  lines.forEach((line, k) => g.fillText(line, box.x + pad, box.y + pad / 2 + (k + 1) * lineH - 4 * L.s));
}

export function drawOverlay(L: Layout, view: MapView, ctx: ProductContext): Overlay {
  const canvas = createCanvas(L.width, L.height);
  const g = canvas.getContext('2d');
  drawScaleBar(g, view, L);
  const seed = ctx.model.seeding;
  g.save();
  g.beginPath();
  g.rect(view.box.x, view.box.y, view.box.w, view.box.h);
  g.clip();
  if (seed.endLonDeg !== undefined && seed.endLatDeg !== undefined) {
    g.strokeStyle = '#000000';
    g.lineWidth = 2 * L.s;
    g.beginPath();
    g.moveTo(xOf(view, seed.lonDeg), yOf(view, seed.latDeg));
    g.lineTo(xOf(view, seed.endLonDeg), yOf(view, seed.endLatDeg));
    g.stroke();
    drawStar(g, xOf(view, seed.endLonDeg), yOf(view, seed.endLatDeg), 7 * L.s);
  }
  drawStar(g, xOf(view, seed.lonDeg), yOf(view, seed.latDeg), 9 * L.s);
  g.restore();
  drawWarningBanner(g, view, L, ctx.warnings ?? []);
  const data = g.getImageData(0, 0, L.width, L.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++; // alpha bytes
  const index = new Uint32Array(n);
  const rgba = new Uint8Array(n * 4);
  for (let i = 0, k = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    index[k] = i >> 2;
    rgba.set(data.subarray(i, i + 4), k * 4);
    k++;
  }
  return { index, rgba };
}
