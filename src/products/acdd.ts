/**
 * Global attributes shared by our NetCDF products: CF-1.11 + ACDD-1.3 discovery metadata, every mission
 * parameter (flattened), the resolved model parameters and the forcing actually used (fallback included).
 */
import type { ForcingSource } from '../forcing/types.js';
import { wrapLonDeg } from '../model/geo.js';
import type { ProductAttribution, ProductContext } from './types.js';
import type { NcAttrValue, NcAttributes } from '../netcdf/types.js';
import { redactSecrets, redactUrlsInText } from '../redact.js';
import { isoSeconds } from '../time.js';

export const CONVENTIONS = 'CF-1.11, ACDD-1.3';
/** CF standard name table version the names were checked against. */
export const STANDARD_NAME_VOCABULARY = 'CF Standard Name Table v84';
/** CF/UDUNITS time units of every time variable we write (ISO 8601 reference, UTC). */
export const TIME_UNITS = 'seconds since 1970-01-01T00:00:00Z';

export const DEFAULT_ATTRIBUTION: ProductAttribution = {
  creatorName: 'driftline',
  creatorEmail: '',
  creatorUrl: '',
  institution: 'driftline',
  project: 'driftline search-and-rescue drift simulations',
  license: 'Provided as is, without warranty of any kind; no restrictions on use.',
  namingAuthority: 'driftline',
};

/** `2024-01-01T12:00:00Z` (milliseconds only when there are some). */
export const isoTime = isoSeconds;

/** ISO 8601 duration of a whole number of seconds: 172800 -> `PT48H`, 5400 -> `PT1H30M`, 0 -> `PT0S`. */
export function isoDuration(sec: number): string {
  const total = Math.round(Math.abs(sec));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = `${h > 0 ? `${h}H` : ''}${m > 0 ? `${m}M` : ''}${s > 0 || total === 0 ? `${s}S` : ''}`;
  return `PT${parts}`;
}

export interface LonLatExtent {
  /** West and east bounds in [-180, 180); lonMinDeg > lonMaxDeg when the extent crosses the antimeridian (ACDD). */
  lonMinDeg: number;
  lonMaxDeg: number;
  latMinDeg: number;
  latMaxDeg: number;
}

/**
 * Bounding box of the finite positions. Longitudes are measured both in [-180, 180) and in [0, 360); the
 * narrower of the two boxes wins, so a cloud straddling the antimeridian gets west > east, as ACDD says.
 */
export function lonLatExtent(lonDeg: ArrayLike<number>, latDeg: ArrayLike<number>): LonLatExtent | null {
  let lonMin = Infinity, lonMax = -Infinity, lon360Min = Infinity, lon360Max = -Infinity;
  let latMin = Infinity, latMax = -Infinity;
  for (let i = 0; i < lonDeg.length; i++) {
    // A missing value reads as NaN, as a position not released: skipped.
    const lat = latDeg[i] ?? NaN;
    const lonRaw = lonDeg[i] ?? NaN;
    if (!(lat === lat) || !(lonRaw === lonRaw)) continue; // NaN: not released
    const lon = wrapLonDeg(lonRaw);
    const lon360 = lon < 0 ? lon + 360 : lon;
    if (lon < lonMin) lonMin = lon;
    if (lon > lonMax) lonMax = lon;
    if (lon360 < lon360Min) lon360Min = lon360;
    if (lon360 > lon360Max) lon360Max = lon360;
    if (lat < latMin) latMin = lat;
    if (lat > latMax) latMax = lat;
  }
  if (latMin === Infinity) return null;
  const crossing = lon360Max - lon360Min < lonMax - lonMin;
  return {
    lonMinDeg: crossing ? wrapLonDeg(lon360Min) : lonMin,
    lonMaxDeg: crossing ? wrapLonDeg(lon360Max) : lonMax,
    latMinDeg: latMin,
    latMaxDeg: latMax,
  };
}

/**
 * Text with every URL's password and secret-looking query parameters (presigned S3 `X-Amz-Signature`,
 * `X-Amz-Credential`, `token=`...) masked: products are shared widely, credentials must not travel with them.
 */
export const redactUri = redactUrlsInText;
export { redactSecrets };

const camelToSnake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
/**
 * Numbers are always written as doubles, so an attribute keeps one type from mission to mission
 * (latitude 60 and 59.3 alike) and any integer up to 2^53 (seed up to 2^32-1) is exact.
 */
function numberAttr(values: readonly number[]): NcAttrValue {
  const [only, ...more] = values;
  return only !== undefined && more.length === 0 ? only : values;
}

/**
 * Nested plain data -> `prefix_a_b` attributes: numbers stay numeric (double), booleans become
 * "true"/"false" (netCDF-3 has no boolean), string lists are joined with ", ", absent values are skipped.
 */
export function flattenAttributes(value: unknown, prefix: string, out: NcAttributes = {}): NcAttributes {
  if (value === undefined || value === null) return out;
  if (typeof value === 'string') out[prefix] = value.length > 0 ? redactUri(value) : '(empty)';
  else if (typeof value === 'number') out[prefix] = numberAttr([value]);
  else if (typeof value === 'boolean') out[prefix] = value ? 'true' : 'false';
  else if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '(none)';
    else if (value.every((v) => typeof v === 'number')) out[prefix] = numberAttr(value as number[]);
    else out[prefix] = value.map((v) => (typeof v === 'string' ? redactUri(v) : JSON.stringify(redactSecrets(v)))).join(', ');
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenAttributes(v, `${prefix}_${camelToSnake(k)}`, out);
  }
  return out;
}

function forcingEntries(ctx: ProductContext): [string, ForcingSource][] {
  return Object.entries(ctx.forcing).filter((e): e is [string, ForcingSource] => e[1] !== undefined);
}

/** Fallback forcing warnings, one per field, e.g. `FALLBACK FORCING: wind: configured constant [5, 0] m/s`. */
export function fallbackWarnings(ctx: ProductContext): string[] {
  return forcingEntries(ctx)
    .filter(([, s]) => s.fallback)
    .map(([name, s]) => `FALLBACK FORCING: the mission named no ${name} forcing; used ${redactUri(s.description)}`);
}

/** One sentence on the forcing, fallback first and loud. */
export function forcingSentence(ctx: ProductContext): string {
  const used = forcingEntries(ctx)
    .map(([name, s]) => `${name}: ${redactUri(s.description)}${s.fallback ? ' (FALLBACK)' : ''}`)
    .join('; ');
  const warnings = fallbackWarnings(ctx);
  return `${warnings.length > 0 ? `${warnings.join('. ')}. ` : ''}Forcing used - ${used}.`;
}

/**
 * Every mission parameter as an attribute: the job's params as validated (`mission_*`), the object
 * category (`leeway_object_*`), the resolved SI model parameters (`model_*`) and the forcing
 * (`forcing_<field>_*`, with `forcing_fallback_used` and a `forcing_warning` when a fallback was used).
 */
export function missionAttributes(ctx: ProductContext): NcAttributes {
  const out: NcAttributes = { mission_id: ctx.missionId };
  flattenAttributes(ctx.provenance, 'mission', out);
  const c = ctx.category;
  out.leeway_object_type_id = { type: 'int', values: c.id };
  out.leeway_object_type_key = c.key;
  out.leeway_object_type_description = c.description;
  // The category's nine OBJECTPROP.DAT coefficients (slopes in percent of the 10 m wind, the rest cm/s).
  flattenAttributes(
    {
      dwslope_percent: c.dwSlopePct, dwoffset_cm_s: c.dwOffsetCmps, dwstd_cm_s: c.dwStdCmps,
      cwrslope_percent: c.cwrSlopePct, cwroffset_cm_s: c.cwrOffsetCmps, cwrstd_cm_s: c.cwrStdCmps,
      cwlslope_percent: c.cwlSlopePct, cwloffset_cm_s: c.cwlOffsetCmps, cwlstd_cm_s: c.cwlStdCmps,
    },
    'leeway_object',
    out,
  );
  const { category: _category, capsizing, ...model } = ctx.model;
  flattenAttributes(model, 'model', out);
  if (capsizing === null) out.model_capsizing = 'off';
  else flattenAttributes(capsizing, 'model_capsizing', out);
  const warnings = fallbackWarnings(ctx);
  out.forcing_fallback_used = warnings.length > 0 ? 'true' : 'false';
  if (warnings.length > 0) out.forcing_warning = warnings.join('; ');
  // All of the mission's warnings (one attribute, '; '-separated): a NetCDF reader sees what summary.json says.
  if (ctx.warnings && ctx.warnings.length > 0) out.warnings = ctx.warnings.join('; ');
  for (const [name, s] of forcingEntries(ctx)) flattenAttributes(s, `forcing_${name}`, out);
  return out;
}

export interface AcddInput {
  title: string;
  summary: string;
  cdmDataType: 'Trajectory' | 'Grid';
  processingLevel: string;
  extent: LonLatExtent | null;
  timesSec: ArrayLike<number>;
  outputStepSec: number;
}

/** CF + ACDD-1.3 global attributes (highly recommended, recommended and the useful suggested ones). */
export function acddAttributes(ctx: ProductContext, input: AcddInput): NcAttributes {
  const who = { ...DEFAULT_ATTRIBUTION, ...ctx.attribution };
  let tMin = Infinity;
  let tMax = -Infinity;
  for (let i = 0; i < input.timesSec.length; i++) {
    const t = input.timesSec[i] ?? NaN; // in bounds; NaN is what Math.min/max made of a hole
    tMin = Math.min(tMin, t);
    tMax = Math.max(tMax, t);
  }
  const out: NcAttributes = {
    Conventions: CONVENTIONS,
    title: input.title,
    summary: input.summary,
    id: ctx.missionId,
    naming_authority: who.namingAuthority,
    cdm_data_type: input.cdmDataType,
    history: `${ctx.createdAtIso} driftline ${ctx.softwareVersion}: Leeway drift simulation of mission ${ctx.missionId}`,
    date_created: ctx.createdAtIso,
    creator_name: who.creatorName,
    creator_type: 'institution',
    institution: who.institution,
    project: who.project,
    publisher_name: who.institution,
    source: `driftline ${ctx.softwareVersion} Leeway model (a TypeScript reimplementation of OpenDrift's Leeway, rng "${ctx.model.rng}")`,
    processing_level: input.processingLevel,
    keywords: 'search and rescue, SAR, Leeway, drift, trajectory, particle tracking, wind, ocean currents, probability of containment',
    license: who.license,
    product_version: ctx.softwareVersion,
    standard_name_vocabulary: STANDARD_NAME_VOCABULARY,
    references: 'Breivik and Allen (2008), An operational search and rescue model for the Norwegian Sea and the North Sea, J. Marine Syst. 69; OpenDrift (https://opendrift.github.io)',
    comment: forcingSentence(ctx),
  };
  if (who.creatorEmail) out.creator_email = who.creatorEmail;
  if (who.creatorUrl) out.creator_url = who.creatorUrl;
  if (input.extent !== null) {
    out.geospatial_lat_min = input.extent.latMinDeg;
    out.geospatial_lat_max = input.extent.latMaxDeg;
    out.geospatial_lon_min = input.extent.lonMinDeg;
    out.geospatial_lon_max = input.extent.lonMaxDeg;
  }
  out.geospatial_lat_units = 'degrees_north';
  out.geospatial_lon_units = 'degrees_east';
  out.geospatial_bounds_crs = 'EPSG:4326';
  if (tMin <= tMax) {
    out.time_coverage_start = isoTime(tMin);
    out.time_coverage_end = isoTime(tMax);
    out.time_coverage_duration = isoDuration(tMax - tMin);
  }
  out.time_coverage_resolution = isoDuration(input.outputStepSec);
  return out;
}
