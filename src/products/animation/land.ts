/**
 * Coastline basemap from Natural Earth land polygons (world-atlas TopoJSON, public domain): 1:10m for
 * views up to 30° across (quantised to 0.0036° × 0.0017°, ~400 m × 190 m: the best the package has),
 * 1:50m for wider ones. Loaded once per process and cached (10m: 3 MB of JSON, ~0.1-0.2 s).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { COLOURS } from './style.js';
import { type MapView } from './view.js';

export type LandResolution = '10m' | '50m';

interface LandPolygon {
  rings: Position[][];
  westDeg: number;
  eastDeg: number;
  southDeg: number;
  northDeg: number;
}

export interface LandSet {
  resolution: LandResolution;
  polygons: LandPolygon[];
}

const cache = new Map<LandResolution, Promise<LandSet>>();

export function landResolutionFor(view: MapView): LandResolution {
  return view.eastDeg - view.westDeg <= 30 ? '10m' : '50m';
}

export function loadLand(resolution: LandResolution): Promise<LandSet> {
  let p = cache.get(resolution);
  if (!p) {
    p = readLand(resolution);
    // A failed read is not cached, so a later mission can retry.
    p.catch(() => cache.delete(resolution));
    cache.set(resolution, p);
  }
  return p;
}

async function readLand(resolution: LandResolution): Promise<LandSet> {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`world-atlas/land-${resolution}.json`);
  const topology = JSON.parse(await readFile(file, 'utf8')) as Topology<{ land: GeometryCollection }>;
  const fc = feature(topology, topology.objects.land);
  const geoms: (Polygon | MultiPolygon)[] = [];
  for (const f of 'features' in fc ? fc.features : [fc]) {
    const g = f.geometry;
    if (g && (g.type === 'Polygon' || g.type === 'MultiPolygon')) geoms.push(g);
  }
  const polygons: LandPolygon[] = [];
  for (const g of geoms) {
    for (const raw of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
      const rings = raw.map(continuousRing);
      let w = Infinity;
      let e = -Infinity;
      let s = Infinity;
      let n = -Infinity;
      for (const [lon, lat] of rings[0]) {
        if (lon < w) w = lon;
        if (lon > e) e = lon;
        if (lat < s) s = lat;
        if (lat > n) n = lat;
      }
      polygons.push({ rings, westDeg: w, eastDeg: e, southDeg: s, northDeg: n });
    }
  }
  return { resolution, polygons };
}

/**
 * Some merged land rings jump across ±180° (e.g. Fiji's islands, 179.9°E -> 179.9°W): unwrap each point
 * to within 180° of the previous one so the ring is drawn in one piece (the ±360° copies in drawLand
 * then cover either side). A ring that would not close after unwrapping (one circling a pole) is kept.
 */
function continuousRing(ring: Position[]): Position[] {
  let jumps = false;
  for (let k = 1; k < ring.length && !jumps; k++) jumps = Math.abs(ring[k][0] - ring[k - 1][0]) > 180;
  if (!jumps) return ring;
  const out: Position[] = [ring[0]];
  for (let k = 1; k < ring.length; k++) {
    let lon = ring[k][0];
    const prev = out[k - 1][0];
    while (lon - prev > 180) lon -= 360;
    while (lon - prev < -180) lon += 360;
    out.push([lon, ring[k][1]]);
  }
  return Math.abs(out[out.length - 1][0] - out[0][0]) < 1e-9 ? out : ring;
}

/** Natural Earth cuts polygons at ±180°: such edges are not coastline and are not stroked. */
function onCutLine(a: Position, b: Position): boolean {
  // Within 1e-4° (11 m) of ±180° (or ±540° after unwrapping): both ends on the cut.
  const onMeridian = (lon: number) => Math.abs(lon - 180 - 360 * Math.round((lon - 180) / 360)) < 1e-4;
  return onMeridian(a[0]) && onMeridian(b[0]);
}

/** Fill the land and stroke the coast inside the map box (the caller has clipped to it). */
export function drawLand(g: SKRSContext2D, view: MapView, land: LandSet, s: number): number {
  const { box } = view;
  const px = (lon: number, shift: number) => box.x + (lon + shift - view.westDeg) * view.pxPerDegLon;
  const py = (lat: number) => box.y + (view.northDeg - lat) * view.pxPerDegLat;
  let drawn = 0;
  g.fillStyle = COLOURS.land;
  g.strokeStyle = COLOURS.coast;
  g.lineWidth = Math.max(1, 1.2 * s);
  g.lineJoin = 'round';
  for (const poly of land.polygons) {
    if (poly.northDeg < view.southDeg || poly.southDeg > view.northDeg) continue;
    for (const shift of [-360, 0, 360]) {
      if (poly.eastDeg + shift < view.westDeg || poly.westDeg + shift > view.eastDeg) continue;
      drawn++;
      g.beginPath();
      for (const ring of poly.rings) {
        ring.forEach(([lon, lat], k) => (k === 0 ? g.moveTo(px(lon, shift), py(lat)) : g.lineTo(px(lon, shift), py(lat))));
        g.closePath();
      }
      g.fill('evenodd');
      g.beginPath();
      for (const ring of poly.rings) {
        let penDown = false;
        for (let k = 1; k < ring.length; k++) {
          if (onCutLine(ring[k - 1], ring[k])) {
            penDown = false;
            continue;
          }
          if (!penDown) g.moveTo(px(ring[k - 1][0], shift), py(ring[k - 1][1]));
          g.lineTo(px(ring[k][0], shift), py(ring[k][1]));
          penDown = true;
        }
      }
      g.stroke();
    }
  }
  return drawn;
}
