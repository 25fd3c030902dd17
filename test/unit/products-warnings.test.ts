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
import { seededContext, syntheticCloud } from './products.fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-warnings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 1280;
const H = 720;
const NT = 9;
const N = 1000;
const FALLBACK = 'FALLBACK FORCING: no wind forcing was given; used fallback constant [5, 0] m/s (FORCING_FALLBACK_WIND)';
const ffmpeg = findFfmpeg({ FFMPEG_PATH: undefined });
// 10 % of the particles leave the forcing from 3/4 of the run on (the fixture's outsideFraction).
const cloud = syntheticCloud({ nParticles: N, nTimes: NT, lon0Deg: 4.6, lat0Deg: 59.3, driftEastMPerStep: 800, outsideFraction: 0.1 });
const ctx = seededContext({ lonDeg: 4.6, latDeg: 59.3, missionId: 'warnings-test' });
let warnings: string[] = [];

function decodeFrame(file: string, k: number): Buffer {
  return execFileSync(ffmpeg!, ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${k})`, '-vframes', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: W * H * 3 + 1024,
  });
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
          if (Math.abs(rgb[i]! - r) <= 16 && Math.abs(rgb[i + 1]! - g) <= 16 && Math.abs(rgb[i + 2]! - b) <= 16) red++;
        }
      }
      expect(red, `frame ${k}`).toBeGreaterThan(0.95 * 200 * 4);
    }
  });
});
