/**
 * products/animation.mp4 through the real ffmpeg (system or packaged): codec, pixel format, one frame per
 * output step, what a frame shows, and the errors a coordinator's operator would see.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { animationView, colourScaleTop, findFfmpeg, locateFfmpeg, writeAnimation } from '../../src/products/animation/index.js';
import { xOf, yOf } from '../../src/products/animation/view.js';
import { packagedFfmpegPath } from '../../src/products/animation/ffmpeg.js';
import { COLOURS, hexRgb, layoutFor } from '../../src/products/animation/style.js';
import { seededContext, syntheticCloud } from '../unit/products.fixtures.js';
import { decodeFrameRgb } from '../helpers/frames.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-anim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = findFfmpeg({ FFMPEG_PATH: undefined });
const W = 1280;
const H = 720;
const NT = 13;
const cloud = syntheticCloud({
  nParticles: 3000,
  nTimes: NT,
  lon0Deg: -70.5,
  lat0Deg: 41.2,
  driftEastMPerStep: 1500,
  sigmaGrowthMPerStep: 400,
  strandedFraction: 0.05,
  releaseSteps: 2,
});
const ctx = seededContext({ lonDeg: -70.5, latDeg: 41.2, objectType: 'PIW-1', missionId: 'anim-test' });
const file = path.join(dir, 'products', 'animation.mp4');

/** Frame k of the MP4 decoded to RGB bytes by ffmpeg. */
function decodeFrame(k: number): Buffer {
  return decodeFrameRgb(ffmpeg!, file, k, W, H);
}

function countNear(rgb: Buffer, box: { x: number; y: number; w: number; h: number }, colour: [number, number, number], tol: number): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      const i = (y * W + x) * 3;
      if (Math.abs(at(rgb, i) - colour[0]) <= tol && Math.abs(at(rgb, i + 1) - colour[1]) <= tol && Math.abs(at(rgb, i + 2) - colour[2]) <= tol) n++;
    }
  }
  return n;
}

describe('writeAnimation', () => {
  beforeAll(async () => {
    expect(ffmpeg).not.toBeNull();
    mkdirSync(path.dirname(file), { recursive: true });
    await writeAnimation(cloud, ctx, file, { ffmpegPath: ffmpeg!, grid: buildDensityGrid(cloud, 1000) });
  });

  it('H.264, yuv420p, 1280×720, exactly one frame per output step', () => {
    // ffmpeg alone (the packaged ffmpeg comes without ffprobe): its stream line, then every frame decoded.
    const info = spawnSync(ffmpeg!, ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr;
    expect(info).toMatch(new RegExp(`Video: h264 .*yuv420p.*, ${W}x${H}`));
    const all = execFileSync(ffmpeg!, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: W * H * (NT + 2) });
    expect(all.length).toBe(W * H * NT);
  });

  it('has its moov atom before mdat (+faststart, so a browser plays it while downloading)', () => {
    // Walk the top-level MP4 boxes: 4-byte big-endian size, 4-byte type (size 1: 64-bit size follows).
    const bytes = readFileSync(file);
    const types: string[] = [];
    for (let off = 0; off + 8 <= bytes.length; ) {
      let size = bytes.readUInt32BE(off);
      const type = bytes.toString('latin1', off + 4, off + 8);
      if (size === 1) size = Number(bytes.readBigUInt64BE(off + 8));
      types.push(type);
      if (size < 8) break;
      off += size;
    }
    expect(types[0]).toBe('ftyp');
    expect(types.indexOf('moov')).toBeGreaterThan(0);
    expect(types.indexOf('moov')).toBeLessThan(types.indexOf('mdat'));
  });

  it('draws the sidebar, the sea and particles that move between the first and last frame', () => {
    const L = layoutFor(W, H);
    const first = decodeFrame(0);
    const last = decodeFrame(NT - 1);
    // yuv420p with x264 at crf 23 shifts flat colours by a few levels: 12 per channel is ample.
    // Between the symbol legend (ends ~490 px) and the footer (forcing, land, version: from ~615 px).
    const sidebarBlank = { x: L.sidebar.x + 20, y: H - 200, w: L.sidebar.w - 40, h: 40 };
    expect(countNear(last, sidebarBlank, hexRgb(COLOURS.page), 12)).toBeGreaterThan(0.95 * sidebarBlank.w * sidebarBlank.h);
    expect(countNear(last, L.map, hexRgb(COLOURS.sea), 12)).toBeGreaterThan(0.2 * L.map.w * L.map.h);
    // Drifting dots are now 35 % translucent over the shading (no colour test separates them from it);
    // stranded particles (5 % = 150) stay opaque green 3 × 3 px squares: count those.
    expect(countNear(last, L.map, hexRgb(COLOURS.stranded), 30)).toBeGreaterThan(150);
    // The cloud spreads and moves: the map area differs in many pixels between the first and last frame.
    let changed = 0;
    for (let y = L.map.y; y < L.map.y + L.map.h; y++) {
      for (let x = L.map.x; x < L.map.x + L.map.w; x++) {
        const i = (y * W + x) * 3;
        const diff = (k: number) => Math.abs(at(first, k) - at(last, k));
        if (diff(i) + diff(i + 1) + diff(i + 2) > 60) changed++;
      }
    }
    expect(changed).toBeGreaterThan(5000);
  });

  it('fails with a clear E_CONFIG error naming FFMPEG_PATH when ffmpeg cannot be run, leaving no file', async () => {
    const bad = path.join(dir, 'no-such-ffmpeg');
    const out = path.join(dir, 'bad.mp4');
    const err = await writeAnimation(cloud, ctx, out, { ffmpegPath: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriftlineError);
    expect((err as DriftlineError).code).toBe('E_CONFIG');
    expect((err as DriftlineError).field).toBe('FFMPEG_PATH');
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toContain('ENOENT');
    expect(existsSync(out)).toBe(false);
  });

  it('puts ffmpeg’s own stderr into the error when it fails while encoding', async () => {
    const fake = path.join(dir, 'failing-ffmpeg.sh');
    writeFileSync(fake, '#!/bin/sh\nhead -c 100000 >/dev/null\necho "Unknown encoder libx264 (test)" >&2\nexit 3\n');
    chmodSync(fake, 0o755);
    const err = await writeAnimation(cloud, ctx, path.join(dir, 'fail.mp4'), { ffmpegPath: fake }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriftlineError);
    expect((err as Error).message).toMatch(/ffmpeg exited with code 3/);
    expect((err as Error).message).toContain('Unknown encoder libx264 (test)');
  });

  it('draws the last known position on top of the particles at its projected pixel, first and last frame', () => {
    // The seed is where the whole cloud starts (frame 0: 3000 particles over it); the star must show.
    const view = animationView(cloud, ctx, W, H, buildDensityGrid(cloud, 1000));
    const cx = Math.round(xOf(view, ctx.model.seeding.lonDeg));
    const cy = Math.round(yOf(view, ctx.model.seeding.latDeg));
    const box = { x: cx - 2, y: cy - 2, w: 5, h: 5 };
    // The star's yellow fill (radius 9 px, inner radius 4 px) covers this 5 × 5 px core; x264 shifts a
    // saturated yellow by up to ~30 levels in yuv420p at its edges, hence 40 per channel and 20 of 25.
    for (const k of [0, NT - 1]) {
      expect(countNear(decodeFrame(k), box, hexRgb(COLOURS.seed), 40), `frame ${k}`).toBeGreaterThanOrEqual(20);
    }
  });

  it('rejects an odd frame size (yuv420p needs even dimensions)', async () => {
    await expect(writeAnimation(cloud, ctx, path.join(dir, 'odd.mp4'), { ffmpegPath: ffmpeg!, width: 1281 })).rejects.toThrow(/even/);
  });
});

describe('colourScaleTop', () => {
  it('fits the colour scale to the occupied cells, not to the release cell', () => {
    // 1 cell holding the whole release (5 000) and 400 cells holding 1..20: the top is 20, not 5 000.
    const grid = buildDensityGrid(cloud, 1000);
    grid.counts.fill(0);
    grid.stranded.fill(0);
    grid.counts[0] = 5000;
    for (let i = 1; i <= 400; i++) grid.counts[i] = 1 + (i % 20);
    expect(colourScaleTop(grid)).toBe(20);
  });
});

describe('findFfmpeg', () => {
  it('prefers FFMPEG_PATH, even when it does not exist (a wrong setting must fail loudly)', () => {
    expect(findFfmpeg({ FFMPEG_PATH: '/opt/custom/ffmpeg' })).toBe('/opt/custom/ffmpeg');
  });

  it('then searches PATH for an executable ffmpeg, and returns null when there is none', () => {
    const bin = mkdtempSync(path.join(dir, 'bin-'));
    const empty = mkdtempSync(path.join(dir, 'empty-'));
    const fake = path.join(bin, 'ffmpeg');
    writeFileSync(fake, '#!/bin/sh\n');
    const saved = process.env.PATH;
    try {
      writeFileSync(path.join(empty, 'ffmpeg'), 'not executable');
      process.env.PATH = `${empty}${path.delimiter}${bin}`;
      // packaged: null stands for a machine without the optional package.
      expect(locateFfmpeg({ FFMPEG_PATH: undefined }, { packaged: null }).path).toBeNull(); // not executable yet
      chmodSync(fake, 0o755);
      expect(locateFfmpeg({ FFMPEG_PATH: undefined }, { packaged: null })).toEqual({ path: fake, source: 'PATH' });
      process.env.PATH = empty;
      // Without the optional package nothing else is found, and the warning says what to do.
      const none = locateFfmpeg({ FFMPEG_PATH: undefined }, { packaged: null });
      expect(none.path).toBeNull();
      expect(none.path === null && none.warning).toMatch(/no ffmpeg found.*set FFMPEG_PATH/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('falls back to the packaged ffmpeg only when it lists libx264', () => {
    const bin = mkdtempSync(path.join(dir, 'pkg-'));
    const noX264 = path.join(bin, 'ffmpeg-no-x264');
    // A real ffmpeg's `-encoders` listing, without the libx264 line.
    writeFileSync(noX264, '#!/bin/sh\necho " V..... mpeg4                MPEG-4 part 2"\n', { mode: 0o755 });
    const saved = process.env.PATH;
    try {
      process.env.PATH = mkdtempSync(path.join(dir, 'empty-'));
      const lacking = locateFfmpeg({ FFMPEG_PATH: undefined }, { packaged: noX264 });
      expect(lacking.path === null && lacking.warning).toMatch(/does not list the libx264 encoder/);
      const packaged = packagedFfmpegPath();
      // The optional dependency installs on Linux x64 (the CI and development machines).
      if (process.platform === 'linux' && process.arch === 'x64') {
        expect(packaged).not.toBeNull();
        expect(locateFfmpeg({ FFMPEG_PATH: undefined })).toEqual({ path: packaged, source: 'package' });
      }
    } finally {
      process.env.PATH = saved;
    }
  });
});
