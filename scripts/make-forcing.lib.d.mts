// Types for scripts/make-forcing.lib.mjs (used by tests and benchmarks).
export const T0_SEC: number;
export const POLAR_PROJ: string;
export type Field = (lonDeg: number, latDeg: number, tSec: number) => [number, number];
export const windField: Field;
export const currentField: Field;
export const arctic20Current: Field;
export function isIsland(lonDeg: number, latDeg: number): boolean;
export function axis(start: number, step: number, n: number): number[];
export interface NcSpec {
  dims: Array<{ name: string; size: number | null }>;
  numRecs?: number;
  attrs?: Record<string, unknown>;
  vars: Array<{ name: string; type: string; dims: string[]; attrs?: Record<string, unknown>; data: ArrayLike<number> | null | ((record: number) => ArrayLike<number> | null) }>;
  /** NetCDF-3 only: variables (or records) whose data is null are left as holes of a sparse file. */
  sparse?: boolean;
  /** NetCDF-4 only: chunk edge (cells) of variables written record by record (data as a function). */
  chunk?: number;
  /** NetCDF-3 only: 1 = classic (default), 2 = 64-bit offset. */
  version?: 1 | 2;
}
export function writeNetcdf3(path: string, spec: NcSpec): void;
export function writeNetcdf4(path: string, spec: NcSpec): Promise<void>;
export interface LonLatFileOptions {
  kind: 'wind' | 'current';
  format: 'nc3' | 'nc4';
  lons: number[];
  lats: number[];
  timesSec: number[];
  names: [string, string];
  standardNames?: [string | null, string | null];
  units?: string;
  packed?: { scale: number; offset: number };
  fill?: boolean;
  depths?: number[];
  land?: boolean;
  timeUnits?: [string, number, number];
}
export function writeLonLatFile(path: string, opts: LonLatFileOptions): Promise<void>;
export const LCC_PROJ: string;
export const MERCATOR_PROJ: string;
export interface ProjectedFileOptions {
  format: 'nc3' | 'nc4';
  centerLon: number;
  centerLat: number;
  nx?: number;
  ny?: number;
  dxKm?: number;
  timesSec: number[];
  field: Field;
  mask?: (lonDeg: number, latDeg: number) => boolean;
}
export function writeProjectedFile(
  path: string,
  opts: ProjectedFileOptions & { kind: 'wind' | 'current'; proj: string; mapping: Record<string, unknown>; xyUnits: 'km' | 'm' },
): Promise<void>;
export function writePolarFile(path: string, opts: ProjectedFileOptions): Promise<void>;
/** The d2 case file: arctic20Current on 40 × 40 cells of 20 km around 20°E 75°N, hourly for 48 h, NetCDF-3. */
export function writeArctic20File(path: string): Promise<void>;
export function writeLccFile(path: string, opts: ProjectedFileOptions): Promise<void>;
export function writeMercatorFile(path: string, opts: ProjectedFileOptions): Promise<void>;
export function writeConstantFile(
  path: string,
  opts: { kind: 'wind' | 'current'; format: 'nc3' | 'nc4'; u: number; v: number; lons: number[]; lats: number[]; timesSec: number[] },
): Promise<void>;
export function ensembleMemberField(kind: 'wind' | 'current', member: number, members: number): Field;
export function writeEnsembleFile(
  path: string,
  opts: { kind: 'wind' | 'current'; format: 'nc3' | 'nc4'; members: number; lons: number[]; lats: number[]; timesSec: number[] },
): Promise<void>;
export function writeLandMaskFile(path: string, opts: { lons: number[]; lats: number[] }): void;
