/**
 * Descriptor -> sampler, inside a simulation thread. Pure: no I/O.
 *
 * The gridded sampler is the hot path (called once per step per particle range). It reproduces
 * OpenDrift's defaults for structured readers: bilinear interpolation in grid-index space
 * (`linearNDFast` = scipy map_coordinates order 1) at the two reader times that enclose the step time,
 * then linear in time. Per call it computes the time weights once; per particle it does 2 compares,
 * 2 floors and 16 loads, and allocates nothing.
 */
import type { VectorSampler } from '../model/types.js';
import type { LonLatGridData, VectorFieldDescriptor } from './types.js';

export function createVectorSampler(desc: VectorFieldDescriptor): VectorSampler {
  switch (desc.kind) {
    case 'constant':
      return constantSampler(desc.uMps, desc.vMps);
    case 'grid':
      return gridSampler(desc.grid);
  }
}

/** OpenDrift's environment is a float32 recarray, so constants are rounded to float32 too. */
export function constantSampler(uMps: number, vMps: number): VectorSampler {
  const u = Math.fround(uMps);
  const v = Math.fround(vMps);
  return {
    sample(_lon, _lat, i0, i1, _t, outU, outV) {
      outU.fill(u, i0, i1);
      outV.fill(v, i0, i1);
    },
  };
}

/**
 * Index k of the time interval [t_k, t_k+1] holding `timeSec`, searched from `hint` (steps move
 * monotonically through time, forward or backward, so this is O(1) per call). Clamped to the ends:
 * the loader has already refused missions the forcing does not cover, so clamping only absorbs rounding.
 */
export function timeInterval(timesSec: Float64Array, timeSec: number, hint: number): number {
  const last = timesSec.length - 2;
  if (last < 0 || !(timeSec > timesSec[0]!)) return 0;
  if (timeSec >= timesSec[last + 1]!) return last;
  let k = hint >= 0 && hint <= last ? hint : 0;
  while (timeSec < timesSec[k]!) k--;
  while (timeSec >= timesSec[k + 1]!) k++;
  return k;
}

/** Weight of t_k+1 at `timeSec` in interval k, in [0, 1] (held at the ends). */
export function timeWeight(timesSec: Float64Array, timeSec: number, k: number): number {
  if (timesSec.length === 1) return 0;
  const w = (timeSec - timesSec[k]!) / (timesSec[k + 1]! - timesSec[k]!);
  return w < 0 ? 0 : w > 1 ? 1 : w;
}

function gridSampler(g: LonLatGridData): VectorSampler {
  const nx = g.nx;
  const xMax = g.nx - 1;
  const yMax = g.ny - 1;
  const plane = g.nx * g.ny;
  const lon0 = g.lon0Deg;
  const lat0 = g.lat0Deg;
  const invDLon = 1 / g.dLonDeg;
  const invDLat = 1 / g.dLatDeg;
  const U = g.uMps;
  const V = g.vMps;
  const times = g.timesSec;
  const single = g.nt === 1;
  let lastK = 0;

  return {
    sample(lonDeg, latDeg, i0, i1, timeSec, outU, outV) {
      const k = timeInterval(times, timeSec, lastK);
      lastK = k;
      const wt = timeWeight(times, timeSec, k);
      const a = k * plane;
      const b = single ? a : a + plane;
      for (let p = i0; p < i1; p++) {
        let dLon = lonDeg[p]! - lon0;
        if (dLon < 0 || dLon >= 360) dLon -= 360 * Math.floor(dLon / 360);
        const fx = dLon * invDLon;
        const fy = (latDeg[p]! - lat0) * invDLat;
        // Written so that NaN positions (not yet released) fail too.
        if (!(fx <= xMax && fy >= 0 && fy <= yMax)) {
          outU[p] = NaN;
          outV[p] = NaN;
          continue;
        }
        let ix = Math.floor(fx);
        if (ix >= xMax) ix = xMax - 1;
        let iy = Math.floor(fy);
        if (iy >= yMax) iy = yMax - 1;
        const wx = fx - ix;
        const wy = fy - iy;
        const c = iy * nx + ix;
        // a + w·(b − a): exact when the corners are equal, so a constant grid gives exactly the constant.
        let s0 = U[a + c]!;
        let s1 = U[a + c + nx]!;
        const ua0 = s0 + wx * (U[a + c + 1]! - s0);
        const ua1 = s1 + wx * (U[a + c + nx + 1]! - s1);
        const ua = ua0 + wy * (ua1 - ua0);
        s0 = U[b + c]!;
        s1 = U[b + c + nx]!;
        const ub0 = s0 + wx * (U[b + c + 1]! - s0);
        const ub1 = s1 + wx * (U[b + c + nx + 1]! - s1);
        const ub = ub0 + wy * (ub1 - ub0);
        s0 = V[a + c]!;
        s1 = V[a + c + nx]!;
        const va0 = s0 + wx * (V[a + c + 1]! - s0);
        const va1 = s1 + wx * (V[a + c + nx + 1]! - s1);
        const va = va0 + wy * (va1 - va0);
        s0 = V[b + c]!;
        s1 = V[b + c + nx]!;
        const vb0 = s0 + wx * (V[b + c + 1]! - s0);
        const vb1 = s1 + wx * (V[b + c + nx + 1]! - s1);
        const vb = vb0 + wy * (vb1 - vb0);
        outU[p] = ua + wt * (ub - ua);
        outV[p] = va + wt * (vb - va);
      }
    },
  };
}
