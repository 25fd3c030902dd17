/**
 * products/leeway.txt matches OpenDrift 1.14.10's `Leeway.export_ascii()` of the same run line for line
 * (test/fixtures/opendrift/ascii_wind10E_piw1_dt900.txt, written by OpenDrift itself through
 * scripts/opendrift/make_references.py: 50 PIW-1 particles, 1 km radius, 3 h release window, 6 h).
 */
import { createHash } from 'node:crypto';
import { productContextOf } from '../helpers/spec.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { writeLeewayAscii } from '../../src/products/leeway-ascii.js';
import { asciiChunk, numpyPairwiseSumF32, putPyFixed, putPyFixed5, putUintWords, pyDatetimeStr, pyFixed, pyFloatStr } from '../../src/products/python-format.js';
import type { ProductContext } from '../../src/products/types.js';
import { FIXTURES, numpyFloat32Mean, type RunInputs } from './model-helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-ascii-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function contextFor(inputs: RunInputs & { seed_end_time?: string }): ProductContext {
  const job = validateJob({
    mission_id: 'ascii-ref',
    params: {
      latitude: inputs.lat, longitude: inputs.lon, start_time: inputs.seed_time, ...(inputs.seed_end_time ? { end_time: inputs.seed_end_time } : {}),
      duration_hours: inputs.duration_h, num_particles: inputs.number, object_type: inputs.object_type, radius_m: inputs.radius_m,
      time_step_seconds: inputs.time_step_s, output_step_seconds: 3600, rng: 'opendrift', coastline_action: 'none',
      forcing: { wind: { constant: inputs.wind }, current: { constant: inputs.current } },
    },
  });
  return productContextOf(job, { wind: { kind: 'constant', description: 'c', fallback: false }, current: { kind: 'constant', description: 'c', fallback: false } });
}

describe('products/leeway.txt (OpenDrift export_ascii format)', () => {
  it('is OpenDrift\'s own export_ascii output of the reference run, line for line', async () => {
    const inputs = JSON.parse(readFileSync(new URL('ascii_wind10E_piw1_dt900.json', FIXTURES), 'utf8')) as RunInputs & { seed_end_time: string };
    const ctx = contextFor(inputs);
    const result = simulateLocal(ctx.model, { wind: constantSampler(inputs.wind[0], inputs.wind[1]), current: constantSampler(inputs.current[0], inputs.current[1]), land: null });
    const f = path.join(dir, 'leeway.txt');
    const { bytes, sha256 } = await writeLeewayAscii(result, ctx, f);
    const ours = readFileSync(f, 'utf8');
    expect(bytes).toBe(Buffer.byteLength(ours));
    // Hashed while written: the checksum of the bytes on disk.
    expect(sha256).toBe(createHash('sha256').update(readFileSync(f)).digest('hex'));
    const theirs = readFileSync(new URL('ascii_wind10E_piw1_dt900.txt', FIXTURES), 'utf8');
    const a = ours.split('\n');
    const b = theirs.split('\n');
    const diffs = b.map((line, i) => (line === a[i] ? null : `line ${i + 1}: OpenDrift ${JSON.stringify(line)} ours ${JSON.stringify(a[i])}`)).filter((d) => d !== null);
    expect(diffs.slice(0, 10)).toEqual([]);
    expect(a.length).toBe(b.length);
  });

  it('formats numbers as Python does', () => {
    expect(pyFixed(0.015625, 5)).toBe('0.01562'); // 1/64, an exact tie: Python keeps the even digit, toFixed gives 0.01563
    expect(pyFixed(-29.015625, 5)).toBe('-29.01562');
    expect(pyFixed(0.125, 2)).toBe('0.12'); // exact tie, even neighbour kept (toFixed: 0.13)
    expect(pyFixed(0.375, 2)).toBe('0.38');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(-2.5, 0)).toBe('-2');
    expect(pyFixed(1.005, 2)).toBe('1.00'); // 1.005 is 1.00499999999999989...: no tie
    expect(pyFixed(NaN, 5)).toBe('nan');
    // The fast path (no exact expansion unless x·10^d is within 2^-50 of a tie) against the exact rule on
    // every dyadic tie k/64 and its neighbours one ulp away, and on random values of the file's range.
    const exact = (x: number, d: number) => {
      const e = Math.abs(x).toFixed(d + 60);
      const dot = e.indexOf('.');
      const kept = e.slice(0, dot + 1 + d);
      if (!/^50*$/.test(e.slice(dot + 1 + d)) || Number(kept[kept.length - 1]) % 2 !== 0) return x.toFixed(d);
      return x < 0 ? `-${kept}` : kept;
    };
    const xs: number[] = [];
    for (let k = -2000; k <= 2000; k++) {
      const x = k / 64;
      xs.push(x, x * (1 + 2 ** -52), x * (1 - 2 ** -52), x + 1e-9);
    }
    let seed = 12345;
    for (let i = 0; i < 20000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      xs.push((seed / 2 ** 31 - 0.5) * 360);
    }
    const mismatches = xs.filter((x) => pyFixed(x, 5) !== exact(x, 5) || pyFixed(x, 2) !== exact(x, 2));
    expect(mismatches).toEqual([]);
    // putPyFixed writes the same characters without a string, for every digit count the file uses.
    const buf = Buffer.alloc(64);
    const put = (x: number, d: number) => buf.toString('latin1', 0, putPyFixed(buf, 0, x, d));
    const specials = [NaN, Infinity, -Infinity, 0, -0, -1e-9, 1e15, -1e21, 2 ** 40, 0.5, 1.5, -2.5];
    const putMismatches = [...xs, ...specials].filter((x) => put(x, 5) !== pyFixed(x, 5) || put(x, 0) !== pyFixed(x, 0) || put(x * 60, 0) !== pyFixed(x * 60, 0));
    expect(putMismatches).toEqual([]);
    // putPyFixed5 and putUintWords, which store four digits at a time (and may write past the number),
    // write the same characters; a chunk that starts mid-buffer checks they use its offset.
    const chunk = asciiChunk(Buffer.alloc(96).subarray(7, 71));
    const put5 = (x: number) => chunk.bytes.toString('latin1', 0, putPyFixed5(chunk, 0, x));
    const wide = [2 ** 40 / 1e5 - 1e-6, 2 ** 40 / 1e5, -(2 ** 40) / 1e5, 9999.99999, 99999.999995, 1e7 + 0.5, 0.000005, -0.000005, 1e-320];
    expect([...xs, ...specials, ...wide, ...xs.map(Math.fround)].filter((x) => put5(x) !== pyFixed(x, 5))).toEqual([]);
    const ints = [0, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 10_001, 99_999_999, 100_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1];
    for (let v = 0; v < 200_000; v += 7) ints.push(v);
    const putInt = (v: number) => chunk.bytes.toString('latin1', 0, putUintWords(chunk, 0, v));
    expect(ints.filter((v) => putInt(v) !== String(v))).toEqual([]);
    expect(pyFloatStr(45)).toBe('45.0');
    expect(pyFloatStr(-30.5)).toBe('-30.5');
    expect(pyFloatStr(0.00001)).toBe('1e-05');
    expect(pyFloatStr(0.0001)).toBe('0.0001');
    expect(pyDatetimeStr(Date.UTC(2024, 0, 1, 3) / 1000)).toBe('2024-01-01 03:00:00');
    expect(pyDatetimeStr(Date.UTC(2024, 0, 1, 3) / 1000 + 0.25)).toBe('2024-01-01 03:00:00.250000');
  });

  it('sums float32 values as numpy\'s pairwise sum (same as the model tests\' n <= 128 replica)', () => {
    const v = Array.from({ length: 100 }, (_, i) => Math.fround(-30 + i * 1e-3 + Math.sin(i) * 1e-4));
    expect(Math.fround(numpyPairwiseSumF32(v, 0, 100) / 100)).toBe(numpyFloat32Mean(v));
  });
});
