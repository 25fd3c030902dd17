/** What a NetCDF reader gives its callers, whichever encoding (NetCDF-3 or NetCDF-4/HDF5) the file uses. */
export type AttrValue = string | number | number[];

export interface NcVariable {
  name: string;
  dims: string[];
  shape: number[];
  attrs: Record<string, AttrValue>;
}

export interface NcFile {
  path: string;
  format: 'netcdf3' | 'netcdf4';
  variables: Map<string, NcVariable>;
  globalAttrs: Record<string, AttrValue>;
  /** Raw values of the hyperslab start..start+count (one entry per dimension), row-major. */
  read(name: string, start?: number[], count?: number[]): Promise<Float64Array>;
  close(): Promise<void>;
}
