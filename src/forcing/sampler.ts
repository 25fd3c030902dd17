/**
 * Descriptor -> sampler, inside a simulation thread. Pure: no I/O.
 *
 * The gridded sampler is the hot path (called once per step per particle range). It reproduces
 * OpenDrift's defaults for structured readers: bilinear interpolation in grid-index space
 * (`linearNDFast` = scipy map_coordinates order 1) at the two reader times that enclose the step time,
 * then linear in time. Per call it computes the time weights once; per particle it does 2 compares,
 * 2 floors and 16 loads, and allocates nothing.
 *
 * Projected grids are sampled in their own index space too: a precomputed lon/lat lattice gives the
 * particle's fractional grid index (fx, fy) and the grid's rotation α (bilinear in the lattice, 4 × 4
 * loads), then u/v are interpolated bilinearly at (fx, fy) as above and rotated with OpenDrift's
 * rotate_vectors formula. The lattice's own interpolation error is checked when it is built (read.ts)
 * and is far below a metre of position.
 */
import type { VectorSampler } from '../model/types.js';
import type { LonLatGridData, ProjectedGridData, VectorFieldDescriptor } from './types.js';

export function createVectorSampler(desc: VectorFieldDescriptor): VectorSampler {
  switch (desc.kind) {
    case 'constant':
      return constantSampler(desc.uMps, desc.vMps);
    case 'grid':
      return desc.grid.layout === 'lonlat' ? gridSampler(desc.grid) : projectedSampler(desc.grid);
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

/**
 * Sampler of a projected grid. Per particle: lattice look-up of (fx, fy, cos α, sin α), range check in
 * the source grid, the same bilinear/time interpolation as gridSampler, then
 * u_e = u cos α + v sin α, v_n = −u sin α + v cos α (OpenDrift's rotate_vectors). cos/sin are
 * renormalised after interpolation so a rotation never changes a speed.
 */
function projectedSampler(g: ProjectedGridData): VectorSampler {
  const L = g.lookup;
  const nLon = L.nLon;
  const lonMax = L.nLon - 1;
  const latMax = L.nLat - 1;
  const lon0 = L.lon0Deg;
  const lat0 = L.lat0Deg;
  const invDLon = 1 / L.dLonDeg;
  const invDLat = 1 / L.dLatDeg;
  const FX = L.fx;
  const FY = L.fy;
  const CA = L.cosAlpha;
  const SA = L.sinAlpha;
  const rotate = g.rotate;
  const nx = g.nx;
  const xMax = g.nx - 1;
  const yMax = g.ny - 1;
  const plane = g.nx * g.ny;
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
        const gx = dLon * invDLon;
        const gy = (latDeg[p]! - lat0) * invDLat;
        let fx = NaN;
        let fy = NaN;
        let li = 0;
        let lwx = 0;
        let lwy = 0;
        if (gx <= lonMax && gy >= 0 && gy <= latMax) {
          let i = Math.floor(gx);
          if (i >= lonMax) i = lonMax - 1;
          let j = Math.floor(gy);
          if (j >= latMax) j = latMax - 1;
          lwx = gx - i;
          lwy = gy - j;
          li = j * nLon + i;
          const x0 = FX[li]! + lwx * (FX[li + 1]! - FX[li]!);
          const x1 = FX[li + nLon]! + lwx * (FX[li + nLon + 1]! - FX[li + nLon]!);
          fx = x0 + lwy * (x1 - x0);
          const y0 = FY[li]! + lwx * (FY[li + 1]! - FY[li]!);
          const y1 = FY[li + nLon]! + lwx * (FY[li + nLon + 1]! - FY[li + nLon]!);
          fy = y0 + lwy * (y1 - y0);
        }
        // NaN fx/fy (outside the lattice, undefined projection, unreleased particle) fail here too.
        if (!(fx >= 0 && fx <= xMax && fy >= 0 && fy <= yMax)) {
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
        const gu = ua + wt * (ub - ua);
        const gv = va + wt * (vb - va);
        if (!rotate) {
          outU[p] = gu;
          outV[p] = gv;
          continue;
        }
        const c0 = CA[li]! + lwx * (CA[li + 1]! - CA[li]!);
        const c1 = CA[li + nLon]! + lwx * (CA[li + nLon + 1]! - CA[li + nLon]!);
        let ca = c0 + lwy * (c1 - c0);
        const t0 = SA[li]! + lwx * (SA[li + 1]! - SA[li]!);
        const t1 = SA[li + nLon]! + lwx * (SA[li + nLon + 1]! - SA[li + nLon]!);
        let sa = t0 + lwy * (t1 - t0);
        const inv = 1 / Math.sqrt(ca * ca + sa * sa);
        ca *= inv;
        sa *= inv;
        outU[p] = gu * ca + gv * sa;
        outV[p] = -gu * sa + gv * ca;
      }
    },
  };
}

/** The fractional source-grid index and cos/sin α of one position, from the lattice (NaN outside it). */
export function lookupGridIndex(g: ProjectedGridData, lonDeg: number, latDeg: number): { fx: number; fy: number; cosAlpha: number; sinAlpha: number } {
  const L = g.lookup;
  let dLon = lonDeg - L.lon0Deg;
  dLon -= 360 * Math.floor(dLon / 360);
  const gx = dLon / L.dLonDeg;
  const gy = (latDeg - L.lat0Deg) / L.dLatDeg;
  if (!(gx <= L.nLon - 1 && gy >= 0 && gy <= L.nLat - 1)) return { fx: NaN, fy: NaN, cosAlpha: NaN, sinAlpha: NaN };
  const i = Math.min(Math.floor(gx), L.nLon - 2);
  const j = Math.min(Math.floor(gy), L.nLat - 2);
  const wx = gx - i;
  const wy = gy - j;
  const c = j * L.nLon + i;
  const bil = (A: Float32Array) => (1 - wy) * ((1 - wx) * A[c]! + wx * A[c + 1]!) + wy * ((1 - wx) * A[c + L.nLon]! + wx * A[c + L.nLon + 1]!);
  return { fx: bil(L.fx), fy: bil(L.fy), cosAlpha: bil(L.cosAlpha), sinAlpha: bil(L.sinAlpha) };
}
