/**
 * What a coordinator plans with, drawn over each frame's particles: the search areas of the frame's
 * time (outlines, one line style per level), the plan's rectangles with their POS while their search
 * window is open, and the drifting datum's track up to the frame.
 *
 * Drawn with @napi-rs/canvas on one reusable canvas of the map box, and read back only over the pixel
 * bounding box of what this frame draws (the cloud's areas are a fraction of the map: 200 × 150 px
 * instead of 880 × 650 px in the demo), so a frame does not pay for a full-size read-back.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { SearchArea } from '../search-areas-compute.js';
import { COLOURS, font, type Layout } from './style.js';
import { xOf, yOf, type MapView } from './view.js';

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

/** Extra pixels read back around the drawn geometry for labels (two 12 px lines and halo). */
const LABEL_MARGIN_PX = 40;

export class AnnotationLayer {
  private readonly canvas: Canvas;
  private readonly g: SKRSContext2D;
  private readonly byTime: { timeSec: number; areas: SearchArea[] }[] = [];
  private readonly percents: number[];

  constructor(
    private readonly L: Layout,
    private readonly view: MapView,
    private readonly a: MapAnnotations,
  ) {
    this.canvas = createCanvas(view.box.w, view.box.h);
    this.g = this.canvas.getContext('2d');
    const percents = new Set<number>();
    for (const area of a.areas ?? []) {
      percents.add(area.percent);
      const last = this.byTime[this.byTime.length - 1];
      if (last && Math.abs(last.timeSec - area.timeSec) <= TIME_MATCH_SEC) last.areas.push(area);
      else this.byTime.push({ timeSec: area.timeSec, areas: [area] });
    }
    this.percents = [...percents].sort((x, y) => x - y);
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
   */
  render(timeSec: number, halfStepSec: number, forward: boolean, out: Uint8Array, allPlans = false): void {
    const { g, view, L } = this;
    const { box } = view;
    const s = L.s;
    const areas = this.areasAt(timeSec);
    const plans = allPlans ? [...(this.a.plan ?? [])] : this.planAt(timeSec, halfStepSec);
    const track = (this.a.datums ?? []).filter((d) => (forward ? d.timeSec <= timeSec + TIME_MATCH_SEC : d.timeSec >= timeSec - TIME_MATCH_SEC));
    if (areas.length === 0 && plans.length === 0 && track.length < 2) return;

    // Map-box pixel coordinates (the canvas is the map box).
    const px = (lon: number) => xOf(view, lon) - box.x;
    const py = (lat: number) => yOf(view, lat) - box.y;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const grow = (x: number, y: number) => {
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    };
    for (const area of areas) for (const ring of ringsOf(area)) for (const [lon = 0, lat = 0] of ring) grow(px(lon), py(lat));
    for (const p of plans) for (const [lon = 0, lat = 0] of p.ring) grow(px(lon), py(lat));
    for (const d of track) grow(px(d.lonDeg), py(d.latDeg));
    const m = LABEL_MARGIN_PX * s + 120 * s; // labels extend right of their anchor (up to ~160 px)
    const bx = Math.max(0, Math.floor(x0 - m));
    const by = Math.max(0, Math.floor(y0 - m));
    const bw = Math.min(box.w, Math.ceil(x1 + m)) - bx;
    const bh = Math.min(box.h, Math.ceil(y1 + m)) - by;
    if (bw <= 0 || bh <= 0) return;

    g.clearRect(bx, by, bw, bh);
    g.lineJoin = 'round';
    g.lineCap = 'butt';

    // Datum track: a thin dark line with a small dot per output time, under the outlines.
    if (track.length >= 2) {
      g.setLineDash([]);
      g.strokeStyle = COLOURS.track;
      g.lineWidth = 1.5 * s;
      g.beginPath();
      track.forEach((d, k) => (k === 0 ? g.moveTo(px(d.lonDeg), py(d.latDeg)) : g.lineTo(px(d.lonDeg), py(d.latDeg))));
      g.stroke();
      g.fillStyle = COLOURS.track;
      for (const d of track) {
        g.beginPath();
        g.arc(px(d.lonDeg), py(d.latDeg), 1.8 * s, 0, 2 * Math.PI);
        g.fill();
      }
    }

    // Search areas, outer levels first so the core's solid line is on top. Each outline on a
    // translucent white halo 2 px wider: violet alone sank into the dark core of the cloud (demo, T+6 h).
    const labels: { x: number; y: number; text: string; colour: string; priority: number }[] = [];
    const sorted = [...areas].sort((p, q) => q.percent - p.percent);
    for (const area of sorted) {
      const rank = Math.max(0, this.percents.indexOf(area.percent));
      const st = outlineStyle(rank, s);
      let topX = 0;
      let topY = Infinity;
      let bottomY = -Infinity;
      g.beginPath();
      for (const ring of ringsOf(area)) {
        ring.forEach(([lon = 0, lat = 0], k) => {
          const x = px(lon);
          const y = py(lat);
          if (k === 0) g.moveTo(x, y);
          else g.lineTo(x, y);
          if (y < topY) {
            topY = y;
            topX = x;
          }
          if (y > bottomY) bottomY = y;
        });
        g.closePath();
      }
      g.setLineDash([]);
      g.strokeStyle = 'rgba(255, 255, 255, 0.55)';
      g.lineWidth = st.widthPx + 2 * s;
      g.stroke();
      g.setLineDash(st.dash);
      g.strokeStyle = COLOURS.outline;
      g.lineWidth = st.widthPx;
      g.stroke();
      // Labelled when the outline is at least 30 px tall (smaller ones read from the line style); the
      // core first, then the outermost, so a crowded label is an inner level's.
      if (topY < Infinity && bottomY - topY >= 30 * s) {
        labels.push({ x: topX, y: topY, text: `${formatPercent(area.percent)} %`, colour: COLOURS.text, priority: rank === 0 ? 0 : 100 - rank });
      }
    }

    // Plan rectangles: solid, with the unit and its POS.
    g.setLineDash([]);
    for (const p of plans) {
      g.strokeStyle = COLOURS.plan;
      g.lineWidth = 2.5 * s;
      g.beginPath();
      let topX = 0;
      let topY = Infinity;
      p.ring.forEach(([lon = 0, lat = 0], k) => {
        const x = px(lon);
        const y = py(lat);
        if (k === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
        if (y < topY) {
          topY = y;
          topX = x;
        }
      });
      g.closePath();
      g.stroke();
      // On the still every rectangle shows whatever its window, so its label says when it is searched.
      const when = allPlans ? ` · ${hhmm(p.startTimeSec)}–${hhmm(p.endTimeSec)} UTC` : '';
      labels.push({ x: topX, y: topY, text: `${p.unit} · POS ${(100 * p.pos).toFixed(0)} %${when}`, colour: COLOURS.plan, priority: -1 });
    }

    // Labels last, with a white halo, by priority (plan, core level, outermost level, ...); one that
    // would overlap a label already placed is left out (nested tops are often a few px apart).
    g.font = font(12, s, 'bold');
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    const placed: { x: number; y: number; w: number; h: number }[] = [];
    const lineH = 14 * s;
    for (const lab of labels.sort((p, q) => p.priority - q.priority)) {
      const w = g.measureText(lab.text).width;
      const x = Math.max(2, Math.min(Math.max(lab.x + 4 * s, bx + 2), bx + bw - w - 2));
      const y = Math.max(lab.y - 3 * s, by + lineH);
      if (placed.some((r) => x < r.x + r.w + 4 * s && x + w + 4 * s > r.x && y - lineH < r.y && y > r.y - r.h)) continue;
      placed.push({ x, y, w, h: lineH });
      g.lineWidth = 3 * s;
      g.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      g.strokeText(lab.text, x, y);
      g.fillStyle = lab.colour;
      g.fillText(lab.text, x, y);
    }

    // Blend what was drawn (alpha > 0) into the frame.
    const data = g.getImageData(bx, by, bw, bh).data;
    const W = L.width;
    for (let row = 0; row < bh; row++) {
      let i = row * bw * 4;
      let o = ((box.y + by + row) * W + box.x + bx) * 4;
      for (let col = 0; col < bw; col++, i += 4, o += 4) {
        const alpha = data[i + 3];
        if (alpha === 0) continue;
        // getImageData gives straight (unpremultiplied) RGBA.
        const f = alpha / 255;
        out[o] += (data[i] - out[o]) * f;
        out[o + 1] += (data[i + 1] - out[o + 1]) * f;
        out[o + 2] += (data[i + 2] - out[o + 2]) * f;
      }
    }
  }
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
