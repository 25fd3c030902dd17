/**
 * CF conventions the forcing readers need: which variable is which (standard_name first, then common
 * names), time decoding, velocity units, packing and fill values, and OpenDrift's NaN filling.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import type { AttrValue, NcFile, NcVariable } from '../netcdf/open.js';

export type VectorKind = 'wind' | 'current' | 'stokes';

/** CF standard names for (u, v), in OpenDrift's order of preference. Grid-relative names come first. */
export const STANDARD_NAMES: Record<VectorKind, Array<[string, string]>> = {
  wind: [
    ['x_wind', 'y_wind'],
    ['eastward_wind', 'northward_wind'],
  ],
  current: [
    ['x_sea_water_velocity', 'y_sea_water_velocity'],
    ['eastward_sea_water_velocity', 'northward_sea_water_velocity'],
    ['surface_eastward_sea_water_velocity', 'surface_northward_sea_water_velocity'],
  ],
  // Surface Stokes drift (OpenDrift drift:stokes_drift); grid x/y components like x_wind.
  stokes: [['sea_surface_wave_stokes_drift_x_velocity', 'sea_surface_wave_stokes_drift_y_velocity']],
};

/** Variable names tried when no standard_name matches (ERA5, CMEMS, HYCOM, generic). */
export const COMMON_NAMES: Record<VectorKind, Array<[string, string]>> = {
  wind: [
    ['u10', 'v10'],
    ['U10', 'V10'],
    ['x_wind_10m', 'y_wind_10m'],
    ['uwnd', 'vwnd'],
    ['u', 'v'],
  ],
  current: [
    ['uo', 'vo'],
    ['water_u', 'water_v'],
    ['ucur', 'vcur'],
    ['u', 'v'],
  ],
  // ECMWF/ERA5, CMEMS wave products, WAVEWATCH III.
  stokes: [
    ['ust', 'vst'],
    ['VSDX', 'VSDY'],
    ['uuss', 'vuss'],
  ],
};

export interface VectorVariables {
  u: NcVariable;
  v: NcVariable;
  /** True when the components are east/north whatever the grid (eastward_* standard names). */
  earthRelative: boolean;
  how: 'standard_name' | 'name' | 'override';
}

export function attrString(attrs: Record<string, AttrValue>, name: string): string | undefined {
  const v = attrs[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

export function attrNumber(attrs: Record<string, AttrValue>, name: string): number | undefined {
  const v = attrs[name];
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return undefined;
}

function byStandardName(file: NcFile, std: string): NcVariable | undefined {
  for (const v of file.variables.values()) if (attrString(v.attrs, 'standard_name') === std) return v;
  return undefined;
}

/** The (u, v) pair for `kind`, or null when the file has none. */
export function findVectorVariables(file: NcFile, kind: VectorKind, override?: { u: string; v: string }): VectorVariables | null {
  if (override) {
    const u = file.variables.get(override.u);
    const v = file.variables.get(override.v);
    if (!u || !v) return null;
    const su = attrString(u.attrs, 'standard_name') ?? '';
    return { u, v, earthRelative: su.startsWith('eastward') || su.includes('_eastward'), how: 'override' };
  }
  for (const [su, sv] of STANDARD_NAMES[kind]) {
    const u = byStandardName(file, su);
    const v = byStandardName(file, sv);
    if (u && v) return { u, v, earthRelative: !su.startsWith('x_') && !su.endsWith('_x_velocity'), how: 'standard_name' };
  }
  for (const [nu, nv] of COMMON_NAMES[kind]) {
    const u = file.variables.get(nu);
    const v = file.variables.get(nv);
    if (u && v) return { u, v, earthRelative: false, how: 'name' };
  }
  return null;
}

/** Factor from the variable's units to m/s, or null when the units are not a speed we know. */
export function speedFactorToMps(units: string | undefined): number | null {
  if (units === undefined || units === '') return 1; // CF requires units; OpenDrift assumes SI when absent.
  const u = units.toLowerCase().replace(/\s+/g, ' ').trim();
  const mps = ['m/s', 'm s-1', 'm s^-1', 'm s**-1', 'm.s-1', 'ms-1', 'm/sec', 'meter second-1', 'meters second-1', 'metre second-1', 'metres second-1', 'meter/second', 'meters/second', 'metres/second', 'meters per second', 'm sec-1'];
  if (mps.includes(u)) return 1;
  if (['cm/s', 'cm s-1', 'cm s^-1', 'cm s**-1', 'cm.s-1', 'centimeters/second', 'centimeter second-1', 'cm/sec'].includes(u)) return 0.01;
  if (['km/h', 'km h-1', 'km/hr', 'kmh', 'kph', 'km.h-1', 'km h**-1', 'kilometers/hour'].includes(u)) return 1000 / 3600;
  if (['knots', 'knot', 'kt', 'kts', 'kn'].includes(u)) return 1852 / 3600;
  return null;
}

const TIME_UNIT_SEC: Record<string, number> = {
  second: 1, seconds: 1, sec: 1, secs: 1, s: 1,
  minute: 60, minutes: 60, min: 60, mins: 60,
  hour: 3600, hours: 3600, hr: 3600, hrs: 3600, h: 3600,
  day: 86400, days: 86400, d: 86400,
};

/**
 * CF time units `<unit> since <date>` -> (seconds per unit, epoch in seconds since 1970). Only the
 * standard / gregorian / proleptic_gregorian calendars (identical after 1582-10-15, which covers any
 * forcing); others throw.
 */
export function parseTimeUnits(units: string, calendar?: string): { secPerUnit: number; epochSec: number } {
  const cal = (calendar ?? 'standard').toLowerCase();
  if (!['standard', 'gregorian', 'proleptic_gregorian', 'julian_gregorian'].includes(cal)) {
    throw new Error(`calendar "${calendar}" is not supported (use standard, gregorian or proleptic_gregorian)`);
  }
  const [, unit, reference] = /^\s*(\w+)\s+since\s+(.+?)\s*$/i.exec(units) ?? [];
  if (unit === undefined || reference === undefined) throw new Error(`time units "${units}" are not "<unit> since <date>"`);
  const secPerUnit = TIME_UNIT_SEC[unit.toLowerCase()];
  if (secPerUnit === undefined) throw new Error(`time unit "${unit}" is not seconds, minutes, hours or days`);
  const d = /^(-?\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i.exec(reference);
  if (!d) throw new Error(`reference date "${reference}" in time units is not a date`);
  const [, y, mo, da, hh, mi, ss, tz] = d;
  let epochMs = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(hh ?? 0), Number(mi ?? 0), 0) + Number(ss ?? 0) * 1000;
  if (Number(y) < 100) {
    // Date.UTC maps years 0-99 to 1900-1999; CF means the literal year.
    const dt = new Date(epochMs);
    dt.setUTCFullYear(Number(y));
    epochMs = dt.getTime();
  }
  if (tz && !/^(Z|UTC|GMT)$/i.test(tz)) {
    const t = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(tz);
    if (t === null) throw new Error(`time zone "${tz}" in time units is not Z, UTC, GMT or ±hh[:mm]`);
    const offMin = (Number(t[2]) * 60 + Number(t[3] ?? 0)) * (t[1] === '-' ? -1 : 1);
    epochMs -= offMin * 60_000;
  }
  return { secPerUnit, epochSec: epochMs / 1000 };
}

/** Decoded times (seconds since 1970) of a CF time variable's raw values. */
export function decodeTimes(raw: ArrayLike<number>, attrs: Record<string, AttrValue>): Float64Array {
  const units = attrString(attrs, 'units');
  if (!units) throw new Error('time variable has no units');
  const { secPerUnit, epochSec } = parseTimeUnits(units, attrString(attrs, 'calendar'));
  const out = new Float64Array(raw.length);
  // Round to the millisecond: "hours since" stored as float32 can carry ~1e-4 h of noise.
  for (let i = 0; i < raw.length; i++) out[i] = Math.round((epochSec + (raw[i] ?? NaN) * secPerUnit) * 1000) / 1000;
  return out;
}

/**
 * Raw values -> physical values in place: _FillValue / missing_value / NaN / |x| ≥ 1e30 (netCDF's default
 * fill 9.97e36 when no _FillValue is declared) become NaN, then x·scale_factor + add_offset, then × factor.
 */
export function unpackInPlace(data: Float64Array, attrs: Record<string, AttrValue>, factor = 1): void {
  const fills: number[] = [];
  for (const key of ['_FillValue', 'missing_value']) {
    const v = attrs[key];
    if (typeof v === 'number') fills.push(v);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'number') fills.push(x);
  }
  const scale = (attrNumber(attrs, 'scale_factor') ?? 1) * factor;
  const offset = (attrNumber(attrs, 'add_offset') ?? 0) * factor;
  const f0 = fills[0] ?? NaN;
  const f1 = fills[1] ?? NaN;
  for (let i = 0; i < data.length; i++) {
    const x = data[i] ?? NaN;
    if (x === f0 || x === f1 || Number.isNaN(x) || Math.abs(x) >= 1e30) data[i] = NaN;
    else data[i] = x * scale + offset;
  }
}

/**
 * OpenDrift's masked-cell filling (readers/interpolation/interpolators.py): up to `maxPasses` times,
 * every NaN cell that has a finite value among its 8 neighbours takes the largest of them (scipy
 * grey_dilation with size 3 over the valid cells). Applied per 2-D plane of [nPlanes][ny][nx].
 * The effect: bilinear interpolation next to a coast sees sea values instead of NaN, so particles
 * are not lost at the coastline.
 *
 * OpenDrift expands lazily (only when some particle's interpolation returns NaN, one pass at a time until
 * none does), we expand eagerly before the run; the results are the same because a pass only ever
 * writes cells that are still NaN: a particle whose four corners became finite after pass k sees exactly
 * the values OpenDrift would give it, whatever later passes do to other cells.
 */
export function fillNaNsLikeOpenDrift(data: Float64Array | Float32Array, nx: number, ny: number, maxPasses = 10): void {
  const plane = nx * ny;
  const nPlanes = data.length / plane;
  const prev = new Float64Array(plane);
  for (let p = 0; p < nPlanes; p++) {
    const o = p * plane;
    for (let pass = 0; pass < maxPasses; pass++) {
      let nan = 0;
      let anyFinite = false;
      for (let i = 0; i < plane; i++) {
        const x = data[o + i] ?? NaN;
        prev[i] = x;
        if (Number.isNaN(x)) nan++;
        else anyFinite = true;
      }
      if (nan === 0 || !anyFinite) break;
      for (let y = 0; y < ny; y++) {
        for (let x = 0; x < nx; x++) {
          if (!Number.isNaN(prev[y * nx + x] ?? NaN)) continue;
          let best = -Infinity;
          for (let dy = -1; dy <= 1; dy++) {
            const yy = y + dy;
            if (yy < 0 || yy >= ny) continue;
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              if (xx < 0 || xx >= nx) continue;
              const val = prev[yy * nx + xx] ?? NaN;
              if (val > best) best = val;
            }
          }
          if (best > -Infinity) data[o + y * nx + x] = best;
        }
      }
    }
  }
}
