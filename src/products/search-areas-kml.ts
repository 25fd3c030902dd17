/**
 * search_areas.kml (OGC KML 2.2): a Folder per output time whose Placemarks carry a TimeSpan from that
 * time to the next one, so Google Earth's time slider steps through the run; the search areas are
 * styled per percent (innermost red, then orange, yellow), the datum is a placemark, and the last
 * known position shows at all times. Geometry is the GeoJSON one (counter-clockwise outer rings, as
 * KML also asks, split at ±180°).
 */
import type { Geometry, Position } from 'geojson';
import type { TrajectoryResult } from '../model/types.js';
import { seedGeometry } from './search-areas-geojson.js';
import { isoUtc, type SearchArea, type SearchAreaSet } from './search-areas-compute.js';
import type { ProductContext } from './types.js';
import { plainCategoryText } from './category-text.js';

/** Area colours by rank of percent (smallest first), as #rrggbb; beyond five the last repeats. */
export const AREA_COLOURS: readonly [string, ...string[]] = ['#d7191c', '#f46d43', '#fdd835', '#66bd63', '#1a9850'];
/** The same colours in words, for the legend text. */
const AREA_COLOUR_NAMES: readonly [string, ...string[]] = ['red', 'orange', 'yellow', 'light green', 'green'];

/** Entry k of a non-empty list, its last entry for every k beyond it (the list's first is never reached). */
function byRank(list: readonly [string, ...string[]], k: number): string {
  return list[Math.min(k, list.length - 1)] ?? list[0];
}

/** The colour of the area of the k-th smallest percent. */
export function areaColour(k: number): string {
  return byRank(AREA_COLOURS, k);
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export { plainCategoryText } from './category-text.js';

/** Square kilometres per square nautical mile (1 NM = 1852 m exactly). */
const KM2_PER_NM2 = 3.429904;

function extendedData(fields: Record<string, string | number>): string {
  const data = Object.entries(fields)
    .map(([k, v]) => `<Data name="${xmlEscape(k)}"><value>${xmlEscape(String(v))}</value></Data>`)
    .join('');
  return `<ExtendedData>${data}</ExtendedData>`;
}

/** KML colour aabbggrr from #rrggbb and an alpha in [0, 1]. */
function kmlColour(hex: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return `${a}${hex.slice(5, 7)}${hex.slice(3, 5)}${hex.slice(1, 3)}`;
}

function coords(ring: Position[]): string {
  return ring.map((p) => `${p[0]},${p[1]}`).join(' ');
}

function polygonKml(rings: Position[][]): string {
  const [outer = [], ...holes] = rings; // a GeoJSON polygon always has its outer ring
  const inner = holes
    .map((h) => `<innerBoundaryIs><LinearRing><coordinates>${coords(h)}</coordinates></LinearRing></innerBoundaryIs>`)
    .join('');
  return `<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>${coords(outer)}</coordinates></LinearRing></outerBoundaryIs>${inner}</Polygon>`;
}

function geometryKml(g: Geometry): string {
  switch (g.type) {
    case 'Point':
      return `<Point><coordinates>${g.coordinates[0]},${g.coordinates[1]}</coordinates></Point>`;
    case 'LineString':
      return `<LineString><tessellate>1</tessellate><coordinates>${coords(g.coordinates)}</coordinates></LineString>`;
    case 'Polygon':
      return polygonKml(g.coordinates);
    case 'MultiPolygon':
      return `<MultiGeometry>${g.coordinates.map(polygonKml).join('')}</MultiGeometry>`;
    default:
      throw new Error(`search_areas.kml: unsupported geometry ${g.type}`);
  }
}

/** A line of the KML file. */
const line = (text: string) => `${text}\n`;

function humanUtc(timeSec: number): string {
  return `${isoUtc(timeSec).slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * What the KMZ (search-areas-kmz.ts) adds to its doc.kml: the legend image as a ScreenOverlay and one
 * GroundOverlay of the probability map per output time, each image covering `box` (the density grid).
 */
export interface KmlOverlays {
  /** Path of the legend PNG inside the KMZ. */
  legendHref: string;
  /** Edges of the density grid, degrees; west > east when the grid crosses the antimeridian. */
  box: { northDeg: number; southDeg: number; eastDeg: number; westDeg: number };
  /** One image per output time, in the record order of the run. */
  images: { timeSec: number; href: string }[];
  /** The colour scale in words (the overlay folder's description), e.g. "log scale, 0.02 % to 4.8 % per cell". */
  scaleNote: string;
}

/**
 * The legend as KML text, for readers without the KMZ's legend image (QGIS lists it as a feature
 * without geometry; Google Earth shows it in the Places panel): one line per style of the file.
 */
function legendFolderKml(set: SearchAreaSet, overlays: boolean): string {
  const lines = [
    ...set.percents.map(
      (p, k) =>
        `${p} % area: ${byRank(AREA_COLOUR_NAMES, k)} outline (${areaColour(k)}), filled at 25 % opacity: the smallest area holding ${p} % of the drifting probability`,
    ),
    'Datum track: black line through the datum (weighted centre of the drifting particles) at every output time',
    'Datum: cross-hairs at the datum of the time shown',
    'Last known position: yellow star (a yellow line when seeded along a line)',
    ...(overlays ? ['Probability map: a yellow (low) to dark red (high) image per output time; transparent where no particle is'] : []),
  ];
  return `<Folder><name>Legend</name><description>${xmlEscape(lines.join('\n'))}</description></Folder>`;
}

/** The legend and the probability-map folder, one GroundOverlay (one line) per image. */
function* overlaysKml(o: KmlOverlays, timeSpan: (t: number) => string): Generator<string> {
  const f = (v: number) => v.toFixed(8);
  const box = `<LatLonBox><north>${f(o.box.northDeg)}</north><south>${f(o.box.southDeg)}</south><east>${f(o.box.eastDeg)}</east><west>${f(o.box.westDeg)}</west></LatLonBox>`;
  // overlayXY/screenXY: the legend's top-left corner 10 px in from the top-left of the view; size 0 × 0 keeps the image's own pixels.
  const legend =
    `<ScreenOverlay><name>Legend</name><Icon><href>${xmlEscape(o.legendHref)}</href></Icon>` +
    '<overlayXY x="0" y="1" xunits="fraction" yunits="fraction"/><screenXY x="10" y="10" xunits="pixels" yunits="insetPixels"/>' +
    '<size x="0" y="0" xunits="pixels" yunits="pixels"/></ScreenOverlay>';
  yield line(legend);
  yield line(
    `<Folder><name>Probability map</name><description>${xmlEscape(
      `Probability per density cell (drifting and stranded particles, weighted as the search areas) at each output time: ${o.scaleNote}.`,
    )}</description>`,
  );
  for (const im of o.images) {
    yield line(
      `<GroundOverlay><name>${humanUtc(im.timeSec)}</name>${timeSpan(im.timeSec)}<color>ffffffff</color><drawOrder>1</drawOrder>` +
        `<Icon><href>${xmlEscape(im.href)}</href></Icon>${box}</GroundOverlay>`,
    );
  }
  // Without images the folder keeps the empty line it always had.
  if (o.images.length === 0) yield line('');
  yield line('</Folder>');
}

export function searchAreasKml(set: SearchAreaSet, ctx: ProductContext, result: TrajectoryResult, overlays?: KmlOverlays): string {
  return [...searchAreasKmlPieces(set, ctx, result, overlays)].join('');
}

/**
 * The KML in pieces, one line each (header, styles, one Placemark, a folder's start or end...), so a
 * writer never holds the whole document: searchAreasKml is their concatenation.
 */
export function* searchAreasKmlPieces(set: SearchAreaSet, ctx: ProductContext, result: TrajectoryResult, overlays?: KmlOverlays): Generator<string> {
  // Chronological order (a backward run's record times descend); each time lasts until the next one.
  const times = Array.from(result.timesSec).sort((a, b) => a - b);
  const [first, second] = times;
  const stepSec = first !== undefined && second !== undefined ? second - first : Math.abs(ctx.model.outputStepSec);
  const spanEnd = new Map<number, number>();
  times.forEach((t, k) => spanEnd.set(t, times[k + 1] ?? t + stepSec)); // the last time lasts one step
  const timeSpan = (t: number) => `<TimeSpan><begin>${isoUtc(t)}</begin><end>${isoUtc(spanEnd.get(t) ?? t + stepSec)}</end></TimeSpan>`;

  const colourOf = new Map(set.percents.map((p, k) => [p, areaColour(k)]));
  yield line('<?xml version="1.0" encoding="UTF-8"?>');
  yield line('<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">');
  yield line('<Document>');
  yield line(`<name>${xmlEscape(`Search areas — mission ${ctx.missionId}`)}</name>`);
  yield line('<open>1</open>');
  yield line(
    `<description>${xmlEscape(
      `Leeway drift of ${ctx.category.key} (${plainCategoryText(ctx.category.description)}), ${result.nParticles} particles. ` +
        `Areas are the smallest regions of a kernel-smoothed map (cells up to ${Math.round(set.cellM)} m) holding ${set.percents.join(' / ')} % ` +
        `of the drifting particles' probability at each time (stranded and outside-the-forcing particles excluded). driftline ${ctx.softwareVersion}, made ${ctx.createdAtIso}.` +
        (ctx.warnings && ctx.warnings.length > 0 ? ` WARNINGS: ${ctx.warnings.join('; ')}.` : ''),
    )}</description>`,
  );
  for (const p of set.percents) {
    const c = colourOf.get(p) ?? areaColour(0);
    yield line(
      `<Style id="area-${p}"><LineStyle><color>${kmlColour(c, 1)}</color><width>2</width></LineStyle>` +
        `<PolyStyle><color>${kmlColour(c, 0.25)}</color></PolyStyle></Style>`,
    );
  }
  yield line(
    '<Style id="datum"><IconStyle><color>ffffffff</color><scale>0.9</scale><Icon>' +
      '<href>http://maps.google.com/mapfiles/kml/shapes/cross-hairs.png</href></Icon></IconStyle></Style>',
  );
  yield line('<Style id="datum-track"><LineStyle><color>ff000000</color><width>2</width></LineStyle></Style>');
  yield line(
    '<Style id="datum-track-timed"><IconStyle><color>ffffffff</color><scale>0.9</scale><Icon>' +
      '<href>http://maps.google.com/mapfiles/kml/shapes/cross-hairs.png</href></Icon></IconStyle>' +
      '<LineStyle><color>80000000</color><width>1</width></LineStyle></Style>',
  );
  yield line(
    '<Style id="seed"><IconStyle><color>ff00ffff</color><scale>1.1</scale><Icon>' +
      '<href>http://maps.google.com/mapfiles/kml/shapes/star.png</href></Icon></IconStyle>' +
      '<LineStyle><color>ff00ffff</color><width>3</width></LineStyle></Style>',
  );
  yield line(legendFolderKml(set, overlays !== undefined));
  if (overlays) yield* overlaysKml(overlays, timeSpan);
  yield line(
    `<Placemark><name>Last known position</name><description>${xmlEscape(
      `${isoUtc(ctx.model.startTimeSec)}, seeding radius ${ctx.model.seeding.radiusM} m`,
    )}</description><styleUrl>#seed</styleUrl>${geometryKml(seedGeometry(ctx))}</Placemark>`,
  );

  // The datum track: datums in time order as one line, over the whole run (a LineString's vertices
  // carry no time in KML 2.2; each vertex's time is in the description, the per-time Datum points and
  // the gx:Track below).
  const track = set.datums.slice().sort((a, b) => a.timeSec - b.timeSec);
  const [firstDatum] = track;
  const lastDatum = track.at(-1);
  if (firstDatum && lastDatum && track.length > 1) {
    yield line(
      `<Placemark><name>Datum track</name><description>${xmlEscape(
        `Centre of the particles from ${humanUtc(firstDatum.timeSec)} to ${humanUtc(lastDatum.timeSec)}: ` +
          track.map((d) => `${isoUtc(d.timeSec)} ${d.latDeg.toFixed(5)}, ${d.lonDeg.toFixed(5)}`).join('; '),
      )}</description><TimeSpan><begin>${isoUtc(firstDatum.timeSec)}</begin><end>${isoUtc(spanEnd.get(lastDatum.timeSec) ?? lastDatum.timeSec + stepSec)}</end></TimeSpan>` +
        `${extendedData({ start: isoUtc(firstDatum.timeSec), end: isoUtc(lastDatum.timeSec), points: track.length })}` +
        `<styleUrl>#datum-track</styleUrl><LineString><tessellate>1</tessellate><coordinates>${track.map((d) => `${d.lonDeg},${d.latDeg}`).join(' ')}</coordinates></LineString></Placemark>`,
    );
    // The same track with a time on every vertex (Google's gx:Track extension): Google Earth moves the
    // datum icon along it with the time slider; readers without the extension keep the line above.
    yield line(
      `<Placemark><name>Datum track (timed)</name><description>${xmlEscape(
        'The datum at every output time as a gx:Track: each vertex carries its time.',
      )}</description><styleUrl>#datum-track-timed</styleUrl><gx:Track><altitudeMode>clampToGround</altitudeMode>` +
        track.map((d) => `<when>${isoUtc(d.timeSec)}</when>`).join('') +
        track.map((d) => `<gx:coord>${d.lonDeg} ${d.latDeg} 0</gx:coord>`).join('') +
        '</gx:Track></Placemark>',
    );
  }

  const areasByTime = new Map<number, SearchArea[]>();
  for (const a of set.areas) {
    const list = areasByTime.get(a.timeSec) ?? [];
    list.push(a);
    areasByTime.set(a.timeSec, list);
  }
  for (const d of set.datums) {
    yield line(`<Folder><name>${humanUtc(d.timeSec)}</name>${timeSpan(d.timeSec)}`);
    // Largest area first so the smaller, darker ones are drawn on top.
    const areas = (areasByTime.get(d.timeSec) ?? []).slice().sort((a, b) => b.percent - a.percent);
    for (const a of areas) {
      yield line(
        `<Placemark><name>${a.percent} %</name><description>${xmlEscape(
          `${humanUtc(a.timeSec)}: ${a.areaKm2.toFixed(1)} km² (${(a.areaKm2 / KM2_PER_NM2).toFixed(1)} NM²) holding ${(a.fractionInside * 100).toFixed(1)} % of the particles`,
        )}</description>${timeSpan(a.timeSec)}${extendedData({
          percent: a.percent,
          area_km2: Number(a.areaKm2.toFixed(3)),
          area_nm2: Number((a.areaKm2 / KM2_PER_NM2).toFixed(3)),
          time: isoUtc(a.timeSec),
          fraction_inside: Number(a.fractionInside.toFixed(4)),
        })}<styleUrl>#area-${a.percent}</styleUrl>${geometryKml(a.geometry)}</Placemark>`,
      );
    }
    yield line(
      `<Placemark><name>Datum</name><description>${xmlEscape(
        `${humanUtc(d.timeSec)}: centroid of ${d.released} particles (${d.stranded} stranded), ` +
          `${d.latDeg.toFixed(5)}, ${d.lonDeg.toFixed(5)}`,
      )}</description>${timeSpan(d.timeSec)}<styleUrl>#datum</styleUrl>` +
        `<Point><coordinates>${d.lonDeg},${d.latDeg}</coordinates></Point></Placemark>`,
    );
    yield line('</Folder>');
  }
  yield line('</Document>');
  yield line('</kml>');
}
