/**
 * Where coastline polygons come from, read from disk (npm packages or a user file) and packed by
 * src/land/polygons.ts.
 *
 * Built in:
 *  - 'osm-seas-10m' (default): @geo-maps/earth-seas-10m, OpenStreetMap sea and ocean polygons
 *    generalised to 10 m (ODbL data: "© OpenStreetMap contributors"). 1.78 million points; on the
 *    Norwegian coast 8× the points and 2.5× the coast length of Natural Earth 1:10m (median edge
 *    0.48 km vs 1.39 km). Sea polygons, so inland lakes are land, as with OpenDrift's GSHHG level-1
 *    mask. 37 MB of GeoJSON: 0.6–0.8 s to read, parse and index here, ~175 MB heap while parsing, 42 MB kept.
 *  - 'natural-earth-10m': world-atlas land-10m.json (Natural Earth 1:10m land, public domain) as
 *    TopoJSON, quantised to 0.0036° × 0.0017°; 0.41 million points, 0.15–0.4 s to load.
 *  - { file }: a GeoJSON (or TopoJSON) file of Polygon / MultiPolygon areas, land by default
 *    (COASTLINE_FILE), for a finer coastline such as GSHHG full or OSM land polygons cut to a region.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { DriftlineError } from '../errors.js';
import { buildPolygonSet, PolygonDataError, type PolygonSet } from './polygons.js';

export type CoastlineSource =
  | 'osm-seas-10m'
  | 'natural-earth-10m'
  | {
      /** Path of a GeoJSON / TopoJSON file with Polygon or MultiPolygon areas. */
      file: string;
      /** What the polygons enclose: 'land' (default) or 'water' (sea polygons). */
      insideIs?: 'land' | 'water';
      /** Name of the setting the path came from, for error messages (default COASTLINE_FILE). */
      field?: string;
    };

export const DEFAULT_COASTLINE: CoastlineSource = 'osm-seas-10m';

const require = createRequire(import.meta.url);

/** Stable key of a source, for caches and LandRaster.source. */
export function sourceKey(source: CoastlineSource): string {
  if (typeof source === 'string') return source;
  return `file:${source.file}:${source.insideIs ?? 'land'}`;
}

const BUILT_IN_NAMES = {
  'osm-seas-10m': 'osm-seas-10m (@geo-maps/earth-seas-10m, © OpenStreetMap contributors, ODbL)',
  'natural-earth-10m': 'natural-earth-10m (world-atlas land-10m, public domain)',
} as const;

/** Label of a source, for PolygonSet.name and LandRaster.source. */
export function sourceName(source: CoastlineSource): string {
  return typeof source === 'string' ? BUILT_IN_NAMES[source] : `file ${source.file}`;
}

/** Reads and packs a source. Not cached: src/land/coastline.ts keeps one per process. */
export function loadPolygonSource(source: CoastlineSource): PolygonSet {
  if (source === 'osm-seas-10m') {
    const path = require.resolve('@geo-maps/earth-seas-10m/map.geo.json');
    return buildPolygonSet(JSON.parse(readFileSync(path, 'utf8')), false, sourceName(source));
  }
  if (source === 'natural-earth-10m') {
    const path = require.resolve('world-atlas/land-10m.json');
    const topo = JSON.parse(readFileSync(path, 'utf8')) as Topology;
    return buildPolygonSet(topologyToGeoJson(topo), true, sourceName(source));
  }
  const field = source.field ?? 'COASTLINE_FILE';
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(source.file, 'utf8'));
  } catch (err) {
    throw new DriftlineError('E_CONFIG', `${field}: cannot read coastline file ${source.file}: ${(err as Error).message}`, { field, cause: err });
  }
  try {
    const geojson = (parsed as { type?: unknown }).type === 'Topology' ? topologyToGeoJson(parsed as Topology) : parsed;
    const set = buildPolygonSet(geojson, (source.insideIs ?? 'land') === 'land', sourceName(source));
    if (set.ringCount === 0) throw new PolygonDataError('no polygon with at least 3 positions');
    return set;
  } catch (err) {
    if (!(err instanceof PolygonDataError)) throw err;
    throw new DriftlineError('E_CONFIG', `${field}: coastline file ${source.file} is not usable: ${err.message}`, { field, cause: err });
  }
}

/** All objects of a topology as one GeoJSON FeatureCollection. */
function topologyToGeoJson(topo: Topology): unknown {
  const features: unknown[] = [];
  for (const object of Object.values(topo.objects)) {
    const f = feature(topo, object) as { type: string; features?: unknown[] };
    if (f.type === 'FeatureCollection') features.push(...(f.features ?? []));
    else features.push(f);
  }
  return { type: 'FeatureCollection', features };
}
