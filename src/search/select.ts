/**
 * Order statistics without sorting (Hoare's quickselect, median-of-three pivot): expected O(n). Pure.
 * Sorting 100 000 doubles to read two quantiles cost 1.8 s over the 49 times of a 100 000-particle
 * mission's smoothed areas (kde.ts, two axes per time; bench/animation.bench.mjs, loaded machine).
 */

/**
 * Rearranges `a[lo..hi]` (inclusive) so that a[k] is the value a sorted copy would hold there, with
 * nothing larger before it and nothing smaller after it; returns a[k]. Finite values only.
 */
export function selectKth(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  if (!(k >= lo && k <= hi)) throw new RangeError(`k ${k} outside [${lo}, ${hi}]`);
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three to a[lo], a[mid], a[hi] in order; the pivot is a[mid].
    if ((a[mid] ?? 0) < (a[lo] ?? 0)) swap(a, mid, lo);
    if ((a[hi] ?? 0) < (a[lo] ?? 0)) swap(a, hi, lo);
    if ((a[hi] ?? 0) < (a[mid] ?? 0)) swap(a, hi, mid);
    const pivot = a[mid] ?? 0;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] ?? 0) < pivot) i++;
      while ((a[j] ?? 0) > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi], and j < i.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] ?? NaN;
  }
  return a[k] ?? NaN;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] ?? 0;
  a[i] = a[j] ?? 0;
  a[j] = t;
}

/**
 * The k-th smallest and k-th largest of `values` (what a sorted copy holds at k and n − 1 − k), for a
 * small k: one pass keeping the k + 1 smallest in a max-heap and the k + 1 largest in a min-heap, so
 * O(n) with a comparison or two per value and no copy of `values`. The KDE grid's trimmed range
 * (kde.ts, k = 0.05 % of n: 10 at 20 000 particles) by copy + two selectKth cost 41 ms of the 49 times
 * of a 20 000-particle mission (warm, the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs), this 4 ms.
 * Finite values only; 0 ≤ k < n.
 */
export function kthFromEachEnd(values: ArrayLike<number>, k: number): [number, number] {
  const n = values.length;
  if (!(k >= 0 && k < n)) throw new RangeError(`k ${k} outside [0, ${n})`);
  const m = k + 1;
  // low: max-heap of the m smallest so far (low[0] the largest of them); high: min-heap of the m largest.
  const low = new Float64Array(m);
  const high = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = values[i] as number;
    siftUp(low, i, x);
    siftUp(high, i, -x);
  }
  for (let i = m; i < n; i++) {
    const x = values[i] as number;
    if (x < (low[0] as number)) siftDown(low, m, x);
    if (-x < (high[0] as number)) siftDown(high, m, -x);
  }
  return [low[0] as number, -(high[0] as number)];
}

/** Max-heap insert of x at position `at` (heap[0..at) already a heap). */
function siftUp(heap: Float64Array, at: number, x: number): void {
  let i = at;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as number;
    if (p >= x) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = x;
}

/** Replace the max of a max-heap of size m by x (x < heap[0]) and restore the heap. */
function siftDown(heap: Float64Array, m: number, x: number): void {
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= m) break;
    if (c + 1 < m && (heap[c + 1] as number) > (heap[c] as number)) c++;
    const v = heap[c] as number;
    if (v <= x) break;
    heap[i] = v;
    i = c;
  }
  heap[i] = x;
}

/**
 * The positive values of `values`, sorted in descending order, or null when one of them is NaN (the
 * caller then sorts as before: a NaN changes what a sorted copy holds). For positive doubles the order
 * of the values is the order of their IEEE-754 bit patterns read as unsigned integers: a radix sort on
 * the high 32 bits (sign, exponent, 20 bits of mantissa; three 11-bit digits) leaves only values equal
 * to 1 part in 10⁶ out of order, and an insertion sort on the full values finishes the job exactly. On
 * the KDE maps of the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs (~7 000 cells, 49 times, warm)
 * `Float64Array.from(d).sort().reverse()` took 22 ms, this 9-12 ms (micro-bench of 49 sorts of 7 140 values).
 */
export function positiveDescending(values: ArrayLike<number>): Float64Array | null {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x > 0) n++;
    else if (x !== x) return null;
  }
  let a = new Float64Array(n);
  let b = new Float64Array(n);
  n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x > 0) a[n++] = x;
  }
  const count = new Int32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    const hi = new Uint32Array(a.buffer);
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = ((hi[2 * i + HIGH_WORD] as number) >>> shift) & (RADIX - 1);
      count[d] = (count[d] as number) + 1;
    }
    if (n === 0 || count[((hi[HIGH_WORD] as number) >>> shift) & (RADIX - 1)] === n) continue;
    // Descending: the highest digit first. Stable, so the lower digits' order holds within a digit.
    let pos = 0;
    for (let d = RADIX - 1; d >= 0; d--) {
      const c = count[d] as number;
      count[d] = pos;
      pos += c;
    }
    for (let i = 0; i < n; i++) {
      const d = ((hi[2 * i + HIGH_WORD] as number) >>> shift) & (RADIX - 1);
      const to = count[d] as number;
      b[to] = a[i] as number;
      count[d] = to + 1;
    }
    const t = a;
    a = b;
    b = t;
  }
  // Insertion sort: only runs of equal high words can be out of order.
  for (let i = 1; i < n; i++) {
    const x = a[i] as number;
    let j = i - 1;
    while (j >= 0 && (a[j] as number) < x) {
      a[j + 1] = a[j] as number;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
/** Index of a double's high 32-bit word in a Uint32Array over its bytes (1 on little-endian machines). */
const HIGH_WORD = new Uint32Array(Float64Array.of(1).buffer)[1] === 0x3ff00000 ? 1 : 0;
