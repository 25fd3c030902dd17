/**
 * Plain-data writers for the planning products: search_plan.geojson and .kml (whole, or in pieces for
 * a streaming writer), and the smoothed search areas as GeoJSON features. Pure: they return
 * objects/strings, the caller writes files. Coordinates are those of the inputs (6 decimals). Longitudes follow particles.nc, in
 * [-180, 180]: a plan rectangle across the antimeridian (its ring is contiguous about a centre in
 * [-180, 180), src/search/plan.ts) is cut there into a MultiPolygon of two parts (RFC 7946 §3.1.9, as
 * search_areas.geojson does), its `corners` are wrapped into [-180, 180) and its `bbox` has west >
 * east (RFC 7946 §5.2). The KML has every coordinate wrapped into [-180, 180) (KML's range); Earth
 * browsers join the vertices the short way, across the antimeridian.
 */
import { isoUtc } from './search-areas-compute.js';
import { jsonPieces, lazyArray } from './json-pieces.js';
import { xmlEscape } from './search-areas-kml.js';
import { wrapLonDeg } from '../model/geo.js';
import type { SearchAreaLevel } from '../search/areas.js';
import type { DetectionLaw } from '../search/detection.js';
import type { Plan } from '../search/plan.js';

/** Degrees-decimal-minutes as a coordinator reads it: `59°18.123'N 004°36.456'E` (minutes to 3 decimals, ~2 m). */
export function formatDdm(lonDeg: number, latDeg: number): string {
  const part = (v: number, width: number, pos: string, neg: string) => {
    const a = Math.abs(v);
    let d = Math.floor(a);
    let m = Math.round((a - d) * 60 * 1000) / 1000;
    if (m >= 60) {
      d += 1;
      m -= 60;
    }
    return `${String(d).padStart(width, '0')}°${m.toFixed(3).padStart(6, '0')}'${v < 0 ? neg : pos}`;
  };
  return `${part(latDeg, 2, 'N', 'S')} ${part(wrapLonDeg(lonDeg), 3, 'E', 'W')}`;
}

/**
 * A convex ring (a plan rectangle) whose longitudes may pass ±180, as rings within [-180, 180]:
 * itself when it does not pass, else its two halves (Sutherland–Hodgman against the meridian, the far
 * half shifted by 360°). Each ring is closed.
 */
export function splitConvexRingAtAntimeridian(ring: number[][]): number[][][] {
  const open = ring.length > 1 && ring[0]?.[0] === ring[ring.length - 1]?.[0] && ring[0]?.[1] === ring[ring.length - 1]?.[1] ? ring.slice(0, -1) : ring;
  const lons = open.map((p) => p[0] ?? 0);
  const max = Math.max(...lons);
  const min = Math.min(...lons);
  if (max <= 180 && min >= -180) return [ring];
  const cut = max > 180 ? 180 : -180;
  const shift = max > 180 ? -360 : 360;
  const clip = (keep: (lon: number) => boolean): number[][] | null => {
    const out: number[][] = [];
    for (let k = 0; k < open.length; k++) {
      const [ax = 0, ay = 0] = open[k] ?? [];
      const [bx = 0, by = 0] = open[(k + 1) % open.length] ?? [];
      if (keep(ax)) out.push([ax, ay]);
      if (keep(ax) !== keep(bx) && ax !== cut && bx !== cut) out.push([cut, Number((ay + ((by - ay) * (cut - ax)) / (bx - ax)).toFixed(6))]);
    }
    if (out.length < 3) return null;
    out.push([...(out[0] as number[])]);
    return out;
  };
  const near = clip((lon) => (cut === 180 ? lon <= 180 : lon >= -180));
  const far = clip((lon) => (cut === 180 ? lon >= 180 : lon <= -180));
  const parts: number[][][] = [];
  if (near) parts.push(near);
  if (far) parts.push(far.map(([lon = 0, lat = 0]) => [Number((lon + shift).toFixed(6)), lat]));
  return parts;
}

/** [west, south, east, north] of a contiguous ring, longitudes wrapped: west > east across the antimeridian. */
function ringBbox(ring: number[][]): number[] {
  const lons = ring.map((p) => p[0] ?? 0);
  const lats = ring.map((p) => p[1] ?? 0);
  return [wrapLonDeg(Math.min(...lons)), Math.min(...lats), wrapLonDeg(Math.max(...lons)), Math.max(...lats)].map((v) => Number(v.toFixed(6)));
}

const wrapped = ([lon = NaN, lat = NaN]: number[]): number[] => [Number(wrapLonDeg(lon).toFixed(6)), lat];

export interface PlanWindow {
  startTimeSec: number;
  endTimeSec: number;
  law: DetectionLaw;
}

/** The plan's features, one Polygon (or MultiPolygon across ±180°) per unit, in the plan's order. */
function* planFeatures(plan: Plan, windows: PlanWindow[]): Generator<Record<string, unknown>> {
  for (const [k, u] of plan.units.entries()) {
    const w = windows[k] ?? windows[0];
    if (!w) throw new RangeError('searchPlanGeoJson: a search window per unit is needed');
    const parts = splitConvexRingAtAntimeridian(u.ring);
    yield {
      type: 'Feature',
      bbox: ringBbox(u.ring),
      geometry: parts.length === 1 ? { type: 'Polygon', coordinates: parts } : { type: 'MultiPolygon', coordinates: parts.map((r) => [r]) },
      properties: {
        unit: u.unit,
        start_time: isoUtc(w.startTimeSec),
        end_time: isoUtc(w.endTimeSec),
        detection: w.law,
        poc: u.poc,
        pod: u.pod,
        pos: u.pos,
        coverage: u.coverage,
        track_spacing_nm: u.trackSpacingNm,
        sweep_width_nm: u.sweepWidthNm,
        effort_nm2: u.effortNm2,
        area_nm2: u.areaNm2,
        length_nm: u.lengthNm,
        width_nm: u.widthNm,
        track_bearing_deg: u.trackBearingDeg,
        creep_bearing_deg: u.creepBearingDeg,
        n_tracks: u.nTracks,
        centre_ddm: formatDdm(u.centreLonDeg, u.centreLatDeg),
        corners: u.ring.slice(0, 4).map(wrapped),
        corners_ddm: u.ring.slice(0, 4).map(([lon, lat]) => formatDdm(lon ?? NaN, lat ?? NaN)),
      },
    };
  }
}

/** search_plan.geojson: one Polygon Feature per unit (properties as issue 8 lists them). */
export function searchPlanGeoJson(plan: Plan, windows: PlanWindow[]): Record<string, unknown> {
  return { type: 'FeatureCollection', cumulative_pos: plan.cumulativePos, features: [...planFeatures(plan, windows)] };
}

/**
 * The text of JSON.stringify({ ...searchPlanGeoJson(plan, windows), ...extra }) in pieces, one
 * feature at a time (`extra`: the collection's foreign members after the features).
 */
export function searchPlanGeoJsonPieces(plan: Plan, windows: PlanWindow[], extra: Record<string, unknown>): Generator<string> {
  return jsonPieces({ type: 'FeatureCollection', cumulative_pos: plan.cumulativePos, features: lazyArray(() => planFeatures(plan, windows)), ...extra });
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}

/** search_plan.kml: a Placemark per unit with its rectangle and a description a coordinator can read. */
export function searchPlanKml(plan: Plan, windows: PlanWindow[], name = 'Search plan'): string {
  return [...searchPlanKmlPieces(plan, windows, name)].join('');
}

/** search_plan.kml in pieces: the document's head, one Placemark per unit, its end. */
export function* searchPlanKmlPieces(plan: Plan, windows: PlanWindow[], name = 'Search plan'): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${xmlEscape(name)}</name><description>${xmlEscape(`Cumulative POS ${pct(plan.cumulativePos)}`)}</description>`;
  for (const [k, u] of plan.units.entries()) {
    const w = windows[k] ?? windows[0];
    if (!w) throw new RangeError('searchPlanKml: a search window per unit is needed');
    const lines = [
      `${isoUtc(w.startTimeSec)} – ${isoUtc(w.endTimeSec)}`,
      `POC ${pct(u.poc)}, POD ${pct(u.pod)} (${w.law}, coverage ${u.coverage.toFixed(2)}), POS ${pct(u.pos)}`,
      `${u.lengthNm.toFixed(2)} × ${u.widthNm.toFixed(2)} NM = ${u.areaNm2.toFixed(1)} NM²; tracks ${u.trackBearingDeg.toFixed(0)}°/${((u.trackBearingDeg + 180) % 360).toFixed(0)}°, spacing ${u.trackSpacingNm.toFixed(2)} NM × ${u.nTracks}, creep ${u.creepBearingDeg.toFixed(0)}°`,
      `Centre ${formatDdm(u.centreLonDeg, u.centreLatDeg)}`,
      ...u.ring.slice(0, 4).map(([lon, lat], c) => `Corner ${c + 1}: ${formatDdm(lon ?? NaN, lat ?? NaN)}`),
    ];
    const coords = u.ring.map((p) => wrapped(p).join(',')).join(' ');
    yield `<Placemark><name>${xmlEscape(u.unit)}</name><description>${xmlEscape(lines.join('\n'))}</description><TimeSpan><begin>${isoUtc(w.startTimeSec)}</begin><end>${isoUtc(w.endTimeSec)}</end></TimeSpan><Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>${coords}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`;
  }
  yield '</Document></kml>\n';
}

/** Smoothed search areas of one time as GeoJSON Features (time, percent, area_km2, area_nm2, bbox). */
export function searchAreaFeatures(levels: SearchAreaLevel[], timeSec: number): Record<string, unknown>[] {
  return levels.map((l) => ({
    type: 'Feature',
    bbox: l.bbox,
    geometry: l.polygons.length === 1 ? { type: 'Polygon', coordinates: l.polygons[0] } : { type: 'MultiPolygon', coordinates: l.polygons },
    properties: {
      time: isoUtc(timeSec),
      percent: l.percent,
      area_km2: Math.round(l.areaKm2 * 1000) / 1000,
      area_nm2: Math.round(l.areaNm2 * 1000) / 1000,
      pieces: l.nPieces,
      fraction_inside: l.fractionInside,
    },
  }));
}
