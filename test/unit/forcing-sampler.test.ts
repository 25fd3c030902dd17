import { describe, expect, it } from 'vitest';
import { gridBounds, lonLatGridField } from '../../src/forcing/grid.js';
import { constantSampler, createVectorSampler, timeInterval } from '../../src/forcing/sampler.js';
import type { LonLatGridData } from '../../src/forcing/types.js';
import { at } from '../helpers/indexed.js';

const H = 3600;

function axis(start: number, step: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => start + i * step);
}

/** u = f(lon, lat, t) filled on the grid, [t][y][x]. */
function fill(lons: number[], lats: number[], times: number[], f: (lon: number, lat: number, t: number) => [number, number]) {
  const n = lons.length * lats.length * times.length;
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  let o = 0;
  for (const t of times) for (const la of lats) for (const lo of lons) {
    const [a, b] = f(lo, la, t);
    u[o] = a;
    v[o++] = b;
  }
  return { u, v };
}

function sampleAt(field: ReturnType<typeof lonLatGridField>, pts: Array<[number, number]>, tSec: number) {
  const s = createVectorSampler(field);
  const lon = Float64Array.from(pts.map((p) => p[0]));
  const lat = Float64Array.from(pts.map((p) => p[1]));
  const u = new Float32Array(pts.length);
  const v = new Float32Array(pts.length);
  s.sample(lon, lat, 0, pts.length, tSec, u, v);
  return { u, v };
}

describe('gridded vector sampler', () => {
  it('a grid constant in space and time gives bit-identical float32 to constantSampler', () => {
    const lons = axis(-10, 0.25, 41);
    const lats = axis(50, 0.2, 31);
    const times = [0, H, 2 * H, 3 * H];
    // Values that are not exactly representable in float32, to exercise the rounding path.
    const cu = 7.123456789;
    const cv = -3.3;
    const { u, v } = fill(lons, lats, times, () => [cu, cv]);
    const grid = createVectorSampler(lonLatGridField({ lonDeg: lons, latDeg: lats, timesSec: times, uMps: u, vMps: v }));
    const cons = constantSampler(cu, cv);
    const n = 5000;
    const lon = new Float64Array(n);
    const lat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lon[i] = -10 + 10 * ((i * 0.618034) % 1);
      lat[i] = 50 + 6 * ((i * 0.414214) % 1);
    }
    const gu = new Float32Array(n), gv = new Float32Array(n), ku = new Float32Array(n), kv = new Float32Array(n);
    for (const t of [0, 1234.5, H, 2.5 * H, 3 * H]) {
      grid.sample(lon, lat, 0, n, t, gu, gv);
      cons.sample(lon, lat, 0, n, t, ku, kv);
      expect(Buffer.from(gu.buffer).equals(Buffer.from(ku.buffer))).toBe(true);
      expect(Buffer.from(gv.buffer).equals(Buffer.from(kv.buffer))).toBe(true);
    }
  });

  it('is exact for a field linear in lon, lat and time (bilinear + linear reproduce linear fields)', () => {
    const lons = axis(0, 0.5, 21);
    const lats = axis(40, 0.5, 11);
    const times = [0, 6 * H, 12 * H];
    const f = (lo: number, la: number, t: number): [number, number] => [lo * 0.1 + t / H / 10, la * 0.05 - lo * 0.02];
    const { u, v } = fill(lons, lats, times, f);
    const field = lonLatGridField({ lonDeg: lons, latDeg: lats, timesSec: times, uMps: u, vMps: v });
    const pts: Array<[number, number]> = [[0.3, 40.1], [9.99, 44.9], [5.123, 42.777], [10, 45], [0, 40]];
    const t = 7.5 * H;
    const got = sampleAt(field, pts, t);
    pts.forEach(([lo, la], i) => {
      const [eu, ev] = f(lo, la, t);
      // float32 storage and output: 1e-6 m/s is a few float32 ulps at these magnitudes.
      expect(got.u[i]).toBeCloseTo(eu, 5);
      expect(got.v[i]).toBeCloseTo(ev, 5);
    });
  });

  it('returns NaN outside the grid and for unreleased (NaN) positions', () => {
    const lons = axis(0, 1, 5);
    const lats = axis(0, 1, 5);
    const { u, v } = fill(lons, lats, [0], () => [1, 2]);
    const field = lonLatGridField({ lonDeg: lons, latDeg: lats, timesSec: [0], uMps: u, vMps: v });
    const got = sampleAt(field, [[-0.01, 2], [4.01, 2], [2, -0.01], [2, 4.01], [NaN, NaN], [2, 2], [4, 4]], 0);
    expect(Array.from(got.u.slice(0, 5)).every(Number.isNaN)).toBe(true);
    expect(Array.from(got.v.slice(0, 5)).every(Number.isNaN)).toBe(true);
    expect([got.u[5], got.v[5], got.u[6], got.v[6]]).toEqual([1, 2, 1, 2]);
  });

  it('descending latitude and a 0..360 grid sample like their -180..180 ascending twin', () => {
    const f = (lo: number, la: number): [number, number] => [Math.sin((lo * Math.PI) / 30) + la / 100, Math.cos((la * Math.PI) / 20)];
    // Twin A: lon -20..20 ascending, lat ascending. Twin B: lon 340..380 (i.e. wrapped), lat descending.
    const lonsA = axis(-20, 0.5, 81);
    const latsA = axis(30, 0.5, 21);
    const a = fill(lonsA, latsA, [0], f);
    const lonsB = axis(340, 0.5, 81);
    const latsB = axis(40, -0.5, 21);
    const b = fill(lonsB, latsB, [0], (lo, la) => f(lo - 360, la));
    const A = lonLatGridField({ lonDeg: lonsA, latDeg: latsA, timesSec: [0], uMps: a.u, vMps: a.v });
    const B = lonLatGridField({ lonDeg: lonsB, latDeg: latsB, timesSec: [0], uMps: b.u, vMps: b.v });
    const pts: Array<[number, number]> = [[-19.7, 30.2], [-0.3, 35.55], [0.3, 35.55], [12.34, 39.9], [19.99, 31]];
    const ga = sampleAt(A, pts, 0);
    const gb = sampleAt(B, pts, 0);
    // Same points, same weights up to the rounding of (lon - lon0)/dLon: 1e-6 m/s.
    for (let i = 0; i < pts.length; i++) {
      expect(Number.isNaN(ga.u[i])).toBe(false);
      expect(Math.abs(at(ga.u, i) - at(gb.u, i))).toBeLessThan(1e-6);
      expect(Math.abs(at(ga.v, i) - at(gb.v, i))).toBeLessThan(1e-6);
    }
  });

  it('a global 0..359 grid interpolates across the seam between the last and first column', () => {
    const lons = axis(0, 1, 360);
    const lats = axis(-10, 1, 21);
    const { u, v } = fill(lons, lats, [0], (lo) => [lo === 0 ? 10 : lo === 359 ? 20 : 0, 0]);
    const field = lonLatGridField({ lonDeg: lons, latDeg: lats, timesSec: [0], uMps: u, vMps: v });
    expect((field.grid as LonLatGridData).periodic).toBe(true);
    expect(gridBounds(field.grid as LonLatGridData).eastDeg).toBe(360);
    const got = sampleAt(field, [[-0.5, 0], [179.99, 0]], 0);
    expect(got.u[0]).toBeCloseTo(15, 5); // halfway between 359° (20) and 0° (10)
    expect(got.u[1]).toBe(0);
  });

  it('interpolates linearly in time between records, forward and backward', () => {
    const lons = [0, 1];
    const lats = [0, 1];
    const times = [0, H, 2 * H, 3 * H];
    const { u, v } = fill(lons, lats, times, (_lo, _la, t) => [t / H, -t / H]);
    const field = lonLatGridField({ lonDeg: lons, latDeg: lats, timesSec: times, uMps: u, vMps: v });
    const s = createVectorSampler(field);
    const lon = Float64Array.of(0.5);
    const lat = Float64Array.of(0.5);
    const ou = new Float32Array(1), ov = new Float32Array(1);
    for (const t of [0, 0.25 * H, 2.75 * H, 3 * H, 1.5 * H, 0.1 * H, 4 * H, -H]) {
      s.sample(lon, lat, 0, 1, t, ou, ov);
      const expected = Math.min(3, Math.max(0, t / H)); // held at the ends
      expect(ou[0]).toBeCloseTo(expected, 6);
      expect(ov[0]).toBeCloseTo(-expected, 6);
    }
    expect(timeInterval(Float64Array.from(times), 2.5 * H, 0)).toBe(2);
    expect(timeInterval(Float64Array.from(times), 0.5 * H, 3)).toBe(0);
  });

  it('shares the data through SharedArrayBuffers', () => {
    const { u, v } = fill([0, 1], [0, 1], [0], () => [1, 1]);
    const g = lonLatGridField({ lonDeg: [0, 1], latDeg: [0, 1], timesSec: [0], uMps: u, vMps: v }).grid;
    expect(g.uMps.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(g.vMps.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(g.timesSec.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('refuses an unevenly spaced axis', () => {
    const { u, v } = fill([0, 1, 3], [0, 1], [0], () => [1, 1]);
    expect(() => lonLatGridField({ lonDeg: [0, 1, 3], latDeg: [0, 1], timesSec: [0], uMps: u, vMps: v })).toThrow(/longitude axis is not evenly spaced/);
  });
});
