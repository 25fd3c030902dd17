/**
 * The probability layer of the map page (GET /missions/:id/density.json?t=<index>): one time step of
 * the density product (products/density.nc, src/products/density-nc.ts) as the non-zero cells only.
 * A cloud fills a small part of the grid fitted to the whole run (its bounding box over all times),
 * so a step is a few thousand cells, ~50 kB of JSON, where the dense grid would be the whole box.
 *
 * The file is read once per mission, a time step at a time (peak memory: one step), and kept sparse
 * for the last CACHE_MISSIONS missions: products never change once written.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { openNetcdf, type NcFile } from '../netcdf/open.js';
import { ApiError } from './errors.js';
import { decodeTimes, withProductFile } from './particles.js';

/** density.nc is at most ~96 MB (MAX_GRID_CELL_TIMES in src/products/density-grid.ts); 256 MB is a margin. */
const MAX_DENSITY_BYTES = 256 * 1024 * 1024;
/**
 * 8 bytes per non-zero cell and step: a typical mission (0.5 M cell-steps, density-grid.ts) is at most
 * 4 MB, the largest grid (MAX_GRID_CELL_TIMES = 8 M, all non-zero) 64 MB; 5 missions bound it to 320 MB.
 */
const CACHE_MISSIONS = 5;
/** 4 significant digits: one particle in 1 M is 1e-6, kept; more digits add bytes, not information. */
const SIGNIFICANT_DIGITS = 4;

export interface DensityGridView {
  /** Edges of the grid: cell (x, y) spans west_deg + x·dlon_deg … +dlon_deg, south_deg + y·dlat_deg … */
  west_deg: number;
  south_deg: number;
  dlon_deg: number;
  dlat_deg: number;
  nx: number;
  ny: number;
  /** North-south cell size in metres (the file's cell_size_m attribute), null when absent. */
  cell_m: number | null;
}

export interface DensityStep {
  times: string[];
  t: number;
  time: string;
  grid: DensityGridView;
  /** Particles released at this time: the denominator of every probability. */
  released: number;
  /** Largest cell probability at this time (0 when nothing is released). */
  max: number;
  /** Flat indices y·nx + x of the cells with a non-zero probability, ascending. */
  cells: number[];
  /** Probability of containment of those cells (fraction of the released particles), same order. */
  p: number[];
}

interface DensityFile {
  times: string[];
  grid: DensityGridView;
  released: number[];
  steps: Array<{ cells: Uint32Array; p: Float32Array; max: number }>;
}

/** Promises, so the requests of a slider dragged before the first read finished share that read. */
const cache = new Map<string, Promise<DensityFile>>();

/** Start and step of a regular axis, from its cell edges (`<name>_bnds`, n × 2) or else its centres. */
async function regularAxis(nc: NcFile, name: string): Promise<{ startDeg: number; dDeg: number }> {
  if (nc.variables.has(`${name}_bnds`)) {
    const b = await nc.read(`${name}_bnds`);
    const [lower, upper] = [b[0], b[1]];
    if (lower !== undefined && upper !== undefined) return { startDeg: lower, dDeg: upper - lower };
  }
  const centres = await nc.read(name);
  const [first, second] = [centres[0], centres[1]];
  if (first === undefined) throw new ApiError('E_NOT_FOUND', `density product has an empty ${name} axis`);
  // One cell and no bounds: its size is unknown; 0.01° (~1 km) only sets how it is drawn.
  const dDeg = second === undefined ? 0.01 : second - first;
  return { startDeg: first - dDeg / 2, dDeg };
}

function readDensityFile(s3: S3Client, uri: string): Promise<DensityFile> {
  const cached = cache.get(uri);
  if (cached) return cached;
  const read = loadDensityFile(s3, uri);
  if (cache.size >= CACHE_MISSIONS) cache.delete(cache.keys().next().value as string);
  cache.set(uri, read);
  // A failed read is not kept: the next request tries again.
  read.catch(() => {
    if (cache.get(uri) === read) cache.delete(uri);
  });
  return read;
}

async function loadDensityFile(s3: S3Client, uri: string): Promise<DensityFile> {
  return withProductFile(s3, uri, 'products/density.nc', MAX_DENSITY_BYTES, async (file) => {
    const nc = await openNetcdf(file, 'products/density.nc');
    try {
      const prob = nc.variables.get('probability');
      const timeVar = nc.variables.get('time');
      if (!prob || !timeVar || prob.shape.length !== 3 || !nc.variables.has('lon') || !nc.variables.has('lat')) {
        throw new ApiError('E_NOT_FOUND', 'this mission has no density grid in driftline layout (probability over time × lat × lon)');
      }
      const [nTimes = 0, ny = 0, nx = 0] = prob.shape;
      const lon = await regularAxis(nc, 'lon');
      const lat = await regularAxis(nc, 'lat');
      const cellAttr = nc.globalAttrs.density_cell_size_m;
      const grid: DensityGridView = { west_deg: lon.startDeg, south_deg: lat.startDeg, dlon_deg: lon.dDeg, dlat_deg: lat.dDeg, nx, ny, cell_m: typeof cellAttr === 'number' ? cellAttr : null };
      const released = nc.variables.has('released_count') ? Array.from(await nc.read('released_count')) : new Array<number>(nTimes).fill(0);
      const steps: DensityFile['steps'] = [];
      for (let t = 0; t < nTimes; t++) {
        const v = await nc.read('probability', [t, 0, 0], [1, ny, nx]);
        let n = 0;
        let max = 0;
        for (const x of v) {
          if (x > 0 && Number.isFinite(x)) {
            n++;
            if (x > max) max = x;
          }
        }
        const cells = new Uint32Array(n);
        const p = new Float32Array(n);
        let k = 0;
        for (let i = 0; i < v.length; i++) {
          const x = v[i] ?? 0;
          if (x > 0 && Number.isFinite(x)) {
            cells[k] = i;
            p[k++] = x;
          }
        }
        steps.push({ cells, p, max });
      }
      return { times: decodeTimes(await nc.read('time'), timeVar.attrs.units), grid, released, steps };
    } finally {
      await nc.close();
    }
  });
}

/** Time step `t` of the density product at `uri`; the last step when `t` is undefined. */
export async function readDensityStep(s3: S3Client, uri: string, t: number | undefined): Promise<DensityStep> {
  const f = await readDensityFile(s3, uri);
  const index = t ?? f.times.length - 1;
  const step = f.steps[index];
  const time = f.times[index];
  if (step === undefined || time === undefined) {
    throw new ApiError('E_REQUEST', `t: ${t} is not a time step of this mission (0 … ${f.times.length - 1})`, { fields: [{ field: 't', message: `expected 0 … ${f.times.length - 1}` }] });
  }
  const round = (x: number) => Number(x.toPrecision(SIGNIFICANT_DIGITS));
  return {
    times: f.times,
    t: index,
    time,
    grid: f.grid,
    released: f.released[index] ?? 0,
    max: round(step.max),
    cells: Array.from(step.cells),
    p: Array.from(step.p, round),
  };
}
