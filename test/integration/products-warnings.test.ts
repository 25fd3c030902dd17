/**
 * The mission's warnings reach every product, each in its own format: the video's banner, GeoJSON's
 * top-level `warnings`, the KML document description, NetCDF global attributes (read by ncdump) and
 * summary.json; particles that left the forcing add their own warning.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMissionProducts } from '../../src/mission/products.js';
import { findFfmpeg } from '../../src/products/animation/index.js';
import { DEFAULT_ANIMATION_LAND } from '../../src/products/animation/land.js';
import { COLOURS, hexRgb, layoutFor } from '../../src/products/animation/style.js';
import { seededContext, syntheticCloud } from '../unit/products.fixtures.js';
import { decodeFrameRgb } from '../helpers/frames.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 1280;
const H = 720;
const NT = 9;
const N = 1000;
const FALLBACK = 'FALLBACK FORCING: no wind forcing was given; used fallback constant [5, 0] m/s (FORCING_FALLBACK_WIND)';
const ffmpeg = findFfmpeg({ FFMPEG_PATH: undefined });
// 10 % of the particles leave the forcing from 3/4 of the run on (the fixture's outsideFraction).
// 5 % strand from record floor(NT / 2) = 4 on (the fixture's strandedFraction).
const cloud = syntheticCloud({ nParticles: N, nTimes: NT, lon0Deg: 4.6, lat0Deg: 59.3, driftEastMPerStep: 800, outsideFraction: 0.1, strandedFraction: 0.05 });
// PIW-3's description is ">PIW, sitting, ..." in the Leeway table: the '>' must not reach the KML.
const ctx = seededContext({ lonDeg: 4.6, latDeg: 59.3, missionId: 'warnings-test', objectType: 'PIW-3' });
let warnings: string[] = [];

function decodeFrame(file: string, k: number): Buffer {
  return decodeFrameRgb(ffmpeg!, file, k, W, H);
}

describe('warnings on every product', () => {
  beforeAll(async () => {
    expect(ffmpeg).not.toBeNull();
    const out = await writeMissionProducts({
      result: cloud,
      ctx,
      workDir: dir,
      cellM: 1000,
      percents: [50, 90],
      animation: { ffmpegPath: ffmpeg!, land: DEFAULT_ANIMATION_LAND },
      timingsMs: {},
      warnings: [FALLBACK],
    });
    warnings = out.warnings;
  }, 60_000);

  it('adds a warning counting the particles that left the forcing', () => {
    expect(warnings[0]).toBe(FALLBACK);
    expect(warnings).toContain(`${N / 10} of ${N} particles left the forcing area and stopped there (not drifting); their positions say nothing about the object`);
  });

  it('summary.json, GeoJSON, KML and both NetCDF files carry them', () => {
    const summary = JSON.parse(readFileSync(path.join(dir, 'products/summary.json'), 'utf8'));
    expect(summary.warnings).toEqual(warnings);
    const geojson = JSON.parse(readFileSync(path.join(dir, 'products/search_areas.geojson'), 'utf8'));
    expect(geojson.warnings).toEqual(warnings);
    const kml = readFileSync(path.join(dir, 'products/search_areas.kml'), 'utf8');
    const docDescription = /<Document>.*?<description>(.*?)<\/description>/s.exec(kml)?.[1] ?? '';
    expect(docDescription).toContain('WARNINGS: FALLBACK FORCING');
    expect(docDescription).toContain('particles left the forcing area');
    for (const nc of ['raw/particles.nc', 'products/density.nc']) {
      const header = execFileSync('ncdump', ['-h', path.join(dir, nc)], { encoding: 'utf8' });
      expect(header, nc).toMatch(/:warnings = "FALLBACK FORCING: .*; 100 of 1000 particles left the forcing area/);
    }
  });

  it('the video shows them as a red banner across the top of the map in every frame', () => {
    const file = path.join(dir, 'products/animation.mp4');
    const L = layoutFor(W, H);
    const [r, g, b] = hexRgb(COLOURS.warning);
    for (const k of [0, NT - 1]) {
      const rgb = decodeFrame(file, k);
      // A 200 × 4 px strip just inside the banner's top edge, right of its text: all banner red.
      // x264 at crf 23 and yuv420p shift a flat colour by a few levels: 16 per channel is ample.
      let red = 0;
      for (let y = L.map.y + 2; y < L.map.y + 6; y++) {
        for (let x = L.map.x + L.map.w - 210; x < L.map.x + L.map.w - 10; x++) {
          const i = (y * W + x) * 3;
          if (Math.abs(at(rgb, i) - r) <= 16 && Math.abs(at(rgb, i + 1) - g) <= 16 && Math.abs(at(rgb, i + 2) - b) <= 16) red++;
        }
      }
      expect(red, `frame ${k}`).toBeGreaterThan(0.95 * 200 * 4);
    }
  });

  it('summary.json lists every product, the animation included', () => {
    const summary = JSON.parse(readFileSync(path.join(dir, 'products/summary.json'), 'utf8'));
    const paths = summary.products.map((p: { path: string }) => p.path);
    expect(paths).toContain('products/animation.mp4');
    expect(paths).toContain('products/search_areas.kml');
  });

  it('KML: areas with ExtendedData, a datum track with time, no category markup', () => {
    const kml = readFileSync(path.join(dir, 'products/search_areas.kml'), 'utf8');
    expect(kml).not.toContain('&gt;PIW');
    expect(kml).toContain('(PIW, sitting');
    const areas = [...kml.matchAll(/<Placemark><name>(\d+) %<\/name>.*?<ExtendedData>(.*?)<\/ExtendedData>/gs)];
    expect(areas.length).toBe(2 * NT); // 50 % and 90 % at every output time
    for (const [, percent, data] of areas) {
      const field = (name: string) => new RegExp(`<Data name="${name}"><value>([^<]*)</value>`).exec(data!)?.[1];
      expect(field('percent')).toBe(percent);
      const km2 = Number(field('area_km2'));
      const nm2 = Number(field('area_nm2'));
      expect(km2).toBeGreaterThan(0);
      // 1 NM² = 1.852² km²; both rounded to 0.001, so compare to 0.01 NM².
      expect(Math.abs(nm2 - km2 / 1.852 ** 2)).toBeLessThan(0.01);
      expect(field('time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const track = /<Placemark><name>Datum track<\/name>.*?<TimeSpan><begin>([^<]+)<\/begin><end>([^<]+)<\/end><\/TimeSpan>.*?<coordinates>([^<]+)<\/coordinates>/s.exec(kml);
    expect(track).not.toBeNull();
    expect(Date.parse(at(track!, 2)) - Date.parse(at(track!, 1))).toBe(NT * 3600 * 1000); // last span ends one step after the last time
    expect(at(track!, 3).trim().split(' ').length).toBe(NT);
  });

  it('summary.json gives the first stranding and the most likely cell at the last time', () => {
    const summary = JSON.parse(readFileSync(path.join(dir, 'products/summary.json'), 'utf8'));
    expect(summary.first_stranding).toEqual({ time: new Date(at(cloud.timesSec, 4) * 1000).toISOString().replace('.000Z', 'Z'), record: 4, stranded: N / 20 });
    const cell = summary.most_likely_cell;
    expect(cell.time).toBe(summary.times.at(-1).time);
    expect(cell.cell_m).toBe(1000);
    expect(cell.fraction).toBeCloseTo(cell.particles / N, 4); // every particle is released at the last time
    // The cloud's centre at the last record is 8 × 800 m east of the start (σ 2.1 km for drifting,
    // 1.3 km for the stranded): the densest 1 km cell lies within 4 km (about 2 σ) of it.
    const eastKm = (cell.lon - 4.6) * 111.32 * Math.cos((59.3 * Math.PI) / 180);
    const northKm = (cell.lat - 59.3) * 111.32;
    expect(Math.hypot(eastKm - 6.4, northKm)).toBeLessThan(4);
    expect(cell.particles).toBeGreaterThan(10);
  });
});
