/**
 * Plan/area product objects: degrees-decimal-minutes by hand, the GeoJSON properties issue 8 lists,
 * and a KML that parses as XML with one Placemark per unit.
 */
import { describe, expect, it } from 'vitest';
import { searchAreas } from '../../src/search/areas.js';
import { weightedCloud } from '../../src/search/datum.js';
import { kdeMap } from '../../src/search/kde.js';
import { planSearch } from '../../src/search/plan.js';
import { formatDdm, searchAreaFeatures, searchPlanGeoJson, searchPlanKml } from '../../src/products/search-plan-format.js';
import { gaussianCloud } from './search-fixtures.js';
import { at } from '../helpers/indexed.js';

describe('formatDdm', () => {
  it.each([
    [4.6, 59.3, "59°18.000'N 004°36.000'E"],
    [-70.25, -41.5125, "41°30.750'S 070°15.000'W"],
    [181, 0.0000001, "00°00.000'N 179°00.000'W"],
    [10.99999999, 1, "01°00.000'N 011°00.000'E"],
  ])('(%f, %f) → %s', (lon, lat, text) => {
    expect(formatDdm(lon, lat)).toBe(text);
  });
});

describe('plan products', () => {
  const g = gaussianCloud(5000, 61, { lon0: 4.6, lat0: 59.3, sxM: 5000, syM: 2000 });
  const cloud = weightedCloud(g.lon, g.lat, g.w)!;
  const plan = planSearch(cloud, [{ name: 'helo <1>', speedKn: 90, enduranceH: 2, sweepWidthNm: 1 }, { name: 'boat', speedKn: 12, enduranceH: 4, sweepWidthNm: 0.5 }], 'exponential');
  const win = [{ startTimeSec: Date.UTC(2024, 2, 1, 6) / 1000, endTimeSec: Date.UTC(2024, 2, 1, 8) / 1000, law: 'exponential' as const }];

  it('GeoJSON: a Polygon per unit with the issue\'s properties and corners in DDM', () => {
    const fc = searchPlanGeoJson(plan, win) as { cumulative_pos: number; features: { geometry: { coordinates: number[][][] }; properties: Record<string, unknown> }[] };
    expect(fc.features).toHaveLength(2);
    expect(fc.cumulative_pos).toBeCloseTo(plan.cumulativePos, 15);
    const p = at(fc.features, 0).properties;
    for (const k of ['unit', 'start_time', 'end_time', 'poc', 'pod', 'pos', 'coverage', 'track_spacing_nm', 'sweep_width_nm', 'area_nm2', 'corners_ddm']) expect(p).toHaveProperty(k);
    expect(p.start_time).toBe('2024-03-01T06:00:00Z');
    expect(p.corners_ddm).toHaveLength(4);
    const [lon, lat] = at(at(at(fc.features, 0).geometry.coordinates, 0), 0);
    expect((p.corners_ddm as string[])[0]).toBe(formatDdm(lon!, lat!));
  });

  it('KML: well-formed, escaped, one Placemark per unit', () => {
    const kml = searchPlanKml(plan, win);
    expect(kml.match(/<Placemark>/g)).toHaveLength(2);
    expect(kml).toContain('<name>helo &lt;1&gt;</name>');
    expect(kml).not.toContain('helo <1>');
    // Balanced tags (a cheap well-formedness check without an XML dependency).
    for (const tag of ['kml', 'Document', 'Placemark', 'Polygon', 'coordinates']) {
      expect((kml.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length).toBe((kml.match(new RegExp(`</${tag}>`, 'g')) ?? []).length);
    }
  });

  it('area features carry time, percent, area_km2, area_nm2 and bbox', () => {
    const levels = searchAreas(kdeMap(cloud), [50, 90]);
    const f = searchAreaFeatures(levels, at(win, 0).startTimeSec) as { bbox: number[]; properties: Record<string, number | string>; geometry: { type: string } }[];
    expect(f.map((x) => x.properties.percent)).toEqual([50, 90]);
    expect(at(f, 0).properties.time).toBe('2024-03-01T06:00:00Z');
    expect(at(f, 0).bbox).toHaveLength(4);
    expect(at(f, 0).properties.area_nm2 as number).toBeCloseTo((at(f, 0).properties.area_km2 as number) / 1.852 ** 2, 2);
    expect(at(f, 0).geometry.type).toBe('Polygon');
  });
});
