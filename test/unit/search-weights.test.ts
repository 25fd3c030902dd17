/**
 * Particle weights: normalisation errors name the field; scenario splitting keeps each scenario's
 * weight exactly (70/30 at t = 0 on a real model run); drifting particles exclude stranded/outside.
 */
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { STATUS } from '../../src/model/types.js';
import { driftingAt, equalWeights, normaliseWeights, splitScenarioParticles, splitWeights } from '../../src/search/weights.js';
import { handTrajectory, modelRun } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

describe('normaliseWeights', () => {
  it('divides by the sum', () => {
    expect(Array.from(normaliseWeights([1, 3]))).toEqual([0.25, 0.75]);
  });
  it.each([
    [[1, -1], 'params.scenarios[1]: weight must be a finite number >= 0, got -1'],
    [[1, NaN], 'params.scenarios[1]: weight must be a finite number >= 0, got NaN'],
    [[0, 0], 'params.scenarios: weights must sum to a positive finite number, got 0'],
  ])('%j → %s', (w, message) => {
    const e = (() => {
      try {
        normaliseWeights(w, 'params.scenarios');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(DriftlineError);
    expect((e as DriftlineError).code).toBe('E_JOB_INVALID');
    expect((e as DriftlineError).message).toBe(message);
  });
});

describe('splitScenarioParticles', () => {
  it('70/30 of 1000: 700 and 300 particles of 0.001 each', () => {
    const s = splitScenarioParticles([0.7, 0.3], 1000);
    expect(s.counts).toEqual([700, 300]);
    expect(s.first).toEqual([0, 700]);
    expect(s.particleWeight[0]).toBeCloseTo(0.001, 15);
  });
  it('keeps at least 1 particle per scenario and each scenario its exact weight', () => {
    // Expected counts worked by hand: 1 each, then the remaining n − k by largest remainder of n·w − 1.
    for (const [w, n, expected] of [
      [[0.999, 0.0005, 0.0005], 10, [8, 1, 1]],
      [[1, 1, 1], 7, [3, 2, 2]],
      [[5, 3, 2], 11, [6, 3, 2]],
      [[0.7, 0.3], 3, [2, 1]],
    ] as [number[], number, number[]][]) {
      const s = splitScenarioParticles(w, n);
      expect(s.counts).toEqual(expected);
      expect(s.counts.reduce((a, b) => a + b, 0)).toBe(n);
      const sum = w.reduce((a, b) => a + b, 0);
      s.counts.forEach((c, k) => {
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c * at(s.particleWeight, k)).toBeCloseTo(at(w, k) / sum, 14);
      });
    }
  });
  it('needs a particle per scenario', () => {
    expect(() => splitScenarioParticles([1, 1, 1], 2)).toThrow('params.scenarios: 3 scenarios need at least 3 particles, got 2');
  });
  it('a 70/30 mix has 70/30 drifting mass at t = 0 of a real run (1000 particles)', () => {
    const run = modelRun('a_wind10E_piw1_dt3600', { numParticles: 1000, seed: 3, durationSec: 3 * 3600 });
    const w = splitWeights(splitScenarioParticles([0.7, 0.3], 1000));
    const d = driftingAt(run, w, 0);
    let first = 0;
    let second = 0;
    d.index.forEach((p, k) => (p < 700 ? (first += at(d.weight, k)) : (second += at(d.weight, k))));
    expect(first).toBeCloseTo(0.7, 12);
    expect(second).toBeCloseTo(0.3, 12);
    expect(d.driftingMass).toBeCloseTo(1, 12);
  });
});

describe('driftingAt', () => {
  it('takes active particles only and reports stranded, outside and unreleased mass apart', () => {
    const tr = handTrajectory(
      [0, 3600],
      [
        { lon: [4, 4.1], lat: [60, 60.1], status: [STATUS.ACTIVE, STATUS.ACTIVE] },
        { lon: [4, 4.2], lat: [60, 60.2], status: [STATUS.ACTIVE, STATUS.STRANDED] },
        { lon: [4, 4.3], lat: [60, 60.3], status: [STATUS.ACTIVE, STATUS.OUTSIDE] },
        { lon: [NaN, 4.4], lat: [NaN, 60.4], status: [STATUS.NOT_RELEASED, STATUS.ACTIVE] },
      ],
    );
    const w = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const d = driftingAt(tr, w, 1);
    expect(Array.from(d.index)).toEqual([0, 3]);
    expect(d.lonDeg[1]).toBeCloseTo(4.4, 5);
    expect(d.driftingMass).toBeCloseTo(0.5, 15);
    expect(d.strandedMass).toBeCloseTo(0.2, 15);
    expect(d.outsideMass).toBeCloseTo(0.3, 15);
    const d0 = driftingAt(tr, w, 0);
    expect(d0.notReleasedMass).toBeCloseTo(0.4, 15);
    expect(d0.driftingMass).toBeCloseTo(0.6, 15);
    expect(equalWeights(4)[2]).toBe(0.25);
  });
});
