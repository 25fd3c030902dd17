/**
 * Descriptor -> sampler, inside a simulation thread. Pure: no I/O.
 *
 * The gridded sampler is the hot path (called once per step per particle range). It reproduces
 * OpenDrift's defaults for structured readers: bilinear interpolation in grid-index space
 * (`linearNDFast` = scipy map_coordinates order 1) at the two reader times that enclose the step time,
 * then linear in time. Per call it computes the time weights once; per particle it does 3 compares,
 * 2 truncations, 16 loads and 20 multiply-adds, and allocates nothing (9 ns per particle-step here,
 * bench/forcing.bench.mjs).
 *
 * Projected grids are sampled in their own index space too: a precomputed lon/lat lattice gives the
 * particle's fractional grid index (fx, fy) and the grid's rotation α (bilinear in the lattice, 4 × 4
 * loads), then u/v are interpolated bilinearly at (fx, fy) as above and rotated with OpenDrift's
 * rotate_vectors formula. The lattice's own interpolation error is checked when it is built (read.ts)
 * and is far below a metre of position.
 *
 * Tried for issue 4 and dropped (2026-11-25, 2-core VM, ±3 % noise; none gives the 5 % asked for):
 * whole-run bench 100k × 48 h on 2 threads, constant 1009 ms, gridded 1385 ms (65 ms loading). Threads
 * run a 4096-particle block through all steps, wind then current. In that pattern (one thread, both
 * fields + a trivial move, baseline 23.3–24.2 ns/particle-step) the cache plays no part (same time with
 * particles at one point or over 6°). The micro-bench above (8.6 ns/field vs ~11 ns in the run) has one
 * sampler closure, whose captured values TurboFan folds as constants; a thread has two, so each captured
 * number is re-checked and unboxed at every use in the loop and each typed array map-checked every
 * iteration. Layouts: [u,v] per time plane 25.4 ns, same in float64 24.8, per cell
 * [u(t),v(t),u(t+1),v(t+1)] 26.8, float64 grid 23.55. Code: locals 23.6, kernel with arguments 24.3, two
 * passes 24.5, unroll ×2 33.7; constants read from a Float64Array/Int32Array before the loop 22.3, plus
 * touching each array's length first 20.9: `sample` self time −15 %, but the whole run only −3.5 %
 * (gridded/constant 1.39 → 1.34 in two A/B rounds), so not kept. Pre-blending the time planes changes
 * the rounding (Σw·(wa·U0 + wt·U1) ≠ wa·Σw·U0 + wt·Σw·U1). More needs code without per-access checks.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import type { EnsembleOrder, VectorSampler } from '../model/types.js';
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
 * The member plane offset of each particle of one sample() call over an ensemble field (OpenDrift:
 * member = position in the reader's element array mod M). Without an order (a caller that knows nothing
 * of ensembles) particle p reads member p mod M. Particles are visited in increasing p, which the
 * samplers do, so the count of uncovered active particles before p is known when p is reached.
 */
function memberSplit(order: EnsembleOrder | null | undefined, members: number, plane: number): { offset(p: number): number; uncovered(p: number): void } {
  if (!order) return { offset: (p) => (p % members) * plane, uncovered: () => undefined };
  const rank = order.rank;
  let skipped = 0;
  return {
    offset(p) {
      const r = rank[p] ?? NaN;
      return r < 0 ? 0 : ((r - skipped) % members) * plane;
    },
    uncovered(p) {
      if (order.skipUncovered && (rank[p] ?? NaN) >= 0) skipped++;
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
  if (last < 0 || !(timeSec > (timesSec[0] ?? NaN))) return 0;
  if (timeSec >= (timesSec[last + 1] ?? NaN)) return last;
  let k = hint >= 0 && hint <= last ? hint : 0;
  while (timeSec < (timesSec[k] ?? NaN)) k--;
  while (timeSec >= (timesSec[k + 1] ?? NaN)) k++;
  return k;
}

/** Weight of t_k+1 at `timeSec` in interval k, in [0, 1] (held at the ends). */
export function timeWeight(timesSec: Float64Array, timeSec: number, k: number): number {
  if (timesSec.length === 1) return 0;
  const w = (timeSec - (timesSec[k] ?? NaN)) / ((timesSec[k + 1] ?? NaN) - (timesSec[k] ?? NaN));
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
  const members = g.members ?? 1;
  let lastK = 0;

  return {
    members,
    sample(lonDeg, latDeg, i0, i1, timeSec, outU, outV, order) {
      const k = timeInterval(times, timeSec, lastK);
      lastK = k;
      const wt = timeWeight(times, timeSec, k);
      const wa = 1 - wt;
      const a = k * members * plane;
      // Offset of the second record (none when the field has a single one).
      const dt = single ? 0 : members * plane;
      const split = members > 1 ? memberSplit(order, members, plane) : null;
      for (let p = i0; p < i1; p++) {
        let dLon = (lonDeg[p] ?? NaN) - lon0;
        if (dLon < 0 || dLon >= 360) dLon -= 360 * Math.floor(dLon / 360);
        const fx = dLon * invDLon;
        const fy = ((latDeg[p] ?? NaN) - lat0) * invDLat;
        // Written so that NaN positions (not yet released) fail too.
        if (!(fx <= xMax && fy >= 0 && fy <= yMax)) {
          outU[p] = NaN;
          outV[p] = NaN;
          split?.uncovered(p);
          continue;
        }
        // fx, fy >= 0 here, so truncation is floor.
        let ix = fx | 0;
        if (ix >= xMax) ix = xMax - 1;
        let iy = fy | 0;
        if (iy >= yMax) iy = yMax - 1;
        const wx = fx - ix;
        const wy = fy - iy;
        // Corner weights (sum 1 up to ~1e-16, so a constant field comes back exactly once rounded to
        // float32: the error is 1e-9 of a float32 ulp). This form is 20 % faster than nested lerps.
        const w11 = wx * wy;
        const w10 = wx - w11;
        const w01 = wy - w11;
        const w00 = 1 - wx - wy + w11;
        const c = a + iy * nx + ix + (split === null ? 0 : split.offset(p));
        const e = c + dt;
        const ua = w00 * (U[c] ?? NaN) + w10 * (U[c + 1] ?? NaN) + w01 * (U[c + nx] ?? NaN) + w11 * (U[c + nx + 1] ?? NaN);
        const ub = w00 * (U[e] ?? NaN) + w10 * (U[e + 1] ?? NaN) + w01 * (U[e + nx] ?? NaN) + w11 * (U[e + nx + 1] ?? NaN);
        const va = w00 * (V[c] ?? NaN) + w10 * (V[c + 1] ?? NaN) + w01 * (V[c + nx] ?? NaN) + w11 * (V[c + nx + 1] ?? NaN);
        const vb = w00 * (V[e] ?? NaN) + w10 * (V[e + 1] ?? NaN) + w01 * (V[e + nx] ?? NaN) + w11 * (V[e + nx + 1] ?? NaN);
        outU[p] = wa * ua + wt * ub;
        outV[p] = wa * va + wt * vb;
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
  const K = L.curvature;
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
  const members = g.members ?? 1;
  let lastK = 0;

  return {
    members,
    sample(lonDeg, latDeg, i0, i1, timeSec, outU, outV, order) {
      const k = timeInterval(times, timeSec, lastK);
      lastK = k;
      const wt = timeWeight(times, timeSec, k);
      const wa = 1 - wt;
      const a = k * members * plane;
      const dt = single ? 0 : members * plane;
      const split = members > 1 ? memberSplit(order, members, plane) : null;
      for (let p = i0; p < i1; p++) {
        let dLon = (lonDeg[p] ?? NaN) - lon0;
        if (dLon < 0 || dLon >= 360) dLon -= 360 * Math.floor(dLon / 360);
        const gx = dLon * invDLon;
        const gy = ((latDeg[p] ?? NaN) - lat0) * invDLat;
        // Written so that NaN positions (not yet released) fail too.
        if (!(gx <= lonMax && gy >= 0 && gy <= latMax)) {
          outU[p] = NaN;
          outV[p] = NaN;
          split?.uncovered(p);
          continue;
        }
        let i = gx | 0;
        if (i >= lonMax) i = lonMax - 1;
        let j = gy | 0;
        if (j >= latMax) j = latMax - 1;
        const lwx = gx - i;
        const lwy = gy - j;
        const l11 = lwx * lwy;
        const l10 = lwx - l11;
        const l01 = lwy - l11;
        const l00 = 1 - lwx - lwy + l11;
        const li = j * nLon + i;
        const lj = li + nLon;
        // Bilinear plus the curvature term bilinear misses (lookup.ts curvatureCorrection, inlined):
        // without it the grid index erred by up to 3.7e-4 cells (7 m) on Arctic20's 20 km grid.
        const kx = -0.5 * (lwx - lwx * lwx);
        const ky = -0.5 * (lwy - lwy * lwy);
        const k4 = 4 * li;
        const fx = l00 * (FX[li] ?? NaN) + l10 * (FX[li + 1] ?? NaN) + l01 * (FX[lj] ?? NaN) + l11 * (FX[lj + 1] ?? NaN) + kx * (K[k4] ?? NaN) + ky * (K[k4 + 1] ?? NaN);
        const fy = l00 * (FY[li] ?? NaN) + l10 * (FY[li + 1] ?? NaN) + l01 * (FY[lj] ?? NaN) + l11 * (FY[lj + 1] ?? NaN) + kx * (K[k4 + 2] ?? NaN) + ky * (K[k4 + 3] ?? NaN);
        // NaN fx/fy (projection undefined at a lattice node) fail here too.
        if (!(fx >= 0 && fx <= xMax && fy >= 0 && fy <= yMax)) {
          outU[p] = NaN;
          outV[p] = NaN;
          split?.uncovered(p);
          continue;
        }
        let ix = fx | 0;
        if (ix >= xMax) ix = xMax - 1;
        let iy = fy | 0;
        if (iy >= yMax) iy = yMax - 1;
        const wx = fx - ix;
        const wy = fy - iy;
        const w11 = wx * wy;
        const w10 = wx - w11;
        const w01 = wy - w11;
        const w00 = 1 - wx - wy + w11;
        const c = a + iy * nx + ix + (split === null ? 0 : split.offset(p));
        const e = c + dt;
        const ua = w00 * (U[c] ?? NaN) + w10 * (U[c + 1] ?? NaN) + w01 * (U[c + nx] ?? NaN) + w11 * (U[c + nx + 1] ?? NaN);
        const ub = w00 * (U[e] ?? NaN) + w10 * (U[e + 1] ?? NaN) + w01 * (U[e + nx] ?? NaN) + w11 * (U[e + nx + 1] ?? NaN);
        const va = w00 * (V[c] ?? NaN) + w10 * (V[c + 1] ?? NaN) + w01 * (V[c + nx] ?? NaN) + w11 * (V[c + nx + 1] ?? NaN);
        const vb = w00 * (V[e] ?? NaN) + w10 * (V[e + 1] ?? NaN) + w01 * (V[e + nx] ?? NaN) + w11 * (V[e + nx + 1] ?? NaN);
        const gu = wa * ua + wt * ub;
        const gv = wa * va + wt * vb;
        if (!rotate) {
          outU[p] = gu;
          outV[p] = gv;
          continue;
        }
        let ca = l00 * (CA[li] ?? NaN) + l10 * (CA[li + 1] ?? NaN) + l01 * (CA[lj] ?? NaN) + l11 * (CA[lj + 1] ?? NaN);
        let sa = l00 * (SA[li] ?? NaN) + l10 * (SA[li + 1] ?? NaN) + l01 * (SA[lj] ?? NaN) + l11 * (SA[lj + 1] ?? NaN);
        const inv = 1 / Math.sqrt(ca * ca + sa * sa);
        ca *= inv;
        sa *= inv;
        outU[p] = gu * ca + gv * sa;
        outV[p] = -gu * sa + gv * ca;
      }
    },
  };
}
