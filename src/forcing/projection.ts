/**
 * CF grid_mapping -> proj4 definition, and the rotation of grid-relative vector components to
 * east/north as OpenDrift does it (readers/basereader/variables.py, rotate_vectors).
 */
import { createRequire } from 'node:module';
import type proj4Module from 'proj4';
import { meridionalRadiusM, primeVerticalRadiusM } from '../model/geo.js';
import type { AttrValue } from '../netcdf/open.js';
import { attrNumber, attrString } from './cf.js';

function ellipsoid(a: Record<string, AttrValue>): string {
  const r = attrNumber(a, 'earth_radius');
  if (r !== undefined) return `+R=${r}`;
  const major = attrNumber(a, 'semi_major_axis');
  const rf = attrNumber(a, 'inverse_flattening');
  const minor = attrNumber(a, 'semi_minor_axis');
  if (major !== undefined && rf !== undefined) return rf === 0 ? `+R=${major}` : `+a=${major} +rf=${rf}`;
  if (major !== undefined && minor !== undefined) return `+a=${major} +b=${minor}`;
  if (major !== undefined) return `+R=${major}`;
  // pyproj's CRS.from_cf defaults to WGS84 when a grid mapping names no ellipsoid.
  return '+datum=WGS84';
}

function list(a: Record<string, AttrValue>, name: string): number[] {
  const v = a[name];
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v;
  return [];
}

/**
 * proj4 string for a CF grid mapping (polar_stereographic, stereographic, lambert_conformal_conic,
 * rotated_latitude_longitude, mercator, transverse_mercator, lambert_azimuthal_equal_area), falling back
 * to a `proj4`/`proj4_string`/`proj4text` attribute as OpenDrift does. Null when neither is usable.
 */
export function cfToProj4(attrs: Record<string, AttrValue>): string | null {
  const name = attrString(attrs, 'grid_mapping_name');
  const n = (k: string, d = 0) => attrNumber(attrs, k) ?? d;
  const fe = `+x_0=${n('false_easting')} +y_0=${n('false_northing')}`;
  const ell = ellipsoid(attrs);
  switch (name) {
    case 'polar_stereographic': {
      const lat0 = n('latitude_of_projection_origin', 90);
      const lon0 = attrNumber(attrs, 'straight_vertical_longitude_from_pole') ?? n('longitude_of_projection_origin');
      const ts = attrNumber(attrs, 'standard_parallel');
      const k = attrNumber(attrs, 'scale_factor_at_projection_origin');
      const scale = ts !== undefined ? `+lat_ts=${ts}` : k !== undefined ? `+k_0=${k}` : `+lat_ts=${lat0}`;
      return `+proj=stere +lat_0=${lat0} ${scale} +lon_0=${lon0} ${fe} ${ell} +units=m +no_defs`;
    }
    case 'stereographic':
      return `+proj=stere +lat_0=${n('latitude_of_projection_origin')} +lon_0=${n('longitude_of_projection_origin')} +k_0=${n('scale_factor_at_projection_origin', 1)} ${fe} ${ell} +units=m +no_defs`;
    case 'lambert_conformal_conic': {
      const sp = list(attrs, 'standard_parallel');
      const lat1 = sp[0] ?? n('latitude_of_projection_origin');
      const lat2 = sp[1] ?? lat1;
      return `+proj=lcc +lat_0=${n('latitude_of_projection_origin', lat1)} +lat_1=${lat1} +lat_2=${lat2} +lon_0=${n('longitude_of_central_meridian')} ${fe} ${ell} +units=m +no_defs`;
    }
    case 'mercator': {
      const ts = attrNumber(attrs, 'standard_parallel');
      const k = attrNumber(attrs, 'scale_factor_at_projection_origin');
      const scale = ts !== undefined ? `+lat_ts=${ts}` : `+k_0=${k ?? 1}`;
      return `+proj=merc +lon_0=${n('longitude_of_projection_origin')} ${scale} ${fe} ${ell} +units=m +no_defs`;
    }
    case 'transverse_mercator':
      return `+proj=tmerc +lat_0=${n('latitude_of_projection_origin')} +lon_0=${n('longitude_of_central_meridian')} +k_0=${n('scale_factor_at_central_meridian', 1)} ${fe} ${ell} +units=m +no_defs`;
    case 'lambert_azimuthal_equal_area':
      return `+proj=laea +lat_0=${n('latitude_of_projection_origin')} +lon_0=${n('longitude_of_projection_origin')} ${fe} ${ell} +units=m +no_defs`;
    case 'rotated_latitude_longitude': {
      const poleLat = n('grid_north_pole_latitude', 90);
      const poleLon = n('grid_north_pole_longitude');
      const oLon = n('north_pole_grid_longitude');
      return `+proj=ob_tran +o_proj=longlat +o_lat_p=${poleLat} +o_lon_p=${oLon} +lon_0=${180 + poleLon} ${attrNumber(attrs, 'earth_radius') !== undefined ? ell : '+R=6371229'} +no_defs`;
    }
    default:
      break;
  }
  for (const key of ['proj4', 'proj4_string', 'proj4text', 'proj_string']) {
    const s = attrString(attrs, key);
    if (s) return s;
  }
  return null;
}

export interface Projection {
  /** lon/lat (degrees) -> projected x/y (metres, or degrees for rotated grids). */
  forward(lonDeg: number, latDeg: number): [number, number];
  inverse(x: number, y: number): [number, number];
  /** Projected coordinates are angles (rotated pole): the y offset for the rotation probe is in degrees. */
  angular: boolean;
}

/**
 * proj4 is loaded by the first projected grid, not with the forcing code: its import costs ~41 ms, a
 * tenth of a small mission's start-up, and most missions read lon/lat grids or constants. (Its package
 * main is CommonJS, what `import proj4 from 'proj4'` also loads.)
 */
let proj4: typeof proj4Module | null = null;

export function makeProjection(def: string): Projection {
  proj4 ??= createRequire(import.meta.url)('proj4') as typeof proj4Module;
  const conv = proj4('EPSG:4326', def);
  const angular = /\+proj=ob_tran/.test(def);
  return {
    forward: (lon, lat) => conv.forward([lon, lat]) as [number, number],
    inverse: (x, y) => conv.inverse([x, y]) as [number, number],
    angular,
  };
}

/**
 * α = azimuth (radians, clockwise from north) of the grid's +y axis at (x, y): OpenDrift converts
 * (x, y) and (x, y + 10 m) to lon/lat and takes the WGS84 geodesic azimuth between them. Over 10 m the
 * ellipsoid is flat to 1e-9 rad, so the azimuth is taken from the meridian (M) and prime-vertical (N)
 * radii instead of solving the geodesic problem: same α, a tenth of the cost.
 */
export function gridYAzimuthRad(proj: Projection, x: number, y: number, lonLat?: [number, number]): number {
  const step = proj.angular ? 1e-4 : 10; // 1e-4° ≈ 11 m on a rotated grid
  // The caller usually knows (x, y)'s lon/lat already (it projected them): saves one of three projections.
  const [lon1, lat1] = lonLat ?? proj.inverse(x, y);
  const [lon2, lat2] = proj.inverse(x, y + step);
  const phi = (lat1 * Math.PI) / 180;
  const s = Math.sin(phi);
  const N = primeVerticalRadiusM(s);
  const M = meridionalRadiusM(s);
  let dLon = lon2 - lon1;
  if (dLon > 180) dLon -= 360;
  if (dLon < -180) dLon += 360;
  const east = N * Math.cos(phi) * ((dLon * Math.PI) / 180);
  const north = M * (((lat2 - lat1) * Math.PI) / 180);
  return Math.atan2(east, north);
}

/**
 * The same α from forward projections only, for a point whose lon/lat and x/y are both known: the
 * Jacobian d(x, y)/d(lon, lat) from two 1e-5° steps is inverted to find which (east, north) step moves
 * along +y. Forward projections are closed-form while inverse ones iterate (polar stereographic's
 * phi2z), so this is ~3× faster than probing (x, y + 10 m); the two agree to ~1e-6 rad (the 10 m probe
 * is itself a finite difference).
 */
export function gridYAzimuthFromForwardRad(proj: Projection, lonDeg: number, latDeg: number, x: number, y: number): number {
  const h = 1e-5;
  const [xe, ye] = proj.forward(lonDeg + h, latDeg);
  const [xn, yn] = proj.forward(lonDeg, latDeg + h);
  // J = [[dx/dλ, dx/dφ], [dy/dλ, dy/dφ]] per degree; solve J·(dλ, dφ) = (0, 1).
  const a = (xe - x) / h;
  const b = (xn - x) / h;
  const c = (ye - y) / h;
  const d = (yn - y) / h;
  const det = a * d - b * c;
  const dLon = -b / det;
  const dLat = a / det;
  const phi = (latDeg * Math.PI) / 180;
  const s = Math.sin(phi);
  const N = primeVerticalRadiusM(s);
  const M = meridionalRadiusM(s);
  return Math.atan2(N * Math.cos(phi) * dLon, M * dLat);
}
