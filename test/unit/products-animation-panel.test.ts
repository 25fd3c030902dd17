/**
 * What the sidebar panel states per frame: the capsized count (issue 10: capsized per record) and the
 * wind of the arrow (mean over the drifting particles, or the job's constant wind).
 */
import { describe, expect, it } from 'vitest';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { animationView, frameWind } from '../../src/products/animation/index.js';
import { FrameCompositor } from '../../src/products/animation/frame.js';
import { densityLut, layoutFor } from '../../src/products/animation/style.js';
import { seededContext, syntheticContext, syntheticResult } from './products.fixtures.js';

describe('FrameCompositor counts', () => {
  it('counts the capsized particles of each record, released ones only', () => {
    // syntheticResult: every 5th particle capsizes a third of the way through the run; 3 release steps.
    const result = syntheticResult({ nParticles: 500, nTimes: 12, releaseSteps: 3 });
    const ctx = syntheticContext();
    const L = layoutFor(1280, 720);
    const grid = buildDensityGrid(result, 1000);
    const view = animationView(result, ctx, 1280, 720, grid);
    const f = new FrameCompositor({
      L,
      view,
      base: new Uint8Array(1280 * 720 * 4),
      overlay: { index: new Uint32Array(0), rgba: new Uint8Array(0) },
      result,
      grid,
      lut: densityLut(),
      maxCellCount: 10,
      activeStride: 1,
    });
    const out = new Uint8Array(1280 * 720 * 4);
    let sawSome = false;
    for (let t = 0; t < result.nTimes; t++) {
      let expected = 0;
      for (let p = 0; p < result.nParticles; p++) {
        const i = p * result.nTimes + t;
        if (result.latDeg[i] === result.latDeg[i] && result.capsized[i] === 1) expected++;
      }
      const stats = f.render(t, out);
      expect(stats.capsized, `record ${t}`).toBe(expected);
      if (expected > 0) sawSome = true;
      expect(stats.active + stats.stranded + stats.outside + stats.notReleased).toBe(result.nParticles);
    }
    expect(sawSome).toBe(true);
  });
});

function oneRecord(winds: [number, number][], status: number[]): TrajectoryResult {
  const n = winds.length;
  const z = () => new Float32Array(n);
  return {
    nParticles: n,
    nTimes: 1,
    timesSec: Float64Array.of(0),
    lonDeg: new Float32Array(n).fill(4),
    latDeg: new Float32Array(n).fill(60),
    status: Uint8Array.from(status),
    orientation: new Uint8Array(n),
    capsized: new Uint8Array(n),
    env: { windUMps: Float32Array.from(winds.map((w) => w[0])), windVMps: Float32Array.from(winds.map((w) => w[1])), currentUMps: z(), currentVMps: z() },
    coefficients: {
      dwSlopePct: z(),
      dwOffsetCmps: z(),
      dwEpsCmps: z(),
      cwSlopePct: z(),
      cwOffsetCmps: z(),
      cwEpsCmps: z(),
      orientation: new Uint8Array(n),
      capsized: new Uint8Array(n),
      releaseTimeSec: new Float64Array(n),
      seedLonDeg: new Float64Array(n),
      seedLatDeg: new Float64Array(n),
    },
    particleSteps: 0,
  };
}

describe('frameWind', () => {
  const ctx = seededContext({ lonDeg: 4, latDeg: 60 });

  it('is the mean wind of the drifting particles (stranded and outside ones left out), m/s', () => {
    const r = oneRecord(
      [
        [10, 0],
        [0, 10],
        [100, 100],
        [-50, 0],
      ],
      [STATUS.ACTIVE, STATUS.ACTIVE, STATUS.STRANDED, STATUS.OUTSIDE],
    );
    expect(frameWind(r, ctx, 0)).toEqual({ uMps: 5, vMps: 5, source: 'mean at particles' });
  });

  it('falls back to the job’s constant wind without recorded environment, and to none', () => {
    const r = { ...oneRecord([[1, 1]], [STATUS.ACTIVE]), env: undefined };
    const withConstant = { ...ctx, constantWindMps: [8, 3] as const };
    expect(frameWind(r, withConstant, 0)).toEqual({ uMps: 8, vMps: 3, source: 'constant' });
    const { constantWindMps: _none, ...noConstant } = withConstant;
    expect(frameWind(r, noConstant, 0)).toBeNull();
  });
});
