/**
 * What a coordinator plans with, drawn over each frame's particles: the search areas of the frame's
 * time (outlines, one line style per level), the plan's rectangles with their POS while their search
 * window is open, and the drifting datum's track up to the frame.
 *
 * Lines are written straight into the frame's RGBA bytes (AnnotationLayer.render says why); labels
 * are @napi-rs/canvas text drawn once per distinct text and copied in.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { SearchArea } from '../search-areas-compute.js';
import { COLOURS, font, hexRgb, type Layout } from './style.js';
import { xOf, yOf, type MapView } from './view.js';
import { blendRgb } from './pixels.js';

/** One plan rectangle (src/products/search-plan.ts MissionPlan, one per unit). */
export interface PlanRectangle {
  unit: string;
  /** Corners lon/lat, closed ring. */
  ring: number[][];
  /** Probability of success of this unit, 0..1. */
  pos: number;
  /** The unit's search window, seconds since epoch: the rectangle is drawn on frames inside it. */
  startTimeSec: number;
  endTimeSec: number;
  /** Record the unit was planned at (drawn on that frame even if the window falls between frames). */
  plannedAtSec: number;
}

export interface MapAnnotations {
  /** Search areas per output time and level (smoothedSearchAreas): drawn on the frame of the same time. */
  areas?: readonly SearchArea[];
  /** The drifting datum per output time (smoothedSearchAreas' datums): its track up to the frame. */
  datums?: readonly { timeSec: number; lonDeg: number; latDeg: number }[];
  plan?: readonly PlanRectangle[];
}

/**
 * Line style of a search-area level by its rank among the mission's levels, smallest percent first:
 * the core (50 %) solid and widest, the outer levels dashed then dotted, so nested outlines of one
 * colour stay apart where they run close (looked at on the demo: 90 % and 95 % are 3-8 px apart).
 */
export function outlineStyle(rank: number, s: number): { widthPx: number; dash: number[] } {
  if (rank === 0) return { widthPx: 3 * s, dash: [] };
  if (rank === 1) return { widthPx: 2 * s, dash: [10 * s, 5 * s] };
  if (rank === 2) return { widthPx: 2 * s, dash: [3 * s, 4 * s] };
  return { widthPx: 1.5 * s, dash: [6 * s, 3 * s, 2 * s, 3 * s] };
}

function ringsOf(area: SearchArea): number[][][] {
  const g = area.geometry;
  if (g.type === 'Polygon') return g.coordinates.slice(0, 1);
  return g.coordinates.flatMap((poly) => poly.slice(0, 1));
}

/** Time match: the areas are computed at the output records, so their times equal the frames' (1 s slack for rounding). */
const TIME_MATCH_SEC = 1;

/** A label drawn once on a small canvas (text with a white halo), straight RGBA. */
interface Sprite {
  w: number;
  h: number;
  rgba: Uint8ClampedArray;
}

export class AnnotationLayer {
  private readonly byTime: { timeSec: number; areas: SearchArea[] }[] = [];
  private readonly percents: number[];
  /** Scratch coverage of the map box for one stroke (0/1), and the pixels it marked. */
  private readonly mask: Uint8Array;
  private touched: Int32Array;
  private nTouched = 0;
  private readonly sprites = new Map<string, Sprite>();

  constructor(
    private readonly L: Layout,
    private readonly view: MapView,
    private readonly a: MapAnnotations,
  ) {
    const percents = new Set<number>();
    for (const area of a.areas ?? []) {
      percents.add(area.percent);
      const last = this.byTime[this.byTime.length - 1];
      if (last && Math.abs(last.timeSec - area.timeSec) <= TIME_MATCH_SEC) last.areas.push(area);
      else this.byTime.push({ timeSec: area.timeSec, areas: [area] });
    }
    this.percents = [...percents].sort((x, y) => x - y);
    this.mask = new Uint8Array(view.box.w * view.box.h);
    this.touched = new Int32Array(4096);
  }

  get isEmpty(): boolean {
    return (this.a.areas?.length ?? 0) === 0 && (this.a.plan?.length ?? 0) === 0 && (this.a.datums?.length ?? 0) === 0;
  }

  /** The areas drawn at `timeSec` (exact output time, within 1 s). */
  areasAt(timeSec: number): SearchArea[] {
    return this.byTime.find((e) => Math.abs(e.timeSec - timeSec) <= TIME_MATCH_SEC)?.areas ?? [];
  }

  /** Plan rectangles shown at `timeSec`: inside their unit's window, or at the record they were planned at. */
  planAt(timeSec: number, halfStepSec: number): PlanRectangle[] {
    return (this.a.plan ?? []).filter(
      (p) => (timeSec >= p.startTimeSec - halfStepSec && timeSec <= p.endTimeSec + halfStepSec) || Math.abs(timeSec - p.plannedAtSec) <= TIME_MATCH_SEC,
    );
  }

  /**
   * Draw the annotations of time `timeSec` into `out` (the full frame, RGBA). `forward`: the run's
   * times increase (the datum track is the datums up to timeSec; in a backward run, down to it).
   * `allPlans`: draw every plan rectangle whatever its window (the static map).
   *
   * Lines are stamped straight into the frame's pixels (discs every 0.6 radius along the path, one blend
   * per pixel per stroke): reading a map-box canvas back cost 11-22 ms a frame (getImageData of
   * 880 × 650 px on the loaded 2-core machine), which made the 49-frame animation ~1 s slower.
   * Only the labels are canvas text, drawn once per distinct text.
   */
  render(timeSec: number, halfStepSec: number, forward: boolean, out: Uint8Array, allPlans = false): void {
    const { view, L } = this;
    const { box } = view;
    const s = L.s;
    const areas = this.areasAt(timeSec);
    const plans = allPlans ? [...(this.a.plan ?? [])] : this.planAt(timeSec, halfStepSec);
    const track = (this.a.datums ?? []).filter((d) => (forward ? d.timeSec <= timeSec + TIME_MATCH_SEC : d.timeSec >= timeSec - TIME_MATCH_SEC));
    if (areas.length === 0 && plans.length === 0 && track.length < 2) return;
    // Map-box pixel coordinates.
    const px = (lon: number) => xOf(view, lon) - box.x;
    const py = (lat: number) => yOf(view, lat) - box.y;
    const project = (ring: readonly number[][]): number[] => ring.flatMap(([lon = 0, lat = 0]) => [px(lon), py(lat)]);
    const white = [255, 255, 255] as const;

    // Datum track: a thin dark line with a small dot per output time, under the outlines.
    if (track.length >= 2) {
      const pts = track.flatMap((d) => [px(d.lonDeg), py(d.latDeg)]);
      this.stroke(pts, 0.75 * s, []);
      for (let k = 0; k < pts.length; k += 2) this.disc(pts[k] ?? 0, pts[k + 1] ?? 0, 1.8 * s);
      this.flush(out, hexRgb(COLOURS.track), 1);
    }

    // Search areas, outer levels first so the core's solid line is on top. Each outline on a
    // translucent white halo 1 px wider each side: violet alone sank into the dark core of the cloud
    // (demo, T+6 h).
    const labels: { x: number; y: number; text: string; colour: string; priority: number }[] = [];
    const violet = hexRgb(COLOURS.outline);
    for (const area of [...areas].sort((p, q) => q.percent - p.percent)) {
      const rank = Math.max(0, this.percents.indexOf(area.percent));
      const st = outlineStyle(rank, s);
      const rings = ringsOf(area).map(project);
      let topX = 0;
      let topY = Infinity;
      let bottomY = -Infinity;
      for (const pts of rings) {
        for (let k = 0; k < pts.length; k += 2) {
          const y = pts[k + 1] ?? 0;
          if (y < topY) {
            topY = y;
            topX = pts[k] ?? 0;
          }
          if (y > bottomY) bottomY = y;
        }
      }
      for (const pts of rings) this.stroke(pts, st.widthPx / 2 + s, []);
      this.flush(out, white, 0.55);
      for (const pts of rings) this.stroke(pts, st.widthPx / 2, st.dash);
      this.flush(out, violet, 1);
      // Labelled when the outline is at least 30 px tall (smaller ones read from the line style); the
      // core first, then the outermost, so a crowded label is an inner level's.
      if (topY < Infinity && bottomY - topY >= 30 * s) {
        labels.push({ x: topX, y: topY, text: `${formatPercent(area.percent)} %`, colour: COLOURS.text, priority: rank === 0 ? 0 : 100 - rank });
      }
    }

    // Plan rectangles: solid, with the unit and its POS.
    const teal = hexRgb(COLOURS.plan);
    for (const p of plans) {
      const pts = project(p.ring);
      this.stroke(pts, 1.25 * s, []);
      this.flush(out, teal, 1);
      let topX = 0;
      let topY = Infinity;
      for (let k = 0; k < pts.length; k += 2) {
        if ((pts[k + 1] ?? Infinity) < topY) {
          topY = pts[k + 1] ?? 0;
          topX = pts[k] ?? 0;
        }
      }
      // On the still every rectangle shows whatever its window, so its label says when it is searched.
      const when = allPlans ? ` · ${hhmm(p.startTimeSec)}–${hhmm(p.endTimeSec)} UTC` : '';
      labels.push({ x: topX, y: topY, text: `${p.unit} · POS ${(100 * p.pos).toFixed(0)} %${when}`, colour: COLOURS.plan, priority: -1 });
    }

    // Labels last, by priority (plan, core level, outermost level, ...), bottom-left 4 px right of and
    // 3 px above the outline's top; one that would overlap a label already placed is left out (nested
    // tops are often a few px apart).
    const placed: { x: number; y: number; w: number; h: number }[] = [];
    for (const lab of labels.sort((p, q) => p.priority - q.priority)) {
      const sp = this.sprite(lab.text, lab.colour);
      const x = Math.round(Math.max(0, Math.min(lab.x + 2 * s, box.w - sp.w)));
      const y = Math.round(Math.max(0, Math.min(lab.y - sp.h, box.h - sp.h)));
      if (placed.some((r) => x < r.x + r.w + 2 * s && x + sp.w + 2 * s > r.x && y < r.y + r.h && y + sp.h > r.y)) continue;
      placed.push({ x, y, w: sp.w, h: sp.h });
      this.blit(out, sp, x, y);
    }
  }

  /** Mark the pixels within `radiusPx` of the polyline (flat x, y pairs; map-box px), dashed if `dash`. */
  private stroke(pts: readonly number[], radiusPx: number, dash: readonly number[]): void {
    const period = dash.reduce((a, b) => a + b, 0);
    let along = 0;
    for (let k = 0; k + 3 < pts.length; k += 2) {
      const ax = pts[k] ?? 0;
      const ay = pts[k + 1] ?? 0;
      const bx = pts[k + 2] ?? 0;
      const by = pts[k + 3] ?? 0;
      const len = Math.hypot(bx - ax, by - ay);
      // Discs 0.6 r apart: their union is a band at least 0.95 r wide each side, without gaps.
      const n = Math.max(1, Math.ceil(len / Math.max(0.5, 0.6 * radiusPx)));
      for (let j = 0; j < n; j++) {
        const d = along + (len * j) / n;
        if (period > 0 && !dashOn(dash, d % period)) continue;
        this.disc(ax + ((bx - ax) * j) / n, ay + ((by - ay) * j) / n, radiusPx);
      }
      along += len;
    }
  }

  /** Mark the pixels whose centres are within `r` of (x, y). */
  private disc(x: number, y: number, r: number): void {
    const { w, h } = this.view.box;
    const r2 = r * r;
    const x0 = Math.max(0, Math.floor(x - r));
    const x1 = Math.min(w - 1, Math.ceil(x + r));
    const y0 = Math.max(0, Math.floor(y - r));
    const y1 = Math.min(h - 1, Math.ceil(y + r));
    for (let yy = y0; yy <= y1; yy++) {
      const dy = yy + 0.5 - y;
      for (let xx = x0; xx <= x1; xx++) {
        const dx = xx + 0.5 - x;
        if (dx * dx + dy * dy > r2) continue;
        const m = yy * w + xx;
        if (this.mask[m] === 1) continue;
        this.mask[m] = 1;
        if (this.nTouched === this.touched.length) {
          const grown = new Int32Array(this.touched.length * 2);
          grown.set(this.touched);
          this.touched = grown;
        }
        this.touched[this.nTouched++] = m;
      }
    }
  }

  /** Blend the marked pixels to `rgb` at `alpha`, once each, and clear the marks. */
  private flush(out: Uint8Array, rgb: readonly [number, number, number] | readonly number[], alpha: number): void {
    const { box } = this.view;
    const W = this.L.width;
    const [r = 0, g = 0, b = 0] = rgb;
    for (let k = 0; k < this.nTouched; k++) {
      const m = this.touched[k] ?? 0;
      this.mask[m] = 0;
      const yy = (m / box.w) | 0;
      const o = ((box.y + yy) * W + box.x + (m - yy * box.w)) * 4;
      blendRgb(out, o, r, g, b, alpha);
    }
    this.nTouched = 0;
  }

  /** The label's pixels: bold 12 px text in `colour` on a 3 px white halo, drawn once per text. */
  private sprite(text: string, colour: string): Sprite {
    const key = `${colour}|${text}`;
    const cached = this.sprites.get(key);
    if (cached) return cached;
    const s = this.L.s;
    const probe = createCanvas(1, 1).getContext('2d');
    probe.font = font(12, s, 'bold');
    const w = Math.ceil(probe.measureText(text).width + 6 * s);
    const h = Math.ceil(17 * s);
    const c = createCanvas(w, h);
    const g = c.getContext('2d');
    g.font = font(12, s, 'bold');
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    g.lineJoin = 'round';
    g.lineWidth = 3 * s;
    g.strokeStyle = 'rgba(255, 255, 255, 0.9)';
    g.strokeText(text, 3 * s, h - 2 * s);
    g.fillStyle = colour;
    g.fillText(text, 3 * s, h - 2 * s);
    const sp = { w, h, rgba: g.getImageData(0, 0, w, h).data };
    this.sprites.set(key, sp);
    return sp;
  }

  /** Blend a sprite at map-box (x, y) (top-left), clipped to the box. */
  private blit(out: Uint8Array, sp: Sprite, x: number, y: number): void {
    const { box } = this.view;
    const W = this.L.width;
    for (let row = 0; row < sp.h; row++) {
      const yy = y + row;
      if (yy < 0 || yy >= box.h) continue;
      for (let col = 0; col < sp.w; col++) {
        const xx = x + col;
        if (xx < 0 || xx >= box.w) continue;
        const i = (row * sp.w + col) * 4;
        const a = (sp.rgba[i + 3] ?? 0) / 255;
        if (a === 0) continue;
        const o = ((box.y + yy) * W + box.x + xx) * 4;
        blendRgb(out, o, sp.rgba[i] ?? 0, sp.rgba[i + 1] ?? 0, sp.rgba[i + 2] ?? 0, a);
      }
    }
  }
}

/** Whether a dash pattern (on, off, on, off, ... px) draws at `phase` px into its period. */
function dashOn(dash: readonly number[], phase: number): boolean {
  let acc = 0;
  for (let k = 0; k < dash.length; k++) {
    acc += dash[k] ?? 0;
    if (phase < acc) return k % 2 === 0;
  }
  return true;
}

/** `06:00` (UTC) of a time in seconds since epoch; `?` when unknown. */
function hhmm(timeSec: number): string {
  return Number.isFinite(timeSec) ? new Date(timeSec * 1000).toISOString().slice(11, 16) : '?';
}

/** `50`, `99.5`: a percent as the user gave it. */
function formatPercent(p: number): string {
  return Number.isInteger(p) ? String(p) : String(Number(p.toFixed(2)));
}

/** Legend lines for the sidebar: (style, label) for each level, and the plan when there is one. */
export function outlineLegend(percents: readonly number[]): { rank: number; label: string }[] {
  return [...percents].sort((x, y) => x - y).map((p, rank) => ({ rank, label: `${formatPercent(p)} % search area` }));
}
