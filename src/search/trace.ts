/**
 * Cell mask -> polygons that follow the cell edges exactly (no marching-squares corner cutting, so
 * every particle of a chosen cell is inside its polygon). Pure; works in integer grid-vertex
 * coordinates (vertex (i, j) is the south-west corner of cell (i, j)), the caller maps them to lon/lat.
 *
 * Every boundary edge is directed with the chosen cell on its left, so outer rings come out
 * counter-clockwise and holes clockwise (RFC 7946 / KML order) with x east and y north. Where two
 * chosen cells touch only at a corner the walk turns left, hugging the current cell (4-connected
 * regions); a ring that still meets itself at a vertex is split there, so every ring is simple.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */

/** A polygon in grid-vertex coordinates: rings as flat [i0, j0, i1, j1, ...], open (no repeated first point). */
export interface GridPolygon {
  outer: Int32Array;
  holes: Int32Array[];
}

// Directions: 0 east (+i), 1 north (+j), 2 west, 3 south.
/** The vertex one step from v in direction d, on a lattice of vx vertices a row. */
function nextVertex(v: number, d: number, vx: number): number {
  return d === 0 ? v + 1 : d === 1 ? v + vx : d === 2 ? v - 1 : v - vx;
}

/** Cells [xLo, xHi] × [yLo, yHi] (inclusive) of a grid. */
export interface CellBox {
  xLo: number;
  xHi: number;
  yLo: number;
  yHi: number;
}

/** The smallest box holding every chosen cell of columns [x0, x1) of a row-major mask; null when none is. */
export function chosenBox(mask: Uint8Array, nx: number, ny: number, x0 = 0, x1 = nx): CellBox | null {
  let xLo = x1;
  let xHi = x0 - 1;
  let yLo = ny;
  let yHi = -1;
  for (let y = 0; y < ny; y++) {
    let any = false;
    for (let x = x0; x < x1; x++) {
      if (mask[y * nx + x] === 0) continue;
      if (x < xLo) xLo = x;
      if (x > xHi) xHi = x;
      any = true;
    }
    if (any) {
      if (y < yLo) yLo = y;
      yHi = y;
    }
  }
  return yHi < 0 ? null : { xLo, xHi, yLo, yHi };
}

/**
 * Trace the chosen cells of columns [x0, x1) of a row-major mask (`mask[y * nx + x] !== 0`).
 * Columns outside the range count as not chosen (used to split at the antimeridian). `box`, when given,
 * holds every chosen cell (it may be larger): the mask is then not scanned for them.
 */
export function traceMask(mask: Uint8Array, nx: number, ny: number, x0 = 0, x1 = nx, box?: CellBox): GridPolygon[] {
  // The rows [yLo, yHi] and columns [xLo, xHi] that hold chosen cells. Every boundary edge lies on the
  // lattice of their vertices (one row and column more), so the edges and walks below use that lattice,
  // numbered from its own corner, instead of the whole grid's: a search area's box is a quarter of its
  // KDE grid on average (whose margins alone are 8 cells a side; 147 areas of the 20 000 × 48 h case of
  // bench/opendrift-side-by-side.mjs). Its vertices come in the same order as the grid's, so the walks
  // start where they did and give the same rings.
  const found = box === undefined ? chosenBox(mask, nx, ny, x0, x1) : box;
  if (found === null) return [];
  const xLo = Math.max(x0, found.xLo);
  const xHi = Math.min(x1 - 1, found.xHi);
  const yLo = Math.max(0, found.yLo);
  const yHi = Math.min(ny - 1, found.yHi);
  if (xLo > xHi || yLo > yHi) return [];
  // Vertex (x, y) of the grid is (y - yLo) * vx + x - xLo here.
  const vx = xHi - xLo + 2;
  const nVertices = vx * (yHi - yLo + 2);
  // out[v * 4 + d] = 1: an unused boundary edge leaves vertex v in direction d.
  const out = new Uint8Array(nVertices * 4);
  let nEdges = 0;
  const chosen = (x: number, y: number) => x >= x0 && x < x1 && y >= 0 && y < ny && mask[y * nx + x] !== 0;
  for (let y = yLo; y <= yHi; y++) {
    for (let x = xLo; x <= xHi; x++) {
      if (mask[y * nx + x] === 0) continue;
      const v = (y - yLo) * vx + x - xLo; // the cell's south-west corner
      // Counter-clockwise around the cell: bottom east, right north, top west, left south.
      if (!chosen(x, y - 1)) {
        out[v * 4 + 0] = 1;
        nEdges++;
      }
      if (!chosen(x + 1, y)) {
        out[(v + 1) * 4 + 1] = 1;
        nEdges++;
      }
      if (!chosen(x, y + 1)) {
        out[(v + vx + 1) * 4 + 2] = 1;
        nEdges++;
      }
      if (!chosen(x - 1, y)) {
        out[(v + vx) * 4 + 3] = 1;
        nEdges++;
      }
    }
  }
  if (nEdges === 0) return [];

  const rings: Int32Array[] = [];
  const posInPath = new Int32Array(nVertices).fill(-1);
  const path: number[] = [];
  // A vertex's four edge flags read as one word: most vertices have none.
  const anyOut = new Uint32Array(out.buffer, out.byteOffset, nVertices);
  for (let start = 0; start < nVertices; start++) {
    if (anyOut[start] === 0) continue;
    for (let d0 = 0; d0 < 4; d0++) {
      if (out[start * 4 + d0] === 0) continue;
      // Walk from `start`, emitting a ring each time the path returns to a vertex already on it.
      path.length = 0;
      path.push(start);
      posInPath[start] = 0;
      let v = start;
      let d = d0;
      for (;;) {
        out[v * 4 + d] = 0;
        const w = nextVertex(v, d, vx);
        const at = posInPath[w] ?? -1; // w is a lattice vertex: in range
        if (at >= 0) {
          rings.push(toRing(path, at, vx, xLo, yLo));
          for (let k = at + 1; k < path.length; k++) posInPath[path[k] as number] = -1;
          path.length = at + 1;
        } else {
          posInPath[w] = path.length;
          path.push(w);
        }
        v = w;
        // Prefer a left turn (hug the current cell), then straight, then right.
        const left = (d + 1) & 3;
        const right = (d + 3) & 3;
        if (out[v * 4 + left]) d = left;
        else if (out[v * 4 + right] && !out[v * 4 + d]) d = right;
        else if (!out[v * 4 + d]) break;
      }
      for (let k = 0; k < path.length; k++) posInPath[path[k] as number] = -1;
    }
  }
  return assemble(rings);
}

/**
 * Vertices path[from..] (on a lattice of vx vertices a row whose first is the grid's vertex (x0, y0)) as a
 * ring in grid-vertex coordinates, dropping vertices in the middle of straight runs.
 */
function toRing(path: number[], from: number, vx: number, x0: number, y0: number): Int32Array {
  const n = path.length - from;
  const is = new Int32Array(n);
  const js = new Int32Array(n);
  // Index loops, not for-of over path.slice(from).entries(): iterators and destructuring are slow until
  // V8 compiles the loop, which in a process's first mission it mostly has not.
  for (let k = 0; k < n; k++) {
    const v = path[from + k] as number;
    is[k] = x0 + (v % vx);
    js[k] = y0 + Math.floor(v / vx);
  }
  const keep: number[] = [];
  for (let k = 0; k < n; k++) {
    const a = (k + n - 1) % n;
    const b = (k + 1) % n;
    const ik = is[k] ?? 0; // k < n: in range
    const jk = js[k] ?? 0;
    const straight = (is[a] === ik && ik === is[b]) || (js[a] === jk && jk === js[b]);
    if (!straight) keep.push(ik, jk);
  }
  return Int32Array.from(keep);
}

/** Twice the signed area (shoelace): > 0 counter-clockwise. */
export function signedArea2(ring: Int32Array): number {
  let s = 0;
  const n = ring.length / 2;
  // ?? NaN: indices below 2n = ring.length, in range; NaN is what a read past the end gave.
  for (let k = 0; k < n; k++) {
    const m = (k + 1) % n;
    s += (ring[2 * k] ?? NaN) * (ring[2 * m + 1] ?? NaN) - (ring[2 * m] ?? NaN) * (ring[2 * k + 1] ?? NaN);
  }
  return s;
}

/** Even-odd ray test (ray towards +i). Points passed here are cell centres, never on an edge. */
function ringContains(ring: Int32Array, pi: number, pj: number): boolean {
  let inside = false;
  const n = ring.length / 2;
  // ?? NaN: indices below 2n = ring.length, in range; NaN is what a read past the end gave.
  for (let k = 0, m = n - 1; k < n; m = k++) {
    const ia = ring[2 * k] ?? NaN;
    const ja = ring[2 * k + 1] ?? NaN;
    const ib = ring[2 * m] ?? NaN;
    const jb = ring[2 * m + 1] ?? NaN;
    if (ja > pj !== jb > pj && pi < ((ib - ia) * (pj - ja)) / (jb - ja) + ia) inside = !inside;
  }
  return inside;
}

/** Holes go to the smallest outer ring that contains them. */
function assemble(rings: Int32Array[]): GridPolygon[] {
  const outers: { ring: Int32Array; area2: number; holes: Int32Array[] }[] = [];
  const holes: Int32Array[] = [];
  for (const r of rings) {
    const a2 = signedArea2(r);
    if (a2 > 0) outers.push({ ring: r, area2: a2, holes: [] });
    else if (a2 < 0) holes.push(r);
  }
  outers.sort((a, b) => a.area2 - b.area2);
  for (const h of holes) {
    // A point inside the hole: centre of the unchosen cell right of the hole's first edge.
    const n = h.length / 2;
    const [i0 = NaN, j0 = NaN] = h;
    const di = Math.sign((h[2 % (2 * n)] ?? NaN) - i0);
    const dj = Math.sign((h[3 % (2 * n)] ?? NaN) - j0);
    const pi = i0 + 0.5 * di + 0.5 * dj;
    const pj = j0 + 0.5 * dj - 0.5 * di;
    const owner = outers.find((o) => ringContains(o.ring, pi, pj));
    // A hole always lies inside some outer ring of the same mask; keep the guard for safety.
    if (owner) owner.holes.push(h);
  }
  return outers.map((o) => ({ outer: o.ring, holes: o.holes }));
}
