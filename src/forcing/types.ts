/**
 * What a worker thread receives to build its samplers. Plain data and SharedArrayBuffers only, so a
 * descriptor crosses the worker_threads boundary by structured clone without copying grid data.
 * Built on the main thread by `src/forcing/load.ts` (bytes -> grids); turned into samplers inside the
 * threads by `src/forcing/sampler.ts` (pure, no I/O).
 */
import type { LandRaster } from '../land/types.js';
import type { MissionWindow } from '../model/window.js';

export interface ConstantField {
  kind: 'constant';
  uMps: number;
  vMps: number;
}

/**
 * A gridded vector field already converted to m/s. The layout of `grid` is owned by src/forcing
 * (lon/lat or projected through proj4, time axis, SharedArrayBuffer data); only its sampler reads it.
 * Every array in it is SharedArrayBuffer-backed, so the descriptor crosses to worker threads for free.
 */
export interface GridField {
  kind: 'grid';
  grid: GridData;
}

export type VectorFieldDescriptor = ConstantField | GridField;

/**
 * Regular lon/lat grid (files with 1-D longitude/latitude axes). Latitude ascending, u/v (east/north,
 * m/s, float32) at index `(t * ny + y) * nx + x`, point (x, y) at (lon0Deg + x·dLonDeg, lat0Deg + y·dLatDeg).
 * Longitudes of positions are wrapped into [lon0Deg, lon0Deg + 360) before the look-up, so 0..360 grids
 * serve -180..180 positions. NaN marks cells with no data left after OpenDrift-style filling.
 */
export interface LonLatGridData {
  layout: 'lonlat';
  nx: number;
  ny: number;
  nt: number;
  lon0Deg: number;
  dLonDeg: number;
  lat0Deg: number;
  dLatDeg: number;
  /** Grid spans all longitudes; its first column is repeated as column nx-1. */
  periodic: boolean;
  /** Strictly increasing, seconds since epoch; SharedArrayBuffer-backed. */
  timesSec: Float64Array;
  uMps: Float32Array;
  vMps: Float32Array;
  /** Ensemble members (absent: 1); with M members, u/v hold the planes of record t at (t·M + m). */
  members?: number;
}

/** A regular lon/lat lattice of nodes: node (i, j) at (lon0Deg + i·dLonDeg, lat0Deg + j·dLatDeg). */
export interface LonLatLattice {
  lon0Deg: number;
  dLonDeg: number;
  nLon: number;
  lat0Deg: number;
  dLatDeg: number;
  nLat: number;
}

/**
 * Where a lon/lat position falls in a projected grid, precomputed on a regular lon/lat lattice (the
 * projection is too slow to run per particle and step: 0.16 µs per proj4 call). Node (i, j) at
 * (lon0Deg + i·dLonDeg, lat0Deg + j·dLatDeg) holds the fractional grid index (fx, fy) of that point in the
 * source grid and cos/sin of α, the azimuth of the grid's +y axis there. Values are [nLat][nLon];
 * NaN where the projection is undefined.
 */
export interface GridIndexLookup extends LonLatLattice {
  fx: Float32Array;
  fy: Float32Array;
  cosAlpha: Float32Array;
  sinAlpha: Float32Array;
  /**
   * Second differences of fx and fy along the lattice's two axes at each node, 4 per node
   * (fx_ii, fx_jj, fy_ii, fy_jj, in cells): the curvature term that bilinear interpolation of (fx, fy)
   * misses (see lookup.ts curvatureCorrection).
   */
  curvature: Float32Array;
}

/**
 * A projected grid (CF grid_mapping) kept in its own index space, as OpenDrift interpolates it: u/v are
 * the file's components (grid x/y, or east/north when `rotate` is false) in m/s at `(t * ny + y) * nx + x`
 * of the subset read; the lookup turns a particle's lon/lat into (fx, fy) and α, then the sampler
 * interpolates bilinearly in (fx, fy) and rotates to east/north.
 */
export interface ProjectedGridData {
  layout: 'projected';
  nx: number;
  ny: number;
  nt: number;
  timesSec: Float64Array;
  uMps: Float32Array;
  vMps: Float32Array;
  /** True when u/v are grid x/y components (x_wind, x_sea_water_velocity, ...) to rotate to east/north. */
  rotate: boolean;
  lookup: GridIndexLookup;
  /** The proj4 definition, for logs and tests. */
  proj4: string;
  /** Ensemble members (absent: 1); with M members, u/v hold the planes of record t at (t·M + m). */
  members?: number;
}

export type GridData = LonLatGridData | ProjectedGridData;

/** Where a field came from, for the mission row, product metadata and logs. */
export interface ForcingSource {
  kind: 'constant' | 'file' | 'fallback';
  /** URIs read, or `constant [u, v]`. */
  description: string;
  /** True when the mission named nothing and configured fallback constants were used. */
  fallback: boolean;
  variables?: { u: string; v: string };
  /** Ensemble files: the member count (OpenDrift splits particles over members, index mod count). */
  members?: number;
}

export interface ForcingDescriptor {
  wind: VectorFieldDescriptor;
  current: VectorFieldDescriptor;
  /** Surface Stokes drift, only when the mission asks for drift:stokes_drift. */
  stokes?: VectorFieldDescriptor;
  /** Land from the forcing's land_binary_mask, when one was given; otherwise null (global coastline). */
  land: LandRaster | null;
  sources: { wind: ForcingSource; current: ForcingSource; land?: ForcingSource; stokes?: ForcingSource };
}

/** The window a forcing file is read over: the mission's window (src/model/window.ts). */
export type ForcingWindow = MissionWindow;

/**
 * One forcing file list as the mission gave it, each URI with the name it goes by in errors:
 * `params.forcing.wind.uri[2]`, or the environment variable it came from (`FORCING_WIND_URI`).
 */
export interface NamedUris {
  uris: string[];
  fields: string[];
}

/**
 * What the mission asks of one vector field, with the environment's defaults already applied
 * (src/job/resolve.ts): a constant, files, or the configured fallback constant (marked, so every
 * product warns about it).
 */
export type VectorRequest =
  | { kind: 'constant'; uMps: number; vMps: number }
  | { kind: 'fallback'; uMps: number; vMps: number; envName: string }
  | {
      kind: 'file';
      named: NamedUris;
      /** Variable names to read, else found by CF standard name. */
      variables?: { u: string; v: string };
      /** The field named in errors about the files as a set (ensemble member counts). */
      field: string;
    };

/** The land the mission asks for: a constant land_binary_mask, one mask file, or none (the global coastline). */
export type LandRequest = { kind: 'constant'; value: 0 | 1 } | { kind: 'file'; named: NamedUris; variable?: string };

/** The mission's forcing, resolved once from the job and the environment; loadForcing reads it. */
export interface ForcingRequest {
  wind: VectorRequest;
  current: VectorRequest;
  /** Only when the model asks for drift:stokes_drift (the job must give it: no environment default). */
  stokes: VectorRequest | null;
  land: LandRequest | null;
}
