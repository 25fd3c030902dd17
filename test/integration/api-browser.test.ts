/**
 * The map page in a real browser: Debian's chromium (headless, through playwright-core) against a
 * real `driftline serve`, a real worker running the real Leeway pipeline, PostgreSQL, Redis and
 * s3rver. Submits through the form, watches the mission complete, moves the time slider, and checks
 * on the screenshot's pixels that particles are drawn where the particles are.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
    state: { particles: { lon: Array<Array<number | null>>; lat: Array<Array<number | null>>; status: number[][] } };
  };
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
});
