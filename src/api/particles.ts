/**
 * Particles for the map page (GET /missions/:id/particles.json): the trajectory product
 * (raw/particles.nc) read back from S3 and thinned to at most MAX_MAP_PARTICLES, as per-time arrays
 * of lon, lat and status. Coordinates are rounded to 1e-5° (about 1 m), far below what a screen shows.
 * Results are kept for the last CACHE_MISSIONS missions: products never change once written.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openNetcdf } from '../netcdf/open.js';
import { storageError } from '../storage/errors.js';
import { parseS3Uri } from '../storage/s3.js';
import { ApiError } from './errors.js';

/** A browser draws 2000 circles on a canvas in a few ms; more adds nothing a coordinator can see. */
export const MAX_MAP_PARTICLES = 2000;
/** Files above this are not read for the map (download the product instead): 512 MB. */
const MAX_TRAJECTORY_BYTES = 512 * 1024 * 1024;
const CACHE_MISSIONS = 20;
/** netCDF's default float fill is 9.97e36; anything this large is a fill value, not a coordinate. */
const FILL_THRESHOLD = 1e30;

export interface MapParticles {
  times: string[];
  /** Particles in the file, and how many are shown (every stride-th). */
  particles_total: number;
  particles_shown: number;
  /** lon[t][i], lat[t][i]; null where the particle is not released yet. */
  lon: Array<Array<number | null>>;
  lat: Array<Array<number | null>>;
  /** 0 active (drifting), 1 stranded, 2 outside the forcing, -1 not released. */
  status: number[][];
}

const cache = new Map<string, MapParticles>();

export function decodeTimes(values: Float64Array, units: unknown): string[] {
  const m = typeof units === 'string' ? /^(seconds|minutes|hours|days) since (.+)$/.exec(units.trim()) : null;
  if (!m || m[1] === undefined || m[2] === undefined) throw new ApiError('E_INTERNAL', `trajectory time units not understood: ${String(units)}`);
  const scale = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 }[m[1] as 'seconds'];
  const ref = m[2].trim().replace(' ', 'T');
  const epochMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ref) ? ref : `${ref}Z`);
  return Array.from(values, (v) => new Date(epochMs + v * scale * 1000).toISOString());
}

/**
 * Runs `use` on a local copy of the S3 object `uri` (a temporary file, removed afterwards): the NetCDF
 * readers need a seekable file. Objects over `maxBytes` are refused with a 413 (download the product).
 */
export async function withProductFile<T>(s3: S3Client, uri: string, label: string, maxBytes: number, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'driftline-api-'));
  const file = path.join(dir, path.basename(label));
  try {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((obj.ContentLength ?? 0) > maxBytes) throw new ApiError('E_REQUEST', `${label} is ${obj.ContentLength} bytes, too large for the map; download the product`, { statusCode: 413 });
      await pipeline(obj.Body as Readable, createWriteStream(file));
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw storageError(`get ${label}`, err);
    }
    if ((await stat(file)).size === 0) throw new ApiError('E_NOT_FOUND', `${label} is empty`);
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function readMapParticles(s3: S3Client, uri: string, maxParticles = MAX_MAP_PARTICLES): Promise<MapParticles> {
  const cached = cache.get(uri);
  if (cached) return cached;
  return withProductFile(s3, uri, 'raw/particles.nc', MAX_TRAJECTORY_BYTES, async (file) => {
    const nc = await openNetcdf(file, 'raw/particles.nc');
    try {
      const lonVar = nc.variables.get('lon');
      const timeVar = nc.variables.get('time');
      if (!lonVar || !timeVar || lonVar.shape.length !== 2 || !nc.variables.has('lat') || !nc.variables.has('status')) {
        throw new ApiError('E_NOT_FOUND', 'this mission has no trajectory in OpenDrift layout (lon/lat/status over trajectory × time)');
      }
      const [nParticles = 0, nTimes = 0] = lonVar.shape;
      const stride = Math.max(1, Math.ceil(nParticles / maxParticles));
      const times = decodeTimes(await nc.read('time'), timeVar.attrs.units);
      const [lonAll, latAll, statusAll] = await Promise.all([nc.read('lon'), nc.read('lat'), nc.read('status')]);
      const out: MapParticles = { times, particles_total: nParticles, particles_shown: 0, lon: [], lat: [], status: [] };
      for (let t = 0; t < nTimes; t++) {
        const lon: Array<number | null> = [];
        const lat: Array<number | null> = [];
        const status: number[] = [];
        for (let p = 0; p < nParticles; p += stride) {
          const k = p * nTimes + t; // row-major trajectory × time
          const x = lonAll[k] ?? NaN;
          const y = latAll[k] ?? NaN;
          const s = statusAll[k] ?? -1;
          const missing = !Number.isFinite(x) || Math.abs(x) > FILL_THRESHOLD || s < 0 || s > 2;
          lon.push(missing ? null : Math.round(x * 1e5) / 1e5);
          lat.push(missing ? null : Math.round(y * 1e5) / 1e5);
          status.push(missing ? -1 : s);
        }
        out.lon.push(lon);
        out.lat.push(lat);
        out.status.push(status);
      }
      out.particles_shown = out.status[0]?.length ?? 0;
      if (cache.size >= CACHE_MISSIONS) cache.delete(cache.keys().next().value as string);
      cache.set(uri, out);
      return out;
    } finally {
      await nc.close();
    }
  });
}
