/**
 * The map page in a real browser: Debian's chromium (headless, through playwright-core) against a
 * real `driftline serve`, a real worker running the real Leeway pipeline, PostgreSQL, Redis and
 * s3rver. Submits through the form, watches the mission complete, moves the time slider, and checks
 * on the screenshot's pixels that particles are drawn where the particles are; for a mission with a
 * search plan, that the probability grid and the plan's rectangles are drawn where their data is,
 * and that a click on a rectangle or an area shows its figures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../helpers/api.js';
import { startFleet, type Fleet } from '../helpers/fleet.js';

const CHROMIUM = '/usr/bin/chromium';
/** The page's colour for drifting particles (web/app.ts COLORS.active), #1d4ed8. */
const ACTIVE_RGB = [0x1d, 0x4e, 0xd8];

let fleet: Fleet;
let api: TestApi;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  fleet = await startFleet('apibrowser');
  fleet.spawn('browser-w1', { SIM_THREADS: '1' });
  api = await startApi(fleet);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()} ${r.url()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await fleet?.close();
});

/** The page's land fill (web/app.ts, the built-in coastline), #ece8da. */
const LAND_RGB = [0xec, 0xe8, 0xda];

async function pixels(png: Buffer): Promise<{ px: Uint8ClampedArray; width: number; height: number }> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { px: ctx.getImageData(0, 0, img.width, img.height).data, width: img.width, height: img.height };
}

/**
 * What the page exposes, for the functions run inside the browser (page.evaluate serialises them, so
 * they reach these through globalThis; this program has no DOM types).
 */
interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null; value?: string } | null };
  requestAnimationFrame(fn: () => void): void;
  driftline: {
    map: {
      latLngToContainerPoint(ll: [number, number]): { x: number; y: number };
      once(event: string, fn: () => void): void;
      setView(center: [number, number], zoom: number, opts: { animate: boolean }): unknown;
    };
    state: { particles: { lon: Array<Array<number | null>>; lat: Array<Array<number | null>>; status: number[][] }; densityDrawnT: number; renderedT: number };
    layers: Record<'density' | 'areas' | 'particles' | 'datum' | 'lkp' | 'plan' | 'pick', unknown>;
    densityColor(fraction: number): [number, number, number];
    DENSITY_ALPHA: number;
  };
}

/** The page's sea (the map's background, web/app.css #map) #cfe3f2. */
const SEA_RGB = [0xcf, 0xe3, 0xf2];
/** The plan rectangles' colour (web/app.ts COLORS.plan), #c026d3. */
const PLAN_RGB = [0xc0, 0x26, 0xd3];

/** Shows only the named mission layers, then waits two animation frames (Leaflet redraws in the next one). */
function showOnly(page: Page, names: string[]): Promise<void> {
  return page.evaluate(
    (keep) =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as PageGlobals;
        const d = g.driftline as unknown as { map: { addLayer(l: unknown): void; removeLayer(l: unknown): void }; layers: Record<string, unknown> };
        for (const [name, layer] of Object.entries(d.layers)) {
          if (keep.includes(name)) d.map.addLayer(layer);
          else d.map.removeLayer(layer);
        }
        g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve()));
      }),
    names,
  );
}

/** Point-in-ring (even-odd) on [lon, lat] pairs. */
function inRing(ring: number[][], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance in RGB units (0-441) between a screenshot pixel and a colour. */
function rgbDistance(px: Uint8ClampedArray, i: number, rgb: number[]): number {
  return Math.hypot((px[i] ?? 0) - (rgb[0] ?? 0), (px[i + 1] ?? 0) - (rgb[1] ?? 0), (px[i + 2] ?? 0) - (rgb[2] ?? 0));
}

describe('map page', () => {
  it('submits a mission through the form, follows it to completion and draws its particles where they are', async () => {
    await page.goto(api.url);
    await page.fill('#api-key', api.key);
    await page.dispatchEvent('#api-key', 'change');
    // Clicking the map sets the last known position.
    const before = await page.inputValue('#lat');
    await page.click('#map', { position: { x: 300, y: 300 } });
    expect(await page.inputValue('#lat')).not.toBe(before);
    // Then a known open-water position in the North Sea, and constant forcing so no fallback is used.
    await page.fill('#lat', '60.0');
    await page.fill('#lon', '3.0');
    await page.fill('#object', 'LIFE-RAFT-DB-11');
    await page.fill('#start', '2024-01-01T00:00');
    await page.fill('#hours', '6');
    await page.fill('#particles', '500');
    await page.fill('#wind', '8,3');
    await page.fill('#current', '0.3,0.1');
    await page.click('#submit-button');
    await page.waitForSelector('#mission:not([hidden])');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.getElementById('mission-status')?.textContent === 'completed', null, { timeout: 120_000 });
    try {
      await page.waitForSelector('#timebox:not([hidden])');
      await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).document.getElementById('figures')?.textContent ?? '').includes('km²'));
    } finally {
      if (process.env.DRIFTLINE_SCREENSHOT) writeFileSync(process.env.DRIFTLINE_SCREENSHOT, await page.screenshot());
    }

    const slider = page.locator('#time');
    expect(await slider.getAttribute('max')).toBe('6');
    const lastLabel = await page.textContent('#time-label');
    await slider.fill('2');
    const label = await page.textContent('#time-label');
    expect(label).not.toBe(lastLabel);
    expect(label).toMatch(/02:00 UTC$/);
    const downloads = await page.$$eval('#downloads a', (as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(downloads.length).toBeGreaterThanOrEqual(4);

    // Where the page's particles are on screen at the slider's time.
    const points = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const d = g.driftline;
      const t = Number(g.document.getElementById('time')?.value);
      const P = d.state.particles;
      const out: Array<[number, number]> = [];
      (P.lon[t] ?? []).forEach((lon, i) => {
        const lat = P.lat[t]?.[i];
        if (lon !== null && lat !== null && lat !== undefined && P.status[t]?.[i] === 0) {
          const p = d.map.latLngToContainerPoint([lat, lon]);
          out.push([Math.round(p.x), Math.round(p.y)]);
        }
      });
      return out;
    });
    expect(points.length).toBeGreaterThan(400);
    const mapBox = await page.locator('#map').boundingBox();
    const png = await page.locator('#map').screenshot();
    const outDir = path.join(fleet.dir, 'screens');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'map.png'), png);
    if (process.env.DRIFTLINE_SCREENSHOT) writeFileSync(process.env.DRIFTLINE_SCREENSHOT, await page.screenshot());
    const { px, ...img } = await pixels(png);
    const scale = img.width / (mapBox?.width ?? img.width);
    const inside = points.filter(([x, y]) => x >= 0 && y >= 0 && x < img.width / scale && y < img.height / scale);
    // A particle is a 2.5 px radius disc at 85 % opacity over sea or a 12 %-opaque search area: within
    // 90 RGB units of #1d4ed8 at its centre. Sea (#cfe3f2) and land (#ece8da) are over 250 units away.
    const hits = inside.filter(([x, y]) => rgbDistance(px, (Math.round(y * scale) * img.width + Math.round(x * scale)) * 4, ACTIVE_RGB) < 90);
    expect(inside.length).toBeGreaterThan(400);
    expect(hits.length / inside.length).toBeGreaterThan(0.95);
    // And the particle colour is not everywhere: the map's top-left corner, far from the mission, is sea or land.
    expect(rgbDistance(px, (10 * img.width + 10) * 4, ACTIVE_RGB)).toBeGreaterThan(150);

    expect(consoleErrors).toEqual([]);
  }, 180_000);

  it('shows a job the API refuses with every invalid field, and no console error', async () => {
    await page.fill('#lat', '95');
    await page.fill('#particles', '0');
    await page.click('#submit-button');
    await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).document.getElementById('form-error')?.textContent ?? '') !== '');
    const text = (await page.textContent('#form-error')) ?? '';
    expect(text).toContain('params.latitude');
    expect(text).toContain('params.num_particles');
    // A 400 is the expected answer here (chromium also logs it as a failed resource load).
    expect(consoleErrors.filter((e) => !e.includes('400 (Bad Request)') && !/^HTTP 400 .*\/missions$/.test(e))).toEqual([]);
  });

  it('reads on a tablet (820 × 1180 portrait): map above the panel, the built-in coastline drawn offline', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    const mapBox = await page.locator('#map').boundingBox();
    const panelBox = await page.locator('#panel').boundingBox();
    expect(mapBox && panelBox).toBeTruthy();
    if (!mapBox || !panelBox) return;
    expect(mapBox.width).toBeGreaterThan(800);
    expect(panelBox.y).toBeGreaterThanOrEqual(mapBox.y + mapBox.height - 1);
    expect(mapBox.height).toBeGreaterThan(450);
    // Bergen and its fjords at zoom 7: land is Natural Earth 1:50m from the bundle, no tiles.
    // moveend, then two animation frames: Leaflet redraws its canvases in the next frame.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const g = globalThis as unknown as PageGlobals;
          const map = g.driftline.map;
          map.once('moveend', () => g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve())));
          map.setView([60.4, 4.8], 7, { animate: false });
        }),
    );
    const png = await page.locator('#map').screenshot();
    if (process.env.DRIFTLINE_SCREENSHOT) writeFileSync(process.env.DRIFTLINE_SCREENSHOT.replace(/\.png$/, '-tablet.png'), await page.screenshot());
    const { px, width, height } = await pixels(png);
    let land = 0;
    for (let i = 0; i < width * height * 4; i += 4) if (rgbDistance(px, i, LAND_RGB) < 12) land++;
    // West Norway fills roughly a third of that view; anything above 10 % shows the layer is drawn.
    expect(land / (width * height)).toBeGreaterThan(0.1);
    expect(consoleErrors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('draws the probability grid where density.nc has probability, the plan rectangles where search_plan.geojson puts them, and their figures on a click', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    // examples/mission-search.json (two units, one completed search) with fewer particles and no MP4.
    const job = JSON.parse(readFileSync(new URL('../../examples/mission-search.json', import.meta.url), 'utf8')) as { mission_id: string; params: Record<string, unknown> };
    const id = 'browser-plan';
    const submitted = await api.request('POST', '/missions', { body: { ...job, mission_id: id, params: { ...job.params, num_particles: 2000, products: { animation: false } } } });
    expect(submitted.status).toBe(202);
    await fleet.waitForStatus(id, 'completed', 180_000);
    // A fresh page load, so this test stands alone (vitest -t) and a failure above leaves nothing behind.
    await page.goto(api.url);
    await page.fill('#api-key', api.key);
    await page.dispatchEvent('#api-key', 'change');
    await page.click('#refresh');
    await page.click(`#missions li[data-id="${id}"]`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).driftline.state.densityDrawnT >= 0, null, { timeout: 30_000 });
    // The plan table in the panel, and the legend of the probability layer.
    await page.waitForSelector('#plan table');
    expect(await page.textContent('#plan')).toContain('Rescue helicopter');
    expect(await page.isVisible('.legend-density')).toBe(true);

    // A step inside the plan's window (18 h after the start of 24), its density read from the API itself.
    const t = 18;
    await page.locator('#time').fill(String(t));
    await page.waitForFunction((want) => (globalThis as unknown as PageGlobals).driftline.state.densityDrawnT === want, t, { timeout: 30_000 });
    const density = (await api.request('GET', `/missions/${id}/density.json?t=${t}`)).json as {
      t: number;
      time: string;
      max: number;
      cells: number[];
      p: number[];
      grid: { west_deg: number; south_deg: number; dlon_deg: number; dlat_deg: number; nx: number; ny: number };
    };
    expect(density.t).toBe(t);
    expect(density.cells.length).toBeGreaterThan(50);
    expect(density.p.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.99);

    await showOnly(page, ['density']);
    const { nx, ny, west_deg: west, south_deg: south, dlon_deg: dlon, dlat_deg: dlat } = density.grid;
    const probability = new Map(density.cells.map((c, k) => [c, density.p[k] ?? 0]));
    // Every cell of the grid: its centre on screen, and the page's own ramp colour for its value.
    const cells = await page.evaluate(
      ({ grid, probs, max }) => {
        const d = (globalThis as unknown as PageGlobals).driftline;
        const out: Array<{ x: number; y: number; rgb: number[] | null }> = [];
        for (let y = 0; y < grid.ny; y++) {
          for (let x = 0; x < grid.nx; x++) {
            const pt = d.map.latLngToContainerPoint([grid.south + (y + 0.5) * grid.dlat, grid.west + (x + 0.5) * grid.dlon]);
            const p = probs[y * grid.nx + x];
            out.push({ x: Math.round(pt.x), y: Math.round(pt.y), rgb: p === undefined ? null : d.densityColor(p / max) });
          }
        }
        return { out, alpha: d.DENSITY_ALPHA };
      },
      { grid: { nx, ny, west, south, dlon, dlat }, probs: Object.fromEntries(probability), max: density.max },
    );
    const densityPng = await page.locator('#map').screenshot();
    writeFileSync(path.join(fleet.dir, 'density.png'), densityPng);
    const shot = await pixels(densityPng);
    const onScreen = cells.out.filter((c) => c.x >= 2 && c.y >= 2 && c.x < shot.width - 2 && c.y < shot.height - 2);
    const at = (c: { x: number; y: number }) => (c.y * shot.width + c.x) * 4;
    const blend = (rgb: number[], bg: number[]) => rgb.map((v, k) => cells.alpha * v + (1 - cells.alpha) * (bg[k] ?? 0));
    // A cell with probability: its centre shows its ramp colour composited over sea or land. 25 RGB
    // units allows for PNG and canvas rounding; the ramp's neighbouring classes are 60-110 units apart.
    const filled = onScreen.filter((c) => c.rgb !== null);
    const filledOk = filled.filter((c) => c.rgb !== null && Math.min(rgbDistance(shot.px, at(c), blend(c.rgb, SEA_RGB)), rgbDistance(shot.px, at(c), blend(c.rgb, LAND_RGB))) < 25);
    expect(filled.length).toBeGreaterThan(50);
    // 95 %: a cell centre may fall on a coastline stroke (#8c9a7e, 0.7 px).
    expect(filledOk.length / filled.length).toBeGreaterThan(0.95);
    // A cell without probability (inside the grid, which spans the whole run) shows plain sea or land.
    const empty = onScreen.filter((c) => c.rgb === null);
    const emptyOk = empty.filter((c) => Math.min(rgbDistance(shot.px, at(c), SEA_RGB), rgbDistance(shot.px, at(c), LAND_RGB)) < 12);
    expect(empty.length).toBeGreaterThan(20);
    expect(emptyOk.length / empty.length).toBeGreaterThan(0.95);

    // The plan's rectangles, from the product itself: each edge's midpoint is drawn in the plan colour,
    // and the inside of the rectangle is not (a 6 % tint only).
    const plan = (await api.request('GET', `/missions/${id}/products/search_plan_geojson`)).json as {
      features: Array<{ geometry: { coordinates: number[][][] }; properties: { unit: string; pos: number; poc: number; pod: number; track_spacing_nm: number } }>;
    };
    expect(plan.features.length).toBe(2);
    await showOnly(page, ['plan']);
    const rects = await page.evaluate(
      (rings) => {
        const d = (globalThis as unknown as PageGlobals).driftline;
        return rings.map((ring) => ring.map(([lon, lat]) => d.map.latLngToContainerPoint([lat ?? 0, lon ?? 0])));
      },
      plan.features.map((f) => f.geometry.coordinates[0] ?? []),
    );
    const planPng = await page.locator('#map').screenshot();
    writeFileSync(path.join(fleet.dir, 'plan.png'), planPng);
    const planShot = await pixels(planPng);
    for (const corners of rects) {
      expect(corners.length).toBe(5);
      for (let k = 0; k < 4; k++) {
        const a = corners[k];
        const b = corners[k + 1];
        if (!a || !b) throw new Error('rectangle ring too short');
        // Nearest pixel to the midpoint within ±1 px (the stroke is 3 px wide, its centre on the edge).
        const mx = (a.x + b.x) / 2;
        const my = (a.y + b.y) / 2;
        let best = Infinity;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) best = Math.min(best, rgbDistance(planShot.px, (Math.round(my + dy) * planShot.width + Math.round(mx + dx)) * 4, PLAN_RGB));
        expect(best).toBeLessThan(40);
      }
    }
    // Inside a rectangle, away from every rectangle's edges (the lifeboat's lies inside the helicopter's),
    // the fill is a 6 % tint, far from the stroke colour. 80 %: a unit's label may cover a few points.
    const segDist = (p: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) => {
      const l2 = (b.x - a.x) ** 2 + (b.y - a.y) ** 2;
      const u = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / l2));
      return Math.hypot(p.x - a.x - u * (b.x - a.x), p.y - a.y - u * (b.y - a.y));
    };
    const edges = rects.flatMap((r) => r.slice(0, 4).map((a, k) => [a, r[k + 1] ?? a] as const));
    const [c0, c1, , c3] = rects[0] ?? [];
    if (!c0 || !c1 || !c3) throw new Error('no first rectangle');
    const interior: Array<{ x: number; y: number }> = [];
    for (let i = 1; i < 10; i++) {
      for (let j = 1; j < 10; j++) {
        const p = { x: c0.x + ((c1.x - c0.x) * i) / 10 + ((c3.x - c0.x) * j) / 10, y: c0.y + ((c1.y - c0.y) * i) / 10 + ((c3.y - c0.y) * j) / 10 };
        if (edges.every(([a, b]) => segDist(p, a, b) > 6)) interior.push({ x: Math.round(p.x), y: Math.round(p.y) });
      }
    }
    const tinted = interior.filter((p) => rgbDistance(planShot.px, (p.y * planShot.width + p.x) * 4, PLAN_RGB) > 120);
    expect(interior.length).toBeGreaterThan(30);
    expect(tinted.length / interior.length).toBeGreaterThan(0.8);

    // A click inside the last-drawn (top) rectangle opens its figures.
    const box = await page.locator('#map').boundingBox();
    if (!box) throw new Error('no map box');
    const topRect = rects[rects.length - 1] ?? [];
    const topProps = plan.features[plan.features.length - 1]?.properties;
    const cx = topRect.slice(0, 4).reduce((a, p) => a + p.x, 0) / 4;
    const cy = topRect.slice(0, 4).reduce((a, p) => a + p.y, 0) / 4;
    await page.mouse.click(box.x + cx, box.y + cy);
    await page.waitForSelector('.leaflet-popup-content .popup');
    const planPopup = (await page.textContent('.leaflet-popup-content')) ?? '';
    expect(planPopup).toContain(topProps?.unit);
    expect(planPopup).toContain(`POS${((topProps?.pos ?? NaN) * 100).toFixed(1)} %`);
    expect(planPopup).toContain(`POC${((topProps?.poc ?? NaN) * 100).toFixed(1)} %`);
    expect(planPopup).toContain(`${(topProps?.track_spacing_nm ?? NaN).toFixed(2)} NM`);
    expect(planPopup).toContain('coverage');

    // A click inside the 50 % area of this time step (the innermost, drawn on top) opens its figures.
    await page.evaluate(() => (globalThis as unknown as PageGlobals & { driftline: { map: { closePopup(): void } } }).driftline.map.closePopup());
    await showOnly(page, ['areas']);
    const areas = (await api.request('GET', `/missions/${id}/products/search_areas_geojson`)).json as {
      features: Array<{ geometry: { type: string; coordinates: unknown }; properties: { kind: string; time: string; percent?: number; area_km2?: number } }>;
    };
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).driftline.state.renderedT)).toBe(t);
    const stepTimeMs = Date.parse(density.time);
    const area50 = areas.features.find((f) => f.properties.kind === 'search_area' && f.properties.percent === 50 && Date.parse(f.properties.time) === stepTimeMs);
    if (!area50 || area50.geometry.type !== 'Polygon') throw new Error('no single-polygon 50 % area at this step');
    const ring50 = (area50.geometry.coordinates as number[][][])[0] ?? [];
    const lons = ring50.map((c) => c[0] ?? 0);
    const lats = ring50.map((c) => c[1] ?? 0);
    // The point of a 20 × 20 lattice over its bounding box deepest inside the ring (farthest from its vertices).
    let inside: [number, number] | null = null;
    let bestGap = -1;
    for (let i = 1; i < 20; i++) {
      for (let j = 1; j < 20; j++) {
        const lon = Math.min(...lons) + ((Math.max(...lons) - Math.min(...lons)) * i) / 20;
        const lat = Math.min(...lats) + ((Math.max(...lats) - Math.min(...lats)) * j) / 20;
        if (!inRing(ring50, lon, lat)) continue;
        const gap = Math.min(...ring50.map(([x = 0, y = 0]) => Math.hypot(x - lon, y - lat)));
        if (gap > bestGap) [bestGap, inside] = [gap, [lon, lat]];
      }
    }
    if (!inside) throw new Error('no lattice point inside the 50 % area');
    const target = inside;
    const pt = await page.evaluate((ll) => (globalThis as unknown as PageGlobals).driftline.map.latLngToContainerPoint([ll[1], ll[0]]), target);
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('.leaflet-popup-content')?.textContent ?? '').includes('search area'));
    const areaPopup = (await page.textContent('.leaflet-popup-content')) ?? '';
    expect(areaPopup).toContain('50 % search area');
    expect(areaPopup).toContain(`${area50.properties.area_km2?.toLocaleString('en', { maximumFractionDigits: 1 })} km²`);
    expect(areaPopup).toContain('NM²');

    expect(consoleErrors.filter((e) => !e.includes('400'))).toEqual([]);
  }, 240_000);
});
