/**
 * Colours, fonts and the frame layout of the animation. One place, so the frames and the legend agree.
 * Colours were chosen by looking at frames: status colours stay distinct from each other, from the sea
 * and land and from the density shading (yellow to dark red), and survive yuv420p chroma subsampling
 * (which halves colour resolution: single-pixel colour detail bleeds, hence 2-pixel particles).
 */

export const FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';

export const COLOURS = {
  page: '#f4f3ef',
  sea: '#d4e4f1',
  land: '#dad8d2',
  coast: '#77736a',
  graticule: 'rgba(60, 80, 100, 0.18)',
  frame: '#4a4a4a',
  text: '#1d1d1d',
  muted: '#5c5c5c',
  active: '#102a6b',
  stranded: '#00a63c',
  outside: '#8c8c8c',
  /** The warning banner's background: a red that white bold text reads on (contrast 6.6:1). */
  warning: '#b3261e',
  seed: '#ffd400',
  datum: '#000000',
  /**
   * Search-area outlines: a violet apart from the density ramp (yellow to dark red), the navy dots, the
   * green stranded and grey outside dots, the sea and the land (RGB distance > 120 from each).
   */
  outline: '#7b2cbf',
  /** Plan rectangles and their POS labels: a dark teal, apart from the outlines and the density. */
  plan: '#00707a',
  /** The drifting datum's track. */
  track: '#303030',
} as const;

/** Density shading stops (ColorBrewer YlOrRd), from the lowest to the highest count, with opacity. */
export const DENSITY_STOPS: [number, string, number][] = [
  [0, '#ffffb2', 0.6],
  [0.25, '#fecc5c', 0.7],
  [0.5, '#fd8d3c', 0.78],
  [0.75, '#f03b20', 0.85],
  [1, '#bd0026', 0.9],
];

export function hexRgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** 256-entry RGBA table of the density ramp (alpha 0-255). */
export function densityLut(): Uint8Array {
  const lut = new Uint8Array(256 * 4);
  // Consecutive stops as (low, high) pairs.
  const pairs: [[number, string, number], [number, string, number]][] = [];
  DENSITY_STOPS.reduce((low, high) => {
    pairs.push([low, high]);
    return high;
  });
  for (let i = 0; i < 256; i++) {
    const f = i / 255;
    // The first pair whose high stop reaches f; the last pair beyond the stops.
    const pair = pairs.find(([, [fHigh]], k) => f <= fHigh || k === pairs.length - 1);
    if (pair === undefined) continue; // fewer than two stops: never
    const [[f0, c0, a0], [f1, c1, a1]] = pair;
    const w = (f - f0) / (f1 - f0);
    const [r0, g0, b0] = hexRgb(c0);
    const [r1, g1, b1] = hexRgb(c1);
    lut[i * 4] = Math.round(r0 + (r1 - r0) * w);
    lut[i * 4 + 1] = Math.round(g0 + (g1 - g0) * w);
    lut[i * 4 + 2] = Math.round(b0 + (b1 - b0) * w);
    lut[i * 4 + 3] = Math.round((a0 + (a1 - a0) * w) * 255);
  }
  return lut;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  /** Font and line scale relative to 1280 × 720. */
  s: number;
  map: Box;
  sidebar: Box;
  /** Part of the sidebar redrawn every frame (time, counts). */
  dynamic: Box;
}

/**
 * Map on the left with room for tick labels, sidebar on the right. At 1280 × 720: map 880 × 650 px,
 * sidebar 310 px wide (enough for a 34-character category line at 13 px).
 */
export function layoutFor(width: number, height: number): Layout {
  const s = Math.min(width / 1280, height / 720);
  const sidebarW = Math.round(310 * s);
  const left = Math.round(72 * s);
  const top = Math.round(22 * s);
  const bottom = Math.round(46 * s);
  const gap = Math.round(18 * s);
  const map = { x: left, y: top, w: width - sidebarW - left - gap, h: height - top - bottom };
  const sidebar = { x: width - sidebarW, y: 0, w: sidebarW, h: height };
  // 230 px: time, elapsed, wind, and five legend rows (drifting, stranded, outside, capsized, not released).
  const dynamic = { x: sidebar.x + Math.round(16 * s), y: Math.round(150 * s), w: sidebarW - Math.round(24 * s), h: Math.round(230 * s) };
  return { width, height, s, map, sidebar, dynamic };
}

export function font(px: number, s: number, weight: 'normal' | 'bold' = 'normal'): string {
  return `${weight} ${Math.max(8, Math.round(px * s))}px ${FONT_FAMILY}`;
}
