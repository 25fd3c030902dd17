/**
 * Polygons from a job (a completed search's area): validation with errors naming the field, and a
 * point-in-polygon index fast enough for 100 000 particles × 49 records. Pure.
 *
 * A ring is [[lon, lat], …] in degrees, closed (last point = first), at least 4 points, finite, not
 * crossing itself. Edges are straight in lon/lat (as GeoJSON draws them); longitudes are unwrapped
 * about the first vertex, so a ring across the antimeridian may be written either way.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { DriftlineError } from '../errors.js';
import { unwrapLonDeg } from '../model/geo.js';

/** Vertices beyond this are refused (the self-intersection check is O(n²) in the worst case). */
export const MAX_RING_POINTS = 5000;

export interface Ring {
  /** Vertices (closing point dropped), longitudes unwrapped about the first vertex. */
  lonDeg: Float64Array;
  latDeg: Float64Array;
}

function invalid(field: string, what: string): DriftlineError {
  return new DriftlineError('E_JOB_INVALID', `${field}: ${what}`, { field });
}

/** Orientation of (a, b, c): > 0 counter-clockwise. */
function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/** Closed segments [a,b] and [c,d] share a point. */
function segmentsTouch(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  return false;
}

/**
 * Validate an untrusted ring; `field` names it in errors, e.g.
 * `params.search.completed[0].polygon: ring crosses itself at edges 2 and 5 near (4.71, 59.32)`.
 */
export function validateRing(value: unknown, field: string): Ring {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array of [lon, lat] positions');
  if (value.length < 4) throw invalid(field, `a closed ring needs at least 4 positions, got ${value.length}`);
  if (value.length > MAX_RING_POINTS) throw invalid(field, `at most ${MAX_RING_POINTS} positions, got ${value.length}`);
  const n = value.length - 1;
  const lon = new Float64Array(n + 1);
  const lat = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const p: unknown = value[k];
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number') {
      throw invalid(`${field}[${k}]`, 'must be [lon, lat] numbers');
    }
    const [x, y] = p as [number, number];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw invalid(`${field}[${k}]`, `coordinates must be finite, got [${x}, ${y}]`);
    if (x < -180 || x > 180) throw invalid(`${field}[${k}]`, `longitude ${x} is not in [-180, 180]`);
    if (y < -90 || y > 90) throw invalid(`${field}[${k}]`, `latitude ${y} is not in [-90, 90]`);
    lon[k] = k === 0 ? x : unwrapLonDeg(x, lon[0] ?? NaN);
    lat[k] = y;
  }
  if (lon[0] !== lon[n] || lat[0] !== lat[n]) {
    throw invalid(field, `ring is not closed: the last position [${value[n]}] must repeat the first [${value[0]}]`);
  }
  for (let k = 0; k < n; k++) {
    if (lon[k] === lon[k + 1] && lat[k] === lat[k + 1]) throw invalid(field, `positions ${k} and ${k + 1} repeat the same point`);
  }
  let area2 = 0;
  for (let k = 0; k < n; k++) area2 += (lon[k] ?? NaN) * (lat[k + 1] ?? NaN) - (lon[k + 1] ?? NaN) * (lat[k] ?? NaN);
  if (area2 === 0) throw invalid(field, 'ring encloses no area');
  // Every pair of non-adjacent edges must be disjoint (adjacent ones share exactly their common vertex).
  for (let a = 0; a < n; a++) {
    const ax = lon[a] ?? NaN;
    const ay = lat[a] ?? NaN;
    const bx = lon[a + 1] ?? NaN;
    const by = lat[a + 1] ?? NaN;
    for (let b = a + 1; b < n; b++) {
      const cx = lon[b] ?? NaN;
      const cy = lat[b] ?? NaN;
      const dx = lon[b + 1] ?? NaN;
      const dy = lat[b + 1] ?? NaN;
      if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) continue;
      if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) continue;
      const adjacent = b === a + 1 || (a === 0 && b === n - 1);
      if (adjacent) {
        // Adjacent edges may only meet at their shared vertex: fold-backs (collinear overlap) are crossings.
        const shared: [number, number] = b === a + 1 ? [bx, by] : [ax, ay];
        const o = orient(ax, ay, bx, by, b === a + 1 ? dx : cx, b === a + 1 ? dy : cy);
        const other: [number, number] = b === a + 1 ? [dx, dy] : [cx, cy];
        const back: [number, number] = b === a + 1 ? [ax, ay] : [bx, by];
        const dot = (other[0] - shared[0]) * (back[0] - shared[0]) + (other[1] - shared[1]) * (back[1] - shared[1]);
        if (o === 0 && dot > 0) throw invalid(field, `ring folds back on itself at position ${b === a + 1 ? a + 1 : 0}`);
        continue;
      }
      if (segmentsTouch(ax, ay, bx, by, cx, cy, dx, dy)) {
        // Where: the proper crossing point, or (touching/collinear) the first endpoint lying on the other edge.
        const o3 = orient(cx, cy, dx, dy, ax, ay);
        const o4 = orient(cx, cy, dx, dy, bx, by);
        let px = cx;
        let py = cy;
        if (o3 !== o4 && Math.sign(o3) !== Math.sign(o4)) {
          const t = o3 / (o3 - o4);
          px = ax + t * (bx - ax);
          py = ay + t * (by - ay);
        } else if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) {
          px = ax;
          py = ay;
        } else if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) {
          px = bx;
          py = by;
        } else if (orient(ax, ay, bx, by, dx, dy) === 0 && onSegment(ax, ay, bx, by, dx, dy)) {
          px = dx;
          py = dy;
        }
        throw invalid(field, `ring crosses itself at (${px.toFixed(6)}, ${py.toFixed(6)}) (edges ${a} and ${b})`);
      }
    }
  }
  return { lonDeg: lon.subarray(0, n), latDeg: lat.subarray(0, n) };
}

/**
 * Even-odd point-in-polygon with a latitude-band index: the ring's latitude span is cut into bands,
 * each listing the edges that reach it, so a test costs O(edges per band) after an O(1) bbox check.
 */
export interface RingIndex {
  ring: Ring;
  west: number;
  east: number;
  south: number;
  north: number;
  nBands: number;
  bandStart: Int32Array;
  bandEdges: Int32Array;
}

export function indexRing(ring: Ring): RingIndex {
  const { lonDeg, latDeg } = ring;
  const n = lonDeg.length;
  let west = Infinity;
  let east = -Infinity;
  let south = Infinity;
  let north = -Infinity;
  for (let k = 0; k < n; k++) {
    west = Math.min(west, lonDeg[k] ?? NaN);
    east = Math.max(east, lonDeg[k] ?? NaN);
    south = Math.min(south, latDeg[k] ?? NaN);
    north = Math.max(north, latDeg[k] ?? NaN);
  }
  const nBands = Math.max(1, Math.min(4096, n));
  const h = (north - south) / nBands || 1;
  const bandOf = (y: number) => Math.min(nBands - 1, Math.max(0, Math.floor((y - south) / h)));
  const counts = new Int32Array(nBands + 1);
  for (let k = 0; k < n; k++) {
    const m = (k + 1) % n;
    const b0 = bandOf(Math.min(latDeg[k] ?? NaN, latDeg[m] ?? NaN));
    const b1 = bandOf(Math.max(latDeg[k] ?? NaN, latDeg[m] ?? NaN));
    for (let b = b0; b <= b1; b++) counts[b + 1] = (counts[b + 1] ?? NaN) + 1;
  }
  for (let b = 0; b < nBands; b++) counts[b + 1] = (counts[b + 1] ?? NaN) + (counts[b] ?? NaN);
  const bandEdges = new Int32Array(counts[nBands] ?? 0);
  const fill = counts.slice(0, nBands);
  for (let k = 0; k < n; k++) {
    const m = (k + 1) % n;
    const b0 = bandOf(Math.min(latDeg[k] ?? NaN, latDeg[m] ?? NaN));
    const b1 = bandOf(Math.max(latDeg[k] ?? NaN, latDeg[m] ?? NaN));
    for (let b = b0; b <= b1; b++) {
      const f = fill[b] ?? NaN;
      fill[b] = f + 1;
      bandEdges[f] = k;
    }
  }
  return { ring, west, east, south, north, nBands, bandStart: counts, bandEdges };
}

/** Inside (even-odd); points exactly on an edge may fall either way. lon is unwrapped here. */
export function ringContains(ix: RingIndex, lonDeg: number, latDeg: number): boolean {
  if (!(latDeg >= ix.south && latDeg <= ix.north)) return false;
  const ref = ix.ring.lonDeg[0] ?? NaN;
  let x = lonDeg - ref;
  if (x >= 180) x -= 360;
  else if (x < -180) x += 360;
  x += ref;
  if (x < ix.west || x > ix.east) return false;
  const h = (ix.north - ix.south) / ix.nBands || 1;
  const b = Math.min(ix.nBands - 1, Math.floor((latDeg - ix.south) / h));
  const { lonDeg: lx, latDeg: ly } = ix.ring;
  const n = lx.length;
  let inside = false;
  for (let q = ix.bandStart[b] ?? NaN; q < (ix.bandStart[b + 1] ?? NaN); q++) {
    const k = ix.bandEdges[q] ?? NaN;
    const m = k + 1 === n ? 0 : k + 1;
    const ya = ly[k] ?? NaN;
    const yb = ly[m] ?? NaN;
    if (ya > latDeg !== yb > latDeg) {
      const xa = lx[k] ?? NaN;
      const xc = xa + (((lx[m] ?? NaN) - xa) * (latDeg - ya)) / (yb - ya);
      if (x < xc) inside = !inside;
    }
  }
  return inside;
}

/** Weighted share of points inside any of the polygons (MultiPolygon coordinates, outer rings only). */
export function shareInside(polygons: number[][][][], lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>, weight?: ArrayLike<number>): number {
  const rings = polygons.map((p) => indexRing(validateRing(p[0], 'polygon')));
  let inW = 0;
  let allW = 0;
  for (let i = 0; i < lonDeg.length; i++) {
    const w = weight ? (weight[i] ?? NaN) : 1;
    allW += w;
    if (rings.some((r) => ringContains(r, lonDeg[i] ?? NaN, latDeg[i] ?? NaN))) inW += w;
  }
  return allW > 0 ? inW / allW : 0;
}
