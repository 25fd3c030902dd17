/**
 * Independent truth for the land tests: the source polygons read straight from the npm packages and
 * tested with @turf/boolean-point-in-polygon (not our scanline code), plus the distance from a point
 * to the nearest polygon edge.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { at } from '../helpers/indexed.js';

const require = createRequire(import.meta.url);

export interface Window {
  westDeg: number;
  eastDeg: number;
  southDeg: number;
  northDeg: number;
}

/** Metres per degree of latitude (sphere of mean radius): for distances of a few km, error < 0.5 %. */
export const M_PER_DEG = 111_195;

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function loadSource(source: 'osm-seas-10m' | 'natural-earth-10m'): { polygons: Position[][][]; insideIsLand: boolean } {
  if (source === 'osm-seas-10m') {
    const gc = JSON.parse(readFileSync(require.resolve('@geo-maps/earth-seas-10m/map.geo.json'), 'utf8')) as { geometries: Array<Polygon | MultiPolygon> };
    return { polygons: gc.geometries.flatMap(polygonsOf), insideIsLand: false };
  }
  const topo = JSON.parse(readFileSync(require.resolve('world-atlas/land-10m.json'), 'utf8')) as Topology;
  const fc = feature(topo, topo.objects.land!) as unknown as { features: Array<Feature<Polygon | MultiPolygon>> };
  return { polygons: fc.features.flatMap((f) => polygonsOf(f.geometry)), insideIsLand: true };
}

export interface SourceTruth {
  isLand(lonDeg: number, latDeg: number): boolean;
  /** Distance (m) from the point to the nearest polygon edge within the window (+ margin). */
  distanceToCoastM(lonDeg: number, latDeg: number): number;
  /** Number of edges the window holds (sanity: the window has coast in it). */
  edgeCount: number;
}

/** Truth for points inside `w` (longitudes in [-180, 180], window not across the antimeridian). */
export function sourceTruth(source: 'osm-seas-10m' | 'natural-earth-10m', w: Window, marginDeg = 0.5): SourceTruth {
  const { polygons, insideIsLand } = loadSource(source);
  const near: Array<Feature<Polygon>> = [];
  const edges: number[] = []; // x0, y0, x1, y1, ...
  for (const rings of polygons) {
    let w0 = Infinity, e0 = -Infinity, s0 = Infinity, n0 = -Infinity;
    for (const p of at(rings, 0)) {
      w0 = Math.min(w0, at(p, 0)); e0 = Math.max(e0, at(p, 0)); s0 = Math.min(s0, at(p, 1)); n0 = Math.max(n0, at(p, 1));
    }
    if (e0 < w.westDeg - marginDeg || w0 > w.eastDeg + marginDeg || n0 < w.southDeg - marginDeg || s0 > w.northDeg + marginDeg) continue;
    // A hole whose bounding box misses the window cannot hold a point of it: leave it out (speed only).
    const holes = rings.slice(1).filter((h) => {
      let a = Infinity, b = -Infinity, c = Infinity, d = -Infinity;
      for (const p of h) {
        a = Math.min(a, at(p, 0)); b = Math.max(b, at(p, 0)); c = Math.min(c, at(p, 1)); d = Math.max(d, at(p, 1));
      }
      return !(b < w.westDeg - marginDeg || a > w.eastDeg + marginDeg || d < w.southDeg - marginDeg || c > w.northDeg + marginDeg);
    });
    near.push({ type: 'Feature', bbox: [w0, s0, e0, n0], properties: {}, geometry: { type: 'Polygon', coordinates: [at(rings, 0), ...holes] } });
    for (const ring of rings) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const [x0, y0] = at(ring, k);
        const [x1, y1] = at(ring, k + 1);
        if (Math.max(x0!, x1!) < w.westDeg - marginDeg || Math.min(x0!, x1!) > w.eastDeg + marginDeg) continue;
        if (Math.max(y0!, y1!) < w.southDeg - marginDeg || Math.min(y0!, y1!) > w.northDeg + marginDeg) continue;
        edges.push(x0!, y0!, x1!, y1!);
      }
    }
  }
  return {
    edgeCount: edges.length / 4,
    isLand(lonDeg, latDeg) {
      const pt: [number, number] = [lonDeg, latDeg];
      const inside = near.some((f) => {
        const [a, b, c, d] = f.bbox as [number, number, number, number];
        return lonDeg >= a && lonDeg <= c && latDeg >= b && latDeg <= d && booleanPointInPolygon(pt, f);
      });
      return inside === insideIsLand;
    },
    distanceToCoastM(lonDeg, latDeg) {
      const kx = M_PER_DEG * Math.cos((latDeg * Math.PI) / 180);
      let best = Infinity;
      for (let k = 0; k < edges.length; k += 4) {
        const ax = (at(edges, k) - lonDeg) * kx, ay = (at(edges, k + 1) - latDeg) * M_PER_DEG;
        const bx = (at(edges, k + 2) - lonDeg) * kx, by = (at(edges, k + 3) - latDeg) * M_PER_DEG;
        const dx = bx - ax, dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
      return best;
    },
  };
}
