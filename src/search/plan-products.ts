/**
 * Plain-data writers for the planning products (not wired in yet): search_plan.geojson and .kml, and
 * the smoothed search areas as GeoJSON features. Pure: they return objects/strings, the caller writes
 * files. Coordinates are those of the inputs (6 decimals); a plan or area across the antimeridian
 * keeps longitudes unwrapped about its datum (may pass ±180) and is NOT split yet (RFC 7946 §3.1.9).
 */
import { isoUtc } from '../products/search-areas-compute.js';
import { xmlEscape } from '../products/search-areas-kml.js';
import { wrapLonDeg } from '../model/geo.js';
import type { SearchAreaLevel } from './areas.js';
import type { DetectionLaw } from './detection.js';
import type { Plan } from './plan.js';

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

export interface PlanWindow {
  startTimeSec: number;
  endTimeSec: number;
  law: DetectionLaw;
}

/** search_plan.geojson: one Polygon Feature per unit (properties as issue 8 lists them). */
export function searchPlanGeoJson(plan: Plan, windows: PlanWindow[]): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    cumulative_pos: plan.cumulativePos,
    features: plan.units.map((u, k) => {
      const w = windows[k] ?? windows[0];
      if (!w) throw new RangeError('searchPlanGeoJson: a search window per unit is needed');
      return {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [u.ring] },
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
          corners_ddm: u.ring.slice(0, 4).map(([lon, lat]) => formatDdm(lon ?? NaN, lat ?? NaN)),
        },
      };
    }),
  };
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}

/** search_plan.kml: a Placemark per unit with its rectangle and a description a coordinator can read. */
export function searchPlanKml(plan: Plan, windows: PlanWindow[], name = 'Search plan'): string {
  const marks = plan.units.map((u, k) => {
    const w = windows[k] ?? windows[0];
    if (!w) throw new RangeError('searchPlanKml: a search window per unit is needed');
    const lines = [
      `${isoUtc(w.startTimeSec)} – ${isoUtc(w.endTimeSec)}`,
      `POC ${pct(u.poc)}, POD ${pct(u.pod)} (${w.law}, coverage ${u.coverage.toFixed(2)}), POS ${pct(u.pos)}`,
      `${u.lengthNm.toFixed(2)} × ${u.widthNm.toFixed(2)} NM = ${u.areaNm2.toFixed(1)} NM²; tracks ${u.trackBearingDeg.toFixed(0)}°/${((u.trackBearingDeg + 180) % 360).toFixed(0)}°, spacing ${u.trackSpacingNm.toFixed(2)} NM × ${u.nTracks}, creep ${u.creepBearingDeg.toFixed(0)}°`,
      `Centre ${formatDdm(u.centreLonDeg, u.centreLatDeg)}`,
      ...u.ring.slice(0, 4).map(([lon, lat], c) => `Corner ${c + 1}: ${formatDdm(lon ?? NaN, lat ?? NaN)}`),
    ];
    const coords = u.ring.map(([lon, lat]) => `${lon},${lat}`).join(' ');
    return `<Placemark><name>${xmlEscape(u.unit)}</name><description>${xmlEscape(lines.join('\n'))}</description><TimeSpan><begin>${isoUtc(w.startTimeSec)}</begin><end>${isoUtc(w.endTimeSec)}</end></TimeSpan><Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>${coords}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${xmlEscape(name)}</name><description>${xmlEscape(`Cumulative POS ${pct(plan.cumulativePos)}`)}</description>${marks.join('')}</Document></kml>\n`;
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
