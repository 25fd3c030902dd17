/**
 * What a worker thread receives to build its samplers. Plain data and SharedArrayBuffers only, so a
 * descriptor crosses the worker_threads boundary by structured clone without copying grid data.
 * Built on the main thread by `src/forcing/load.ts` (bytes -> grids); turned into samplers inside the
 * threads by `src/forcing/sampler.ts` (pure, no I/O).
 */
import type { LandRaster } from '../land/types.js';

export interface ConstantField {
  kind: 'constant';
  uMps: number;
  vMps: number;
}

/**
 * A gridded vector field already converted to m/s. The layout of `grid` is owned by src/forcing
 * (lon/lat or projected through proj4, time axis, SharedArrayBuffer data); only its sampler reads it.
 */
export interface GridField {
  kind: 'grid';
  grid: GridData;
}

export type VectorFieldDescriptor = ConstantField | GridField;

/**
 * The one gridded layout the samplers read (src/forcing/grid.ts builds it; projected files are resampled
 * onto it at load time). Only src/forcing looks inside.
 *
 * Regular lon/lat grid, latitude ascending, u/v (east/north, m/s, float32) at index
 * `(t * ny + y) * nx + x`, point (x, y) at (lon0Deg + x·dLonDeg, lat0Deg + y·dLatDeg). Longitudes of
 * positions are wrapped into [lon0Deg, lon0Deg + 360) before the look-up, so 0..360 grids serve
 * -180..180 positions. NaN marks cells with no data left after OpenDrift-style filling.
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
}

export type GridData = LonLatGridData;

/** Where a field came from, for the mission row, product metadata and logs. */
export interface ForcingSource {
  kind: 'constant' | 'file' | 'fallback';
  /** URIs read, or `constant [u, v]`. */
  description: string;
  /** True when the mission named nothing and configured fallback constants were used. */
  fallback: boolean;
  variables?: { u: string; v: string };
}

export interface ForcingDescriptor {
  wind: VectorFieldDescriptor;
  current: VectorFieldDescriptor;
  /** Land from the forcing's land_binary_mask, when one was given; otherwise null (global coastline). */
  land: LandRaster | null;
  sources: { wind: ForcingSource; current: ForcingSource; land?: ForcingSource };
}
