import { describe, expect, it } from 'vitest';
import { densityTicks } from '../../src/products/animation/base.js';
import { elapsedLabel } from '../../src/products/animation/panel.js';
import { layoutFor } from '../../src/products/animation/style.js';
import { fitView, formatTick, niceLength, ticks, xOf, yOf } from '../../src/products/animation/view.js';
import { M_PER_DEG_LAT } from '../../src/model/geo.js';

describe('map view', () => {
  const box = layoutFor(1280, 720).map;

  it('has the same pixels per km east-west and north-south at the mid-latitude, filling the box', () => {
    const v = fitView({ refLonDeg: 4.5, minLonDeg: 4.4, maxLonDeg: 5.2, minLatDeg: 60.1, maxLatDeg: 60.4 }, box);
    const midLat = (60.1 + 60.4) / 2;
    const kmPerDegLon = (M_PER_DEG_LAT / 1000) * Math.cos((midLat * Math.PI) / 180);
    // Relative 1e-9: only rounding.
    expect(v.pxPerDegLon / kmPerDegLon / v.pxPerKm).toBeCloseTo(1, 9);
    expect(xOf(v, v.westDeg)).toBeCloseTo(box.x, 6);
    expect(xOf(v, v.eastDeg)).toBeCloseTo(box.x + box.w, 6);
    expect(yOf(v, v.northDeg)).toBeCloseTo(box.y, 6);
    expect(yOf(v, v.southDeg)).toBeCloseTo(box.y + box.h, 6);
    // The cloud plus its 8 % margins is inside.
    expect(v.westDeg).toBeLessThan(4.4);
    expect(v.eastDeg).toBeGreaterThan(5.2);
    expect(v.southDeg).toBeLessThan(60.1);
    expect(v.northDeg).toBeGreaterThan(60.4);
  });

  it('draws a cloud across the antimeridian in one piece', () => {
    const v = fitView({ refLonDeg: 179.9, minLonDeg: 179.8, maxLonDeg: 180.3, minLatDeg: -17.3, maxLatDeg: -17.0 }, box);
    // 179.9°E and 179.8°W (= 180.2° unwrapped) are 0.3° apart on screen, not 359.7°.
    const dx = xOf(v, -179.8) - xOf(v, 179.9);
    expect(dx).toBeGreaterThan(0);
    expect(dx).toBeCloseTo(0.3 * v.pxPerDegLon, 6);
  });

  it('never zooms a stationary cloud below 4 km across', () => {
    const v = fitView({ refLonDeg: 0, minLonDeg: 0, maxLonDeg: 0, minLatDeg: 0, maxLatDeg: 0 }, box);
    expect(Math.min(box.w, box.h) / v.pxPerKm).toBeGreaterThanOrEqual(4 - 1e-9);
  });
});

describe('ticks and labels', () => {
  it('labels in degrees and minutes with hemisphere', () => {
    expect(formatTick(60.25, 'lat', 5 / 60)).toBe('60°15′N');
    expect(formatTick(-33.5, 'lat', 10 / 60)).toBe('33°30′S');
    expect(formatTick(4 + 30.5 / 60, 'lon', 0.5 / 60)).toBe('4°30.5′E');
    expect(formatTick(-70, 'lon', 1)).toBe('70°W');
    expect(formatTick(180, 'lon', 10 / 60)).toBe('180°00′');
    expect(formatTick(181, 'lon', 1)).toBe('179°W');
    expect(formatTick(0, 'lat', 1)).toBe('0°');
  });

  it('picks minute-friendly steps with at most the asked number of ticks', () => {
    const t = ticks(60.0, 60.5, 7);
    expect(t.stepDeg).toBeCloseTo(5 / 60, 12);
    expect(t.values).toHaveLength(7);
    expect(t.values[0]).toBeCloseTo(60.0, 12);
    expect(ticks(-10, 50, 8).stepDeg).toBe(10);
  });

  it('scale bar lengths are 1, 2 or 5 × 10^k', () => {
    expect(niceLength(37)).toBe(20);
    expect(niceLength(9.9)).toBe(5);
    expect(niceLength(0.3)).toBeCloseTo(0.2, 12);
    expect(niceLength(100)).toBe(100);
  });

  it('time since start and log colour-bar ticks', () => {
    expect(elapsedLabel(12 * 3600)).toBe('T+12 h');
    expect(elapsedLabel(5400)).toBe('T+1 h 30 min');
    expect(elapsedLabel(-6 * 3600)).toBe('T−6 h');
    expect(densityTicks(504).map((t) => t.value)).toEqual([1, 10, 100, 504]);
    expect(densityTicks(1000).map((t) => t.value)).toEqual([1, 10, 100, 1000]);
  });
});
