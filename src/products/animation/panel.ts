/**
 * The part of the sidebar that changes every frame: UTC time, time since the start, and the particle
 * legend with counts by status. Drawn on a small canvas of its own (~290 × 200 px) and copied into the
 * frame, so a frame never pays for a full-size canvas read-back.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { FrameStats } from './frame.js';
import { COLOURS, font, type Layout } from './style.js';

function utcLabel(timeSec: number): string {
  return `${new Date(timeSec * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `T+12 h`, `T+1 h 30 min`, `T−6 h` (backward runs count down). */
export function elapsedLabel(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  const totalMin = Math.round(Math.abs(seconds) / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return `T${sign}${h} h${m ? ` ${m} min` : ''}`;
}

export class SidebarPanel {
  private readonly canvas: Canvas;
  private readonly g: SKRSContext2D;

  constructor(
    private readonly L: Layout,
    private readonly timesSec: Float64Array,
    /** Every activeStride-th drifting particle is drawn (said in the legend when > 1). */
    private readonly activeStride: number,
    /** Show the capsized count (capsizing enabled in the mission, issue 10). */
    private readonly showCapsized = false,
    /** A still (map.png): says "end of the run" instead of the frame number. */
    private readonly still = false,
  ) {
    this.canvas = createCanvas(L.dynamic.w, L.dynamic.h);
    this.g = this.canvas.getContext('2d');
  }

  /** Draw frame t's panel and copy it into `out` (the full frame). */
  blit(t: number, stats: FrameStats, out: Uint8Array, wind: FrameWind | null = null): void {
    const { g, L } = this;
    const { s } = L;
    const { w, h } = L.dynamic;
    g.fillStyle = COLOURS.page;
    g.fillRect(0, 0, w, h);
    g.textAlign = 'left';
    g.textBaseline = 'alphabetic';
    g.fillStyle = COLOURS.text;
    g.font = font(22, s, 'bold');
    // t is a record of the run: in bounds, NaN only satisfies the type.
    const nowSec = this.timesSec[t] ?? NaN;
    const firstSec = this.timesSec[0] ?? NaN;
    g.fillText(utcLabel(nowSec), 0, 24 * s);
    g.fillStyle = COLOURS.muted;
    g.font = font(13, s);
    const total = (this.timesSec[this.timesSec.length - 1] ?? NaN) - firstSec;
    g.fillText(
      this.still
        ? `${elapsedLabel(nowSec - firstSec)} · end of the run`
        : `${elapsedLabel(nowSec - firstSec)} of ${elapsedLabel(total).slice(2)} · frame ${t + 1}/${this.timesSec.length}`,
      0,
      46 * s,
    );

    if (wind !== null) drawWind(g, wind, 0, 68 * s, s, w - 2 * s);

    g.fillStyle = COLOURS.text;
    g.font = font(14, s, 'bold');
    g.fillText('Particles', 0, 100 * s);
    const rows: [string | null, string, number][] = [
      [COLOURS.active, this.activeStride > 1 ? `Drifting (1 in ${this.activeStride} drawn)` : 'Drifting', stats.active],
      [COLOURS.stranded, 'Stranded on the coast', stats.stranded],
      [COLOURS.outside, 'Left the forcing area (frozen)', stats.outside],
    ];
    if (this.showCapsized) rows.push([null, 'Capsized (of the released)', stats.capsized]);
    if (stats.notReleased > 0) rows.push([COLOURS.page, 'Not yet released', stats.notReleased]);
    g.font = font(13, s);
    rows.forEach(([colour, label, n], k) => {
      const y = (122 + k * 22) * s;
      if (colour !== null) {
        g.fillStyle = colour;
        g.fillRect(2 * s, y - 11 * s, 12 * s, 12 * s);
        g.strokeStyle = COLOURS.frame;
        g.lineWidth = 1;
        g.strokeRect(2 * s + 0.5, y - 11 * s + 0.5, 12 * s - 1, 12 * s - 1);
      }
      g.fillStyle = COLOURS.text;
      g.textAlign = 'left';
      g.fillText(label, 22 * s, y);
      g.textAlign = 'right';
      g.fillText(n.toLocaleString('en-US'), w - 4 * s, y);
    });

    const data = g.getImageData(0, 0, w, h).data;
    const W = L.width;
    for (let row = 0; row < h; row++) {
      out.set(data.subarray(row * w * 4, (row + 1) * w * 4), ((L.dynamic.y + row) * W + L.dynamic.x) * 4);
    }
  }
}

/** Mean wind at a frame, m/s east/north, and where it comes from ("at the particles" or "constant"). */
export interface FrameWind {
  uMps: number;
  vMps: number;
  source: string;
}

/**
 * A small arrow pointing where the wind blows to (as the particles are pushed), then speed and the
 * direction it comes from, as a forecast gives it: "Wind 8.5 m/s from 250° (at the particles)".
 */
function drawWind(g: SKRSContext2D, wind: FrameWind, x: number, y: number, s: number, maxX: number): void {
  const speed = Math.hypot(wind.uMps, wind.vMps);
  const cx = x + 8 * s;
  const cy = y - 5 * s;
  g.strokeStyle = COLOURS.text;
  g.fillStyle = COLOURS.text;
  if (speed > 0.05) {
    // Screen y points down: north is -y.
    const ux = wind.uMps / speed;
    const uy = -wind.vMps / speed;
    const len = 7 * s;
    g.lineWidth = 2 * s;
    g.beginPath();
    g.moveTo(cx - ux * len, cy - uy * len);
    g.lineTo(cx + ux * (len - 3 * s), cy + uy * (len - 3 * s));
    g.stroke();
    const hx = cx + ux * len;
    const hy = cy + uy * len;
    g.beginPath();
    g.moveTo(hx, hy);
    g.lineTo(hx - ux * 6 * s - uy * 4 * s, hy - uy * 6 * s + ux * 4 * s);
    g.lineTo(hx - ux * 6 * s + uy * 4 * s, hy - uy * 6 * s - ux * 4 * s);
    g.closePath();
    g.fill();
  }
  // Meteorological direction: where the wind comes FROM, degrees clockwise from north.
  const fromDeg = (Math.round((Math.atan2(-wind.uMps, -wind.vMps) * 180) / Math.PI) + 360) % 360;
  g.font = font(13, s);
  g.textAlign = 'left';
  const main = `Wind ${speed.toFixed(1)} m/s from ${String(fromDeg).padStart(3, '0')}°`;
  g.fillText(main, x + 22 * s, y);
  const mainW = g.measureText(main).width;
  g.fillStyle = COLOURS.muted;
  g.font = font(11, s);
  // The source only where it fits the panel (a 3-digit speed pushes it out).
  if (x + 22 * s + mainW + 6 * s + g.measureText(wind.source).width <= maxX) g.fillText(wind.source, x + 22 * s + mainW + 6 * s, y);
}
