/**
 * The mission's forcing: a resolved ForcingRequest -> ForcingDescriptor (main thread; grids in
 * SharedArrayBuffers for the simulation threads).
 *
 * Which field comes from where (the job, FORCING_<KIND>_URI, the fallback constants) was decided once
 * when the job was resolved (src/job/resolve.ts); this file only reads what the request names.
 * Land: a land_binary_mask raster from one file, a constant 0|1, or null (the global coastline).
 *
 * Every URI (the job's and the env defaults) is checked against the forcing source policy (src/storage/policy.ts)
 * before anything is fetched; a refusal is E_FORCING_DENIED naming the field (`params.forcing.wind.uri[2]`
 * or `FORCING_WIND_URI`). The policy comes with the fetch context: the caller's (`driftline run`: local
 * files anywhere) or the queued-job policy of the config (src/storage/fetch.ts fetchContextFor).
 *
 * A file must cover the seed position(s) and the whole run in time (E_FORCING_COVERAGE naming the
 * bound). Particles that drift out of the read window later get NaN from the sampler and are
 * deactivated by the model (STATUS.OUTSIDE), as OpenDrift does.
 */
import { DriftlineError } from '../errors.js';
import type { LandRaster } from '../land/types.js';
import type { ModelParams } from '../model/types.js';
import { missionWindow, seedPoints } from '../model/window.js';
import type { VectorKind } from './cf.js';
import { localFileFor, redactForcingUri, type FetchContext } from '../storage/fetch.js';
import { deniedError, isRemoteUri, localRefusal, remoteRefusal, type ForcingPolicy } from '../storage/policy.js';
import { gridCovers } from './grid.js';
import { openNetcdf, type NcFile } from '../netcdf/open.js';
import { readLandMask, readVectorField, type Coverage, type ForcingWindow, type LabeledFile } from './read.js';
import type { ForcingDescriptor, ForcingRequest, ForcingSource, NamedUris, VectorFieldDescriptor, VectorRequest } from './types.js';

const iso = (sec: number) => new Date(sec * 1000).toISOString().replace(/:00\.000Z$/, 'Z').replace(/\.000Z$/, 'Z');

/**
 * Every URI of the mission against the policy's static rules before anything is fetched, so a refused
 * third file does not cost two downloads first (DNS, realpath and redirects are checked at fetch time).
 */
function precheck(all: NamedUris[], policy: ForcingPolicy): void {
  for (const { uris, fields } of all) {
    uris.forEach((uri, i) => {
      const refusal = isRemoteUri(uri) ? remoteRefusal(uri, policy) : localRefusal(policy);
      if (refusal) throw deniedError(fields[i] ?? 'params.forcing', refusal);
    });
  }
}
const isEnoent = (err: unknown) => ((err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code) === 'ENOENT';

/** Opens every URI's local copy; each file stays pinned in the cache until closeAll. */
async function openAll({ uris, fields }: NamedUris, fctx: FetchContext): Promise<LabeledFile[]> {
  const out: LabeledFile[] = [];
  try {
    for (const [i, uri] of uris.entries()) {
      const field = fields[i] ?? 'params.forcing';
      let local = await localFileFor(uri, fctx, field);
      let file: NcFile;
      try {
        file = await openNetcdf(local.path, redactForcingUri(uri));
      } catch (err) {
        await local.release();
        if (!isRemoteUri(uri) || !isEnoent(err)) throw err;
        // Evicted by another worker process sharing the cache between our look-up and our open: once more.
        fctx.logger.warn({ uri: redactForcingUri(uri) }, 'forcing cache file vanished before it was opened; fetching it again');
        local = await localFileFor(uri, fctx, field);
        file = await openNetcdf(local.path, redactForcingUri(uri)).catch(async (e: unknown) => {
          await local.release();
          throw e;
        });
      }
      out.push({ file, label: redactForcingUri(uri), release: local.release });
    }
  } catch (err) {
    await closeAll(out);
    throw err;
  }
  return out;
}

async function closeAll(files: LabeledFile[]): Promise<void> {
  for (const f of files) {
    await f.file.close().catch(() => undefined);
    await f.release?.();
  }
}

function coverageError(msg: string): DriftlineError {
  return new DriftlineError('E_FORCING_COVERAGE', msg, { field: 'params.forcing' });
}

async function loadVector(
  kind: VectorKind,
  request: VectorRequest,
  model: ModelParams,
  window: ForcingWindow,
  fctx: FetchContext,
): Promise<{ desc: VectorFieldDescriptor; source: ForcingSource }> {
  if (request.kind === 'constant') {
    const { uMps: u, vMps: v } = request;
    return { desc: { kind: 'constant', uMps: u, vMps: v }, source: { kind: 'constant', description: `constant [${u}, ${v}] m/s`, fallback: false } };
  }
  if (request.kind === 'fallback') {
    const { uMps: u, vMps: v } = request;
    return { desc: { kind: 'constant', uMps: u, vMps: v }, source: { kind: 'fallback', description: `fallback constant [${u}, ${v}] m/s (${request.envName})`, fallback: true } };
  }
  const named = request.named;
  const rawUris = named.uris;
  // What logs, messages, the mission row and product metadata show (no presigned query strings).
  const uris = rawUris.map(redactForcingUri);
  const label = uris.length === 1 ? (uris[0] ?? '') : `${uris[0]} (+${uris.length - 1} more)`;
  const points = seedPoints(model);
  const outside = (name: string, lon: number, lat: number, c: Pick<Coverage, 'extent' | 'projected'>) =>
    coverageError(`${name} (lat ${lat.toFixed(4)}, lon ${lon.toFixed(4)}) is outside the ${kind} file's area: ${whichBound(lon, lat, c)} (${label})`);

  // Checked before any data is read: the mission's start and end times, and its seed points.
  const check = (c: Coverage) => {
    if (c.hasTime) {
      const forward = model.timeStepSec > 0;
      const first = c.firstTimeSec;
      const last = c.lastTimeSec;
      const start = model.startTimeSec;
      const end = forward ? start + model.durationSec : start - model.durationSec;
      const what = `the ${kind} file's`;
      if (start > last) throw coverageError(`start_time ${iso(start)} is after ${what} last time ${iso(last)} (${label})`);
      if (start < first) throw coverageError(`start_time ${iso(start)} is before ${what} first time ${iso(first)} (${label})`);
      if (end > last) throw coverageError(`the run ends at ${iso(end)} (start_time + duration_hours), after ${what} last time ${iso(last)} (${label})`);
      if (end < first) throw coverageError(`the backward run ends at ${iso(end)} (start_time - duration_hours), before ${what} first time ${iso(first)} (${label})`);
    }
    for (const [name, lon, lat] of points) if (!c.covers(lon, lat)) throw outside(name, lon, lat, c);
  };

  const files = await openAll(named, fctx);
  try {
    const r = await readVectorField(files, kind, window, request.variables, check);
    // The grid handed to the model must hold the seeds too (same test as the samplers).
    for (const [name, lon, lat] of points) if (!gridCovers(r.field.grid, lon, lat)) throw outside(name, lon, lat, r);
    fctx.logger.info(
      { forcing: kind, uris, variables: r.variables, projected: r.projected, nx: r.field.grid.nx, ny: r.field.grid.ny, nt: r.field.grid.nt, ...(r.lattice ? { lattice: r.lattice } : {}) },
      'forcing read',
    );
    const members = r.members > 1 ? { members: r.members } : {};
    const split = r.members > 1 ? ` (ensemble of ${r.members} members: ${ensembleSplitText(r.members, model)})` : '';
    return { desc: r.field, source: { kind: 'file', description: uris.join(', ') + split, fallback: false, variables: r.variables, ...members } };
  } finally {
    await closeAll(files);
  }
}

/** How particles are split over an ensemble's members, in words (products, summary, logs). */
export function ensembleSplitText(members: number, model: Pick<ModelParams, 'rng'>): string {
  return model.rng === 'opendrift'
    ? `each step, the i-th active particle (seeding order) reads member i mod ${members}, as OpenDrift`
    : `particle i (seeding order) reads member i mod ${members}`;
}

/**
 * OpenDrift splits each ensemble reader's elements by its own member count; two ensemble fields with
 * different counts would pair members arbitrarily, so they are refused (E_FORCING_INVALID naming the
 * second field and both files).
 */
function checkEnsembleMembers(loaded: Array<[string, ForcingSource | undefined]>): void {
  let first: [string, ForcingSource] | null = null;
  for (const [field, source] of loaded) {
    if (source?.members === undefined) continue;
    if (first === null) {
      first = [field, source];
      continue;
    }
    if (source.members !== first[1].members) {
      const file = (src: ForcingSource) => src.description.replace(/ \(ensemble of .*$/, '');
      throw new DriftlineError(
        'E_FORCING_INVALID',
        `${field}: forcing file ${file(source)} has ${source.members} ensemble members, but ${first[0]} (${file(first[1])}) has ${first[1].members}; ensemble forcing files of one mission must have the same member count`,
        { field },
      );
    }
  }
}

/** Which edge of a file's area a point lies beyond, in words, with the file's lon/lat extent. */
export function whichBound(lonDeg: number, latDeg: number, c: Pick<Coverage, 'extent' | 'projected'>): string {
  const e = c.extent;
  const area = `lon ${e.westDeg.toFixed(3)}..${e.eastDeg.toFixed(3)}, lat ${e.southDeg.toFixed(3)}..${e.northDeg.toFixed(3)}`;
  if (latDeg > e.northDeg) return `north of its northern edge, lat ${e.northDeg.toFixed(3)} (file area ${area})`;
  if (latDeg < e.southDeg) return `south of its southern edge, lat ${e.southDeg.toFixed(3)} (file area ${area})`;
  const width = e.eastDeg - e.westDeg;
  if (width < 360) {
    const d = lonDeg - e.westDeg - 360 * Math.floor((lonDeg - e.westDeg) / 360);
    if (d > width) {
      // Beyond the eastern edge by d - width, or short of the western one by 360 - d: name the nearer.
      return d - width < 360 - d
        ? `east of its eastern edge, lon ${e.eastDeg.toFixed(3)} (file area ${area})`
        : `west of its western edge, lon ${e.westDeg.toFixed(3)} (file area ${area})`;
    }
  }
  return c.projected
    ? `outside its projected grid, though inside the grid's lon/lat bounding box (${area})`
    : `on its outermost cell edge (file area ${area})`;
}

/** A land raster with one cell and the same value everywhere (land_binary_mask given as a constant). */
export function constantLandRaster(value: 0 | 1): LandRaster {
  const data = new SharedArrayBuffer(1);
  new Uint8Array(data)[0] = value;
  return { westDeg: -180, southDeg: -90, dLonDeg: 360, dLatDeg: 180, nx: 1, ny: 1, data, outside: value, source: `constant ${value}` };
}

/**
 * Reads what `request` names over the mission's window. `fctx` says what may be read and where the
 * cache is (src/storage/fetch.ts fetchContextFor builds it from the config).
 */
export async function loadForcing(request: ForcingRequest, model: ModelParams, fctx: FetchContext): Promise<ForcingDescriptor> {
  const window = missionWindow(model);
  const named = (r: VectorRequest | LandRequestLike | null) => (r !== null && r.kind === 'file' ? r.named : null);
  precheck([named(request.wind), named(request.current), named(request.stokes), named(request.land)].filter((n): n is NamedUris => n !== null), fctx.policy);

  const wind = await loadVector('wind', request.wind, model, window, fctx);
  const current = await loadVector('current', request.current, model, window, fctx);
  // drift:stokes_drift needs wave forcing from the job (src/job/resolve.ts refuses a mission without it).
  const stokes = request.stokes !== null ? await loadVector('stokes', request.stokes, model, window, fctx) : undefined;

  const field = (r: VectorRequest | null, kind: VectorKind) => (r !== null && r.kind === 'file' ? r.field : `params.forcing.${kind}.uri`);
  checkEnsembleMembers([
    [field(request.wind, 'wind'), wind.source],
    [field(request.current, 'current'), current.source],
    [field(request.stokes, 'stokes'), stokes?.source],
  ]);

  let land: LandRaster | null = null;
  let landSource: ForcingSource | undefined;
  if (request.land?.kind === 'constant') {
    land = constantLandRaster(request.land.value);
    landSource = { kind: 'constant', description: `constant land_binary_mask ${request.land.value}`, fallback: false };
  } else if (request.land?.kind === 'file') {
    // A land mask is one file (the job schema refuses a list of several).
    const files = await openAll(request.land.named, fctx);
    try {
      const [first] = files;
      if (first === undefined) throw new DriftlineError('E_INTERNAL', 'params.forcing.land.uri: no file');
      land = await readLandMask(first, window, request.land.variable);
      landSource = { kind: 'file', description: first.label, fallback: false };
    } finally {
      await closeAll(files);
    }
  }

  return {
    wind: wind.desc,
    current: current.desc,
    ...(stokes ? { stokes: stokes.desc } : {}),
    land,
    sources: {
      wind: wind.source,
      current: current.source,
      ...(landSource ? { land: landSource } : {}),
      ...(stokes ? { stokes: stokes.source } : {}),
    },
  };
}

type LandRequestLike = NonNullable<ForcingRequest['land']>;
