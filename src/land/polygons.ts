/**
 * Coastline polygons packed into typed arrays, with their edges bucketed by latitude band so a
 * raster row only looks at the edges that can cross it. Pure: no I/O (src/land/sources.ts reads).
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */

/** Height of one latitude band of the edge index: 1/32° ≈ 3.5 km, 7.5 raster rows at 1/480°. */
export const BAND_DEG = 1 / 32;
const N_BANDS = Math.ceil(180 / BAND_DEG);

export interface PolygonSet {
  /** Vertex longitudes, rings back to back, each ring closed (last vertex = first). */
  xs: Float64Array;
  /** Vertex latitudes, as xs. */
  ys: Float64Array;
  /** Index of the polygon (outer ring + its holes) each vertex belongs to. */
  polyOf: Uint32Array;
  /** Whether the inside of the polygons is land (land polygons) or water (sea polygons). */
  insideIsLand: boolean;
  /** Edge index: edges (v -> v + 1, by first vertex v) crossing band b are bandEdges[bandStart[b] .. bandStart[b + 1]). */
  bandStart: Uint32Array;
  bandEdges: Uint32Array;
  polygonCount: number;
  ringCount: number;
  pointCount: number;
  /** Label for LandRaster.source and logs. */
  name: string;
}

type Position = number[];
type Ring = Position[];
interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/** Error from a malformed polygon source; the caller wraps it with the source's name. */
export class PolygonDataError extends Error {}

/** Calls `onPolygon` with the rings of every Polygon / MultiPolygon in a GeoJSON object. */
function visitPolygons(obj: unknown, onPolygon: (rings: Ring[]) => void): void {
  if (obj === null || typeof obj !== 'object') throw new PolygonDataError('expected a GeoJSON object');
  const o = obj as { type?: unknown; features?: unknown; geometry?: unknown } & Geometry;
  switch (o.type) {
    case 'FeatureCollection':
      if (!Array.isArray(o.features)) throw new PolygonDataError('FeatureCollection without a features array');
      for (const f of o.features) visitPolygons(f, onPolygon);
      return;
    case 'Feature':
      if (o.geometry !== null && o.geometry !== undefined) visitPolygons(o.geometry, onPolygon);
      return;
    case 'GeometryCollection':
      if (!Array.isArray(o.geometries)) throw new PolygonDataError('GeometryCollection without a geometries array');
      for (const g of o.geometries) visitPolygons(g, onPolygon);
      return;
    case 'Polygon':
      onPolygon(asRings(o.coordinates));
      return;
    case 'MultiPolygon':
      if (!Array.isArray(o.coordinates)) throw new PolygonDataError('MultiPolygon without coordinates');
      for (const p of o.coordinates) onPolygon(asRings(p));
      return;
    default:
      // Points and lines carry no area: a coastline *line* file cannot say which side is land.
      throw new PolygonDataError(`unsupported GeoJSON type ${JSON.stringify(o.type)} (need Polygon or MultiPolygon areas)`);
  }
}

function asRings(c: unknown): Ring[] {
  if (!Array.isArray(c)) throw new PolygonDataError('Polygon without coordinates');
  return c as Ring[];
}

/** ±180 within 1e-9° (quantised TopoJSON lands a hair off 180). */
function atMapEdge(lonDeg: number): boolean {
  return Math.abs(Math.abs(lonDeg) - 180) < 1e-9;
}

/**
 * Packs the polygons of a GeoJSON object. Rings that cross the antimeridian with a jump in
 * longitude (179.9 -> -179.9, or 180 -> -180 at two latitudes) are unwrapped to a continuous
 * longitude so the scanline fill sees one shape (a ring may then reach past ±180, or even -377 for
 * Natural Earth's Afro-Eurasia); rings cut at ±180 are left as they are.
 */
export function buildPolygonSet(geojson: unknown, insideIsLand: boolean, name: string): PolygonSet {
  let pointCount = 0;
  let ringCount = 0;
  let polygonCount = 0;
  const polygons: Ring[][] = [];
  visitPolygons(geojson, (rings) => {
    const kept: Ring[] = [];
    for (const ring of rings) {
      if (!Array.isArray(ring)) throw new PolygonDataError('ring is not an array of positions');
      if (ring.length < 3) continue; // no area
      kept.push(ring);
      pointCount += ring.length + 1; // room for a closing vertex
    }
    if (kept.length > 0) polygons.push(kept);
  });

  const xs = new Float64Array(pointCount);
  const ys = new Float64Array(pointCount);
  const polyOf = new Uint32Array(pointCount);
  const ringStarts: number[] = [];
  let n = 0;
  for (const rings of polygons) {
    for (const ring of rings) {
      const start = n;
      let prevLon = NaN;
      let offsetDeg = 0; // what this ring's unwrapping has added to the source longitudes so far
      for (const pos of ring) {
        if (!Array.isArray(pos)) throw new PolygonDataError(`bad position ${JSON.stringify(pos)} in polygon ${polygonCount}`);
        const lon = pos[0];
        const lat = pos[1];
        if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat) || lat < -90 || lat > 90) {
          throw new PolygonDataError(`bad position ${JSON.stringify(pos)} in polygon ${polygonCount} (need [lonDeg, latDeg] with |lat| <= 90)`);
        }
        if (n > start) {
          const jump = lon + offsetDeg - (xs[n - 1] ?? NaN);
          // A horizontal run from ±180 to ∓180 is a ring drawn along the map's edge (Antarctica's
          // bottom in cut data): keep it, it never crosses a row. Any other jump is a crossing.
          const alongMapEdge = lat === ys[n - 1] && atMapEdge(lon) && atMapEdge(prevLon);
          if (Math.abs(jump) > 180 && !alongMapEdge) offsetDeg -= 360 * Math.round(jump / 360);
        }
        xs[n] = lon + offsetDeg;
        ys[n] = lat;
        polyOf[n] = polygonCount;
        prevLon = lon;
        n++;
      }
      const x0 = xs[start] ?? NaN;
      const y0 = ys[start] ?? NaN;
      if (xs[n - 1] !== x0 || ys[n - 1] !== y0) {
        xs[n] = x0;
        ys[n] = y0;
        polyOf[n] = polygonCount;
        n++;
      }
      ringStarts.push(start);
      ringCount++;
    }
    polygonCount++;
  }
  ringStarts.push(n);

  const { bandStart, bandEdges } = indexEdges(ys.subarray(0, n), ringStarts);
  return {
    xs: xs.slice(0, n),
    ys: ys.slice(0, n),
    polyOf: polyOf.slice(0, n),
    insideIsLand,
    bandStart,
    bandEdges,
    polygonCount,
    ringCount,
    pointCount: n,
    name,
  };
}

export function bandOf(latDeg: number): number {
  return Math.min(N_BANDS - 1, Math.max(0, Math.floor((latDeg + 90) / BAND_DEG)));
}

/**
 * CSR index of non-horizontal edges by latitude band. Edges go in vertex order, so in every band
 * the edges of one polygon sit together: the rasteriser relies on that to group crossings.
 */
function indexEdges(ys: Float64Array, ringStarts: number[]): { bandStart: Uint32Array; bandEdges: Uint32Array } {
  const counts = new Uint32Array(N_BANDS + 1);
  const forEachEdge = (fn: (v: number, b0: number, b1: number) => void): void => {
    for (let r = 0; r + 1 < ringStarts.length; r++) {
      const end = (ringStarts[r + 1] ?? NaN) - 1; // last vertex repeats the first: no edge starts there
      for (let v = ringStarts[r] ?? NaN; v < end; v++) {
        const y0 = ys[v] ?? NaN;
        const y1 = ys[v + 1] ?? NaN;
        if (y0 === y1) continue; // a horizontal edge never crosses a row strictly
        fn(v, bandOf(Math.min(y0, y1)), bandOf(Math.max(y0, y1)));
      }
    }
  };
  forEachEdge((_v, b0, b1) => {
    for (let b = b0; b <= b1; b++) counts[b + 1] = (counts[b + 1] ?? NaN) + 1;
  });
  for (let b = 0; b < N_BANDS; b++) counts[b + 1] = (counts[b + 1] ?? NaN) + (counts[b] ?? NaN);
  const bandEdges = new Uint32Array(counts[N_BANDS] ?? 0);
  const fill = counts.slice(0, N_BANDS);
  forEachEdge((v, b0, b1) => {
    for (let b = b0; b <= b1; b++) {
      const f = fill[b] ?? NaN;
      fill[b] = f + 1;
      bandEdges[f] = v;
    }
  });
  return { bandStart: counts, bandEdges };
}

