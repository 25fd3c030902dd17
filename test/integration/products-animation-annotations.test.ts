/**
 * The search areas and the plan in the animation, checked on frames decoded from the MP4 by the real
 * ffmpeg: the outline colour must be on the projected boundary of the areas of THAT frame's time
 * (view.ts xOf/yOf), and nowhere far from it; a plan rectangle shows while its window is open and not
 * after. Outlines drawn at another time's areas, shifted, or not at all fail these tests.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { animationView, findFfmpeg, missionAnnotations, writeAnimation, type PlanRectangle } from '../../src/products/animation/index.js';
import { COLOURS, hexRgb } from '../../src/products/animation/style.js';
import { xOf, yOf, type MapView } from '../../src/products/animation/view.js';
import type { SearchArea } from '../../src/products/search-areas-compute.js';
import { smoothedSearchAreas } from '../../src/products/search-smoothed.js';
import { equalWeights } from '../../src/search/index.js';
import { seededContext, syntheticCloud } from '../unit/products.fixtures.js';
import { decodeFrameRgb } from '../helpers/frames.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-anim-areas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = findFfmpeg({ FFMPEG_PATH: undefined });
const W = 1280;
const H = 720;
const NT = 13;
// A cloud drifting 1.5 km east per hour and spreading: consecutive frames' areas are 10+ px apart.
const cloud = syntheticCloud({ nParticles: 3000, nTimes: NT, lon0Deg: -70.5, lat0Deg: 41.2, driftEastMPerStep: 1500, sigmaGrowthMPerStep: 400 });
const ctx = seededContext({ lonDeg: -70.5, latDeg: 41.2, objectType: 'PIW-1', missionId: 'anim-areas-test' });
const grid = buildDensityGrid(cloud, 1000);
const areaSet = smoothedSearchAreas(cloud, equalWeights(cloud.nParticles), [50, 90, 95]);
const view: MapView = animationView(cloud, ctx, W, H, grid);
const file = path.join(dir, 'products', 'animation.mp4');

// A plan rectangle 4 × 3 km around the cloud's centre at record 4, searched during records 3..5.
const PLAN_T = 4;
const planCentre = { lonDeg: -70.5 + (1500 * PLAN_T) / (111_320 * Math.cos((41.2 * Math.PI) / 180)), latDeg: 41.2 };
const dLon = 2000 / (111_320 * Math.cos((41.2 * Math.PI) / 180));
const dLat = 1500 / 111_320;
const rect: PlanRectangle = {
  unit: 'Test unit',
  ring: [
    [planCentre.lonDeg - dLon, planCentre.latDeg - dLat],
    [planCentre.lonDeg + dLon, planCentre.latDeg - dLat],
    [planCentre.lonDeg + dLon, planCentre.latDeg + dLat],
    [planCentre.lonDeg - dLon, planCentre.latDeg + dLat],
    [planCentre.lonDeg - dLon, planCentre.latDeg - dLat],
  ],
  pos: 0.42,
  startTimeSec: at(cloud.timesSec, 3),
  endTimeSec: at(cloud.timesSec, 5),
  plannedAtSec: at(cloud.timesSec, PLAN_T),
};

function decodeFrame(k: number): Buffer {
  return decodeFrameRgb(ffmpeg!, file, k, W, H);
}

/**
 * RGB distance under which a decoded pixel counts as the outline's violet: x264 at crf 23 in yuv420p
 * moves the 3 px line's core by up to ~40; the nearest other colours on the map (navy dots over dark
 * red shading, 35 % translucent) are more than 130 away.
 */
const COLOUR_TOL = 70;

function near(rgb: Buffer, x: number, y: number, colour: [number, number, number]): boolean {
  const i = (y * W + x) * 3;
  return Math.hypot(at(rgb, i) - colour[0], at(rgb, i + 1) - colour[1], at(rgb, i + 2) - colour[2]) <= COLOUR_TOL;
}

/** Pixel points every 0.5 px along the rings' edges. */
function boundaryPoints(rings: number[][][]): [number, number][] {
  const out: [number, number][] = [];
  for (const ring of rings) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const ax = xOf(view, at(at(ring, k), 0));
      const ay = yOf(view, at(at(ring, k), 1));
      const bx = xOf(view, at(at(ring, k + 1), 0));
      const by = yOf(view, at(at(ring, k + 1), 1));
      const n = Math.max(1, Math.ceil(2 * Math.hypot(bx - ax, by - ay)));
      for (let j = 0; j < n; j++) out.push([ax + ((bx - ax) * j) / n, ay + ((by - ay) * j) / n]);
    }
  }
  return out;
}

function ringsOf(a: SearchArea): number[][][] {
  return a.geometry.type === 'Polygon' ? a.geometry.coordinates.slice(0, 1) : a.geometry.coordinates.flatMap((p) => p.slice(0, 1));
}

/** Whether some pixel within `r` px of (x, y) has the colour. */
function hitWithin(rgb: Buffer, x: number, y: number, r: number, colour: [number, number, number]): boolean {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.round(x) + dx;
      const py = Math.round(y) + dy;
      if (px >= 0 && px < W && py >= 0 && py < H && near(rgb, px, py, colour)) return true;
    }
  }
  return false;
}

/** Pixels of `colour` inside the map box farther than `r` px from every point. */
function farPixels(rgb: Buffer, points: [number, number][], r: number, colour: [number, number, number]): number {
  const mask = new Uint8Array(W * H);
  for (const [x, y] of points) {
    for (let py = Math.floor(y - r); py <= Math.ceil(y + r); py++) {
      for (let px = Math.floor(x - r); px <= Math.ceil(x + r); px++) if (px >= 0 && px < W && py >= 0 && py < H) mask[py * W + px] = 1;
    }
  }
  const box = view.box;
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) if (!mask[y * W + x] && near(rgb, x, y, colour)) n++;
  return n;
}

const violet = hexRgb(COLOURS.outline);
const teal = hexRgb(COLOURS.plan);

describe('search areas and plan in the animation', () => {
  beforeAll(async () => {
    expect(ffmpeg).not.toBeNull();
    mkdirSync(path.dirname(file), { recursive: true });
    const annotations = { ...missionAnnotations(areaSet, null), plan: [rect] };
    await writeAnimation(cloud, ctx, file, { ffmpegPath: ffmpeg!, grid, annotations });
  }, 60_000);

  it.each([2, 8, 12])('frame %i: the 50 % outline is on the projected boundary of that time’s area (within 2 px)', (k) => {
    const rgb = decodeFrame(k);
    const area = areaSet.areas.find((a) => a.timeSec === cloud.timesSec[k] && a.percent === 50);
    expect(area).toBeDefined();
    const pts = boundaryPoints(ringsOf(area!)).filter((_, j) => j % 6 === 0); // every 3 px
    const hits = pts.filter(([x, y]) => hitWithin(rgb, x, y, 2, violet)).length;
    // The solid core line covers its whole boundary; 10 % slack for labels and the datum cross drawn over it.
    expect(hits / pts.length).toBeGreaterThan(0.9);
  });

  it.each([2, 8, 12])('frame %i: no outline colour farther than 4 px from that time’s areas', (k) => {
    const rgb = decodeFrame(k);
    const areas = areaSet.areas.filter((a) => a.timeSec === cloud.timesSec[k]);
    expect(areas.map((a) => a.percent).sort((p, q) => p - q)).toEqual([50, 90, 95]);
    const pts = areas.flatMap((a) => boundaryPoints(ringsOf(a)));
    // 4 px: half the 3 px line plus its 1 px halo plus chroma bleeding of yuv420p (2 × 2 blocks).
    const far = farPixels(rgb, pts, 4, violet);
    // The same frame tested against the areas of another time (the cloud moved 1.5 km ≈ 10+ px):
    // the outline colour is then far from "its" boundary, which shows the check can fail.
    const other = areaSet.areas.filter((a) => a.timeSec === cloud.timesSec[k === 2 ? 8 : 2]);
    const farFromOther = farPixels(rgb, other.flatMap((a) => boundaryPoints(ringsOf(a))), 4, violet);
    expect(far).toBeLessThan(20);
    expect(farFromOther).toBeGreaterThan(200);
  });

  it('draws the plan rectangle while its window is open (records 3..5) and not after', () => {
    const pts = boundaryPoints([rect.ring]).filter((_, j) => j % 6 === 0);
    const during = decodeFrame(PLAN_T);
    const after = decodeFrame(10);
    const hitsDuring = pts.filter(([x, y]) => hitWithin(during, x, y, 2, teal)).length;
    const hitsAfter = pts.filter(([x, y]) => hitWithin(after, x, y, 2, teal)).length;
    expect(hitsDuring / pts.length).toBeGreaterThan(0.85);
    expect(hitsAfter).toBe(0);
  });
});
