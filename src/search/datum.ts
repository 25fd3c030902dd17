/**
 * Datum and spread of weighted particles: the weighted centre, the principal axes of the weighted
 * covariance, the effective sample size, and the IAMSAR probable-error circle. Pure.
 *
 * Probable error circle: IAMSAR Manual Vol. II defines the probable error of a position as the radius
 * of the circle around it that holds the true position with 50 % probability. Over weighted particles
 * that is the weighted median of the distances to the datum (the radius holding 50 % of the weight).
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { wrapLonDeg } from '../model/geo.js';
import { cosLatitudes, localFrame, projectAll, toLonLat, type LocalFrame } from './frame.js';

/** Weighted particles in a local frame centred on their weighted centre (x̄ = ȳ = 0 up to rounding). */
export interface Cloud {
  frame: LocalFrame;
  xM: Float64Array;
  yM: Float64Array;
  /** Weights as given (Σ = totalWeight). */
  weight: Float64Array;
  totalWeight: number;
  /** Effective sample size 1 / Σ (w/W)² (Kish); n for equal weights. */
  nEff: number;
  /** Weighted covariance (population), m². */
  covXXM2: number;
  covXYM2: number;
  covYYM2: number;
  /** Major principal axis direction, radians counter-clockwise from east, in (−π/2, π/2]. */
  majorAxisRad: number;
  /** Standard deviations along the major and minor axes, metres. */
  sigmaMajorM: number;
  sigmaMinorM: number;
}

export interface Datum {
  lonDeg: number;
  latDeg: number;
  /** Major axis as a compass bearing, degrees clockwise from north in [0, 180). */
  majorAxisBearingDeg: number;
  sigmaMajorM: number;
  sigmaMinorM: number;
  /** Radius around the datum holding 50 % of the weight (IAMSAR probable error), metres. */
  probableErrorM: number;
  nEff: number;
  totalWeight: number;
}

/**
 * Each pass of weightedCloud is a function of its own: V8 compiles a long loop while it runs (on-stack
 * replacement), and one function of five loops was compiled before its later loops had run, then thrown
 * away for want of their type feedback (--trace-deopt: 9 deoptimisations of weightedCloud in a process's
 * first mission, the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs). The sums are the same, in the
 * same order.
 */
function weightSums(weight: ArrayLike<number>): [number, number] {
  let W = 0;
  let W2 = 0;
  for (let i = 0; i < weight.length; i++) {
    W += weight[i] ?? NaN;
    W2 += (weight[i] ?? NaN) * (weight[i] ?? NaN);
  }
  return [W, W2];
}

/** Σ w·Δlon (longitudes unwrapped about ref) and Σ w·lat. */
function degreeSums(lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, weight: ArrayLike<number>, ref: number): [number, number] {
  let sLon = 0;
  let sLat = 0;
  for (let i = 0; i < weight.length; i++) {
    let d = (lonDeg[i] ?? NaN) - ref;
    if (d >= 180) d -= 360;
    else if (d < -180) d += 360;
    sLon += (weight[i] ?? NaN) * d;
    sLat += (weight[i] ?? NaN) * (latDeg[i] ?? NaN);
  }
  return [sLon, sLat];
}

/** Σ w·x and Σ w·y. */
function metricSums(xM: Float64Array, yM: Float64Array, weight: ArrayLike<number>): [number, number] {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < xM.length; i++) {
    mx += (weight[i] ?? NaN) * (xM[i] ?? NaN);
    my += (weight[i] ?? NaN) * (yM[i] ?? NaN);
  }
  return [mx, my];
}

/** Σ w·dx², Σ w·dx·dy, Σ w·dy² about (mx, my). */
function momentSums(xM: Float64Array, yM: Float64Array, weight: ArrayLike<number>, mx: number, my: number): [number, number, number] {
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < xM.length; i++) {
    const dx = (xM[i] ?? NaN) - mx;
    const dy = (yM[i] ?? NaN) - my;
    const w = weight[i] ?? NaN;
    sxx += w * dx * dx;
    sxy += w * dx * dy;
    syy += w * dy * dy;
  }
  return [sxx, sxy, syy];
}

/** Weighted centre and covariance of positions (lon/lat degrees); null when no weight. */
export function weightedCloud(lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, weight: ArrayLike<number>): Cloud | null {
  const n = weight.length;
  const [W, W2] = weightSums(weight);
  if (!(W > 0) || n === 0) return null;
  // First pass: a provisional centre from lon/lat means (longitudes unwrapped about the first point).
  const ref = lonDeg[0] ?? NaN;
  const [sLon, sLat] = degreeSums(lonDeg, latDeg, weight, ref);
  let frame = localFrame(ref + sLon / W, sLat / W);
  const xM = new Float64Array(n);
  const yM = new Float64Array(n);
  const cosLat = cosLatitudes(latDeg);
  projectAll(frame, lonDeg, latDeg, xM, yM, cosLat);
  // Second pass: the metric centre (differs from the degree mean by the cos φ weighting), then recentre.
  const [sx, sy] = metricSums(xM, yM, weight);
  const [lon0, lat0] = toLonLat(frame, sx / W, sy / W);
  frame = localFrame(lon0, lat0);
  projectAll(frame, lonDeg, latDeg, xM, yM, cosLat);
  let [mx, my] = metricSums(xM, yM, weight);
  mx /= W;
  my /= W;
  let [sxx, sxy, syy] = momentSums(xM, yM, weight, mx, my);
  sxx /= W;
  sxy /= W;
  syy /= W;
  // Eigen-decomposition of the 2×2 symmetric covariance.
  const tr = sxx + syy;
  const disc = Math.sqrt(Math.max(0, ((sxx - syy) / 2) ** 2 + sxy * sxy));
  const l1 = tr / 2 + disc;
  const l2 = Math.max(0, tr / 2 - disc);
  let angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  if (angle <= -Math.PI / 2) angle += Math.PI;
  const weightCopy = Float64Array.from(weight);
  return {
    frame,
    xM,
    yM,
    weight: weightCopy,
    totalWeight: W,
    nEff: (W * W) / W2,
    covXXM2: sxx,
    covXYM2: sxy,
    covYYM2: syy,
    majorAxisRad: angle,
    sigmaMajorM: Math.sqrt(l1),
    sigmaMinorM: Math.sqrt(l2),
  };
}

/**
 * Weighted median of values (the smallest v with Σ_{v_i ≤ v} w_i ≥ W/2), by weighted quickselect:
 * expected O(n), no comparator calls. Sorting an index array with a comparator cost 50–100 ms per call
 * at 100 000 values, 4.9 s of the 7.9 s the 49 smoothed search-area times took (bench/animation.bench.mjs,
 * loaded machine). The partial sums run in partition order, not sorted order: where a sum lands on W/2
 * exactly, rounding may pick the neighbouring value.
 */
export function weightedMedian(values: Float64Array, weight: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  // A plain loop: Float64Array.from with a mapping callback cost as much as the selection itself.
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = weight[i] ?? 0;
  return weightedMedianInPlace(Float64Array.from(values), w);
}

/**
 * weightedMedian on working copies it may permute (v, w: same length ≥ 1). The swaps are written out
 * (no closure) and datumOf hands over its distances instead of having them copied: 20 000 particles ×
 * 49 times, datumOf 32 -> 29.5 ms warm (the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs). Same
 * partitions, same sums, same result.
 */
function weightedMedianInPlace(v: Float64Array, w: Float64Array): number {
  const n = v.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i] as number;
  const target = total / 2;
  let lo = 0;
  let hi = n;
  let below = 0; // weight of the values known to be under v[lo..hi)
  while (hi > lo) {
    // Median of three as the pivot.
    const a = v[lo] as number;
    const b = v[(lo + hi) >> 1] as number;
    const c = v[hi - 1] as number;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    // Three-way partition: [lo, lt) < pivot, [lt, gt) = pivot, [gt, hi) > pivot.
    let lt = lo;
    let gt = hi;
    let i = lo;
    let wLess = 0;
    let wEqual = 0;
    while (i < gt) {
      const x = v[i] as number;
      if (x < pivot) {
        const wi = w[i] as number;
        v[i] = v[lt] as number;
        w[i] = w[lt] as number;
        v[lt] = x;
        w[lt] = wi;
        wLess += wi;
        lt++;
        i++;
      } else if (x > pivot) {
        gt--;
        const wi = w[i] as number;
        v[i] = v[gt] as number;
        w[i] = w[gt] as number;
        v[gt] = x;
        w[gt] = wi;
      } else {
        wEqual += w[i] as number;
        i++;
      }
    }
    if (lt > lo && below + wLess >= target) {
      hi = lt;
      continue;
    }
    if (below + wLess + wEqual >= target) return pivot;
    below += wLess + wEqual;
    lo = gt;
  }
  // Never reached W/2 (a NaN weight): the largest value, as a walk through the sorted values would end.
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, v[i] as number);
  return max;
}

/**
 * Distance of each point from (mx, my): sqrt of the sum of squares, not Math.hypot (several times
 * slower in V8; distances here are far from overflow): the probable error is reported to 0.1 m.
 */
function distancesFrom(xM: Float64Array, yM: Float64Array, mx: number, my: number): Float64Array {
  const r = new Float64Array(xM.length);
  for (let i = 0; i < xM.length; i++) {
    const dx = (xM[i] ?? NaN) - mx;
    const dy = (yM[i] ?? NaN) - my;
    r[i] = Math.sqrt(dx * dx + dy * dy);
  }
  return r;
}

/** Datum and spread of a cloud (see the module header for the probable-error definition). */
export function datumOf(cloud: Cloud): Datum {
  const n = cloud.xM.length;
  let [mx, my] = metricSums(cloud.xM, cloud.yM, cloud.weight);
  mx /= cloud.totalWeight;
  my /= cloud.totalWeight;
  const r = distancesFrom(cloud.xM, cloud.yM, mx, my);
  let bearing = 90 - (cloud.majorAxisRad * 180) / Math.PI;
  bearing = ((bearing % 180) + 180) % 180;
  return {
    lonDeg: wrapLonDeg(cloud.frame.lon0Deg),
    latDeg: cloud.frame.lat0Deg,
    majorAxisBearingDeg: bearing,
    sigmaMajorM: cloud.sigmaMajorM,
    sigmaMinorM: cloud.sigmaMinorM,
    probableErrorM: n === 0 ? NaN : weightedMedianInPlace(r, Float64Array.from(cloud.weight)),
    nEff: cloud.nEff,
    totalWeight: cloud.totalWeight,
  };
}
