/**
 * The particles a re-plan needs, read back from a stored raw/particles.nc (local file or S3 object):
 * time, lon, lat, status (trajectory × time) and the per-trajectory `weight`. Nothing else of the file
 * is read: the header is parsed by our NetCDF-3 reader (src/netcdf/read3.ts), and each of those
 * non-record variables (the writer stores none along a record dimension) is one contiguous positioned
 * read (one ranged GET on S3), swapped to host order in place. A NetCDF-4 particles.nc (large missions,
 * issue 10) is copied to a temporary file and read with h5wasm (readStoredParticlesNetcdf4).
 *
 * Why not netcdfjs (used here before): it needs the whole file in memory (182 MB at 100 000 particles
 * × 25 records, for 23 MB of wanted bytes) and decodes value by value into boxed arrays; reading and
 * decoding took ~1.2 s of a 2.0 s re-plan at 100 000 particles (bench/plan.bench.mjs).
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DriftlineError } from '../errors.js';
import { readNetcdf3Header, type Nc3Header, type Nc3Source, type Nc3Variable } from '../netcdf/read3.js';
import { openNetcdf, type AttrValue } from '../netcdf/open.js';
import type { Tracks } from '../search/index.js';

export interface StoredParticles {
  tracks: Tracks;
  /** Per particle (file row), the mission's posterior weight; equal weights when the file has none. */
  weight: Float64Array;
}

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** CF time values ("<unit> since <epoch>") to seconds since 1970-01-01 UTC. */
function timesToUnixSec(values: Float64Array, units: AttrValue | undefined, label: string): Float64Array {
  const m = typeof units === 'string' ? /^(seconds|minutes|hours|days) since (.+)$/.exec(units.trim()) : null;
  const scale = m?.[1] !== undefined ? UNIT_SECONDS[m[1]] : undefined;
  const ref = m?.[2]?.trim().replace(' ', 'T');
  const epochMs = ref === undefined ? NaN : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(ref) ? ref : `${ref}Z`);
  if (scale === undefined || !Number.isFinite(epochMs)) throw new DriftlineError('E_INTERNAL', `${label}: time units not understood: ${String(units)}`);
  const out = new Float64Array(values.length);
  values.forEach((v, i) => {
    out[i] = epochMs / 1000 + v * scale;
  });
  return out;
}

const ELEMENT_BYTES: Record<string, number> = { byte: 1, float: 4, double: 8 };

/**
 * A whole non-record variable straight into a typed array of its own type (big-endian on disk,
 * swapped in place): no Float64Array in between, so the 100 000 × 25 lon array is one 10 MB buffer,
 * not 10 MB plus a 20 MB double copy (page faults on fresh memory were half the read time).
 */
async function readWhole(src: Nc3Source, v: Nc3Variable, label: string): Promise<Float32Array | Float64Array | Uint8Array> {
  const size = ELEMENT_BYTES[v.type];
  if (size === undefined || v.record) throw new DriftlineError('E_INTERNAL', `${label}: variable ${v.name} is ${v.record ? 'a record variable' : v.type}; expected a fixed-size byte, float or double`);
  const count = v.shape.reduce((a, b) => a * b, 1);
  const buf = Buffer.from(new ArrayBuffer(count * size));
  if (count === 0) return size === 1 ? new Uint8Array(0) : size === 4 ? new Float32Array(0) : new Float64Array(0);
  const { bytesRead } = await src.read(buf, 0, buf.length, v.begin);
  if (bytesRead < buf.length) throw new DriftlineError('E_INTERNAL', `${label} is truncated (variable ${v.name})`);
  if (size === 1) return new Uint8Array(buf.buffer, 0, count);
  if (!LITTLE_ENDIAN_HOST) {
    const dv = new DataView(buf.buffer);
    return size === 4 ? Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i)) : Float64Array.from({ length: count }, (_, i) => dv.getFloat64(8 * i));
  }
  if (size === 4) {
    buf.swap32();
    return new Float32Array(buf.buffer, 0, count);
  }
  buf.swap64();
  return new Float64Array(buf.buffer, 0, count);
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** 8 MiB per copy read: 128 ranged GETs for a 1 GB NetCDF-4 particles.nc on S3. */
const COPY_BYTES = 8 << 20;

/**
 * A NetCDF-4 particles.nc (written from NETCDF4_MIN_RECORDS particle records up, issue 10): HDF5 needs
 * a file, so the source is copied to a temporary file (8 MiB reads), then read with h5wasm. Memory: the
 * variables as Float64Array while they are converted (lon+lat+status: 17 bytes per particle record).
 */
async function readStoredParticlesNetcdf4(src: Nc3Source, label: string): Promise<StoredParticles> {
  const { size } = await src.stat();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'driftline-particles-'));
  const file = path.join(dir, 'particles.nc');
  try {
    const out = await open(file, 'w');
    try {
      const buf = Buffer.alloc(Math.min(COPY_BYTES, Math.max(1, size)));
      for (let pos = 0; pos < size; ) {
        const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, size - pos), pos);
        if (bytesRead === 0) throw new DriftlineError('E_INTERNAL', `${label} is truncated at byte ${pos} of ${size}`);
        await out.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
      }
    } finally {
      await out.close();
    }
    const nc = await openNetcdf(file, label);
    try {
      const vars = nc.variables;
      const lonVar = vars.get('lon');
      const [nParticles = 0, nTimes = 0] = lonVar?.shape ?? [];
      const shape = `${nParticles},${nTimes}`;
      const ok = (name: string, s: string) => vars.get(name)?.shape.join(',') === s;
      if (!lonVar || lonVar.dims.join(',') !== 'trajectory,time' || !ok('lat', shape) || !ok('status', shape) || !ok('time', String(nTimes))) {
        throw new DriftlineError('E_INTERNAL', `${label}: not a driftline trajectory file (lon, lat, status over trajectory × time)`);
      }
      const hasWeight = ok('weight', String(nParticles));
      const time = await nc.read('time');
      return {
        tracks: {
          nParticles,
          nTimes,
          timesSec: timesToUnixSec(time, vars.get('time')?.attrs.units, label),
          lonDeg: Float32Array.from(await nc.read('lon')),
          latDeg: Float32Array.from(await nc.read('lat')),
          // Signed bytes read as -1 for fill become 255 (ToUint8), as in the NetCDF-3 path.
          status: Uint8Array.from(await nc.read('status')),
        },
        weight: hasWeight ? await nc.read('weight') : new Float64Array(nParticles).fill(1 / Math.max(1, nParticles)),
      };
    } finally {
      await nc.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46]; // '\x89HDF'

/** Read the re-plan variables from a NetCDF-3 or NetCDF-4 source (closed afterwards). */
export async function readStoredParticles(src: Nc3Source, label: string): Promise<StoredParticles> {
  try {
    const magic = Buffer.alloc(4);
    await src.read(magic, 0, 4, 0);
    if (HDF5_MAGIC.every((b, i) => magic[i] === b)) return await readStoredParticlesNetcdf4(src, label);
    let header: Nc3Header;
    try {
      header = await readNetcdf3Header(src);
    } catch (err) {
      throw new DriftlineError('E_INTERNAL', `${label}: not a readable NetCDF-3 file: ${(err as Error).message}`, { cause: err });
    }
    const vars = header.variables;
    const lonVar = vars.get('lon');
    const latVar = vars.get('lat');
    const statusVar = vars.get('status');
    const timeVar = vars.get('time');
    const [nParticles = 0, nTimes = 0] = lonVar?.shape ?? [];
    const shape = `${nParticles},${nTimes}`;
    if (!lonVar || !latVar || !statusVar || !timeVar || lonVar.dims.join(',') !== 'trajectory,time' || latVar.shape.join(',') !== shape || statusVar.shape.join(',') !== shape || timeVar.shape.join(',') !== String(nTimes)) {
      throw new DriftlineError('E_INTERNAL', `${label}: not a driftline trajectory file (lon, lat, status over trajectory × time)`);
    }
    const weightVar = vars.get('weight');
    const hasWeight = weightVar !== undefined && weightVar.shape.join(',') === String(nParticles);
    // Independent reads: on S3 they are ranged GETs in flight at once.
    const [time, lon, lat, status, weight] = await Promise.all([
      readWhole(src, timeVar, label),
      readWhole(src, lonVar, label),
      readWhole(src, latVar, label),
      readWhole(src, statusVar, label),
      hasWeight ? readWhole(src, weightVar, label) : Promise.resolve(null),
    ]);
    if (!(lon instanceof Float32Array) || !(lat instanceof Float32Array) || !(status instanceof Uint8Array) || !(time instanceof Float64Array) || (weight !== null && !(weight instanceof Float64Array))) {
      throw new DriftlineError('E_INTERNAL', `${label}: unexpected variable types (lon/lat float, status byte, time/weight double)`);
    }
    return {
      tracks: {
        nParticles,
        nTimes,
        timesSec: timesToUnixSec(time, timeVar.attrs.units, label),
        lonDeg: lon,
        latDeg: lat,
        // A signed byte on disk, viewed unsigned: fill (-1, all bits set) after deactivation and before
        // release reads as 255, which no status code uses: never "active".
        status,
      },
      weight: weight ?? new Float64Array(nParticles).fill(1 / Math.max(1, nParticles)),
    };
  } finally {
    await src.close().catch(() => undefined);
  }
}

/** A local particles.nc. */
export async function readLocalParticles(file: string): Promise<StoredParticles> {
  const fh = await open(file, 'r').catch((e: Error) => {
    throw new DriftlineError('E_NOT_FOUND', `${file}: ${e.message}`);
  });
  return readStoredParticles(fh, file);
}
