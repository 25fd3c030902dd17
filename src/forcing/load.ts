/**
 * The mission's forcing: job params + env defaults -> ForcingDescriptor (main thread; grids in
 * SharedArrayBuffers for the simulation threads).
 *
 * Rules, per vector field (wind, current):
 *  1. `params.forcing.<kind>` = {constant: [u, v]} or {uri, variables?};
 *  2. otherwise FORCING_<KIND>_URI;
 *  3. otherwise FORCING_FALLBACK_<KIND> constants, marked `fallback: true` (the caller logs it loudly),
 *     or E_FORCING_MISSING when FORCING_FALLBACK=fail.
 * Land: `params.forcing.land` ({uri} -> land_binary_mask raster, {constant: 0|1}), else FORCING_LAND_URI,
 * else null (the global coastline).
 *
 * Every URI (the job's and the env defaults) is checked against the forcing source policy (src/storage/policy.ts)
 * before anything is fetched; a refusal is E_FORCING_DENIED naming the field (`params.forcing.wind.uri[2]`
 * or `FORCING_WIND_URI`). The policy comes from the caller (`driftline run`: local files anywhere) or,
 * by default, from the config (queued jobs).
 *
 * A file must cover the seed position(s) and the whole run in time (E_FORCING_COVERAGE naming the
 * bound). Particles that drift out of the read window later get NaN from the sampler and are
 * deactivated by the model (STATUS.OUTSIDE), as OpenDrift does.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import { DriftlineError } from '../errors.js';
import type { JobParams } from '../job.js';
import type { LandRaster } from '../land/types.js';
import type { Logger } from '../logger.js';
import type { ModelParams } from '../model/types.js';
import { missionWindow, seedPoints } from '../model/window.js';
import type { VectorKind } from './cf.js';
import { localFileFor, redactForcingUri, type FetchContext } from '../storage/fetch.js';
import { deniedError, forcingPolicyFor, isRemoteUri, localRefusal, remoteRefusal, type ForcingPolicy } from '../storage/policy.js';
import { gridCovers } from './grid.js';
import { openNetcdf, type NcFile } from './netcdf.js';
import { readLandMask, readVectorField, type Coverage, type ForcingWindow, type LabeledFile } from './read.js';
import type { ForcingDescriptor, ForcingSource, VectorFieldDescriptor } from './types.js';


/** What loadForcing needs from its caller (the mission pipeline or a test). */
export interface LoadContext {
  config: Config;
  /** What the mission may read; default the queued-job policy of `config` (`driftline run` allows local files). */
  policy?: ForcingPolicy;
  s3: S3Client | null;
  logger: Logger;
  signal?: AbortSignal;
}

type VectorSpec = { constant: [number, number] } | { uri: string | string[]; variables?: { u: string; v: string } };

/** A spec's URIs with the name each goes by in errors: `params.forcing.wind.uri[2]`, or the env variable. */
interface NamedUris {
  uris: string[];
  fields: string[];
}



const iso = (sec: number) => new Date(sec * 1000).toISOString().replace(/:00\.000Z$/, 'Z').replace(/\.000Z$/, 'Z');

function uriList(u: string | string[]): string[] {
  return Array.isArray(u) ? u : [u];
}

function namedUris(u: string | string[], base: string): NamedUris {
  const uris = uriList(u);
  return { uris, fields: uris.map((_, i) => (Array.isArray(u) ? `${base}[${i}]` : base)) };
}

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
  spec: VectorSpec,
  named: NamedUris | null,
  model: ModelParams,
  window: ForcingWindow,
  fctx: FetchContext,
): Promise<{ desc: VectorFieldDescriptor; source: ForcingSource }> {
  if ('constant' in spec) {
    const [u, v] = spec.constant;
    return { desc: { kind: 'constant', uMps: u, vMps: v }, source: { kind: 'constant', description: `constant [${u}, ${v}] m/s`, fallback: false } };
  }
  if (!named) throw new DriftlineError('E_INTERNAL', `params.forcing.${kind}: a uri spec without its named URIs`);
  const rawUris = named.uris;
  // What logs, messages, the mission row and product metadata show (no presigned query strings).
  const uris = rawUris.map(redactForcingUri);
  const label = uris.length === 1 ? uris[0]! : `${uris[0]} (+${uris.length - 1} more)`;
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
    const r = await readVectorField(files, kind, window, spec.variables, check);
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

function vectorSpecFor(kind: VectorKind, params: JobParams, config: Config): { spec: VectorSpec; named: NamedUris | null } | null {
  const given = params.forcing?.[kind] as VectorSpec | undefined;
  if (given) return { spec: given, named: 'uri' in given ? namedUris(given.uri, `params.forcing.${kind}.uri`) : null };
  const envKey = kind === 'wind' ? 'FORCING_WIND_URI' : 'FORCING_CURRENT_URI';
  const env = config[envKey];
  if (!env) return null;
  const spec = { uri: env.includes(',') ? env.split(',').map((s) => s.trim()).filter(Boolean) : env };
  return { spec, named: { uris: uriList(spec.uri), fields: uriList(spec.uri).map(() => envKey) } };
}

/** A land raster with one cell and the same value everywhere (land_binary_mask given as a constant). */
export function constantLandRaster(value: 0 | 1): LandRaster {
  const data = new SharedArrayBuffer(1);
  new Uint8Array(data)[0] = value;
  return { westDeg: -180, southDeg: -90, dLonDeg: 360, dLatDeg: 180, nx: 1, ny: 1, data, outside: value, source: `constant ${value}` };
}

export async function loadForcing(
  params: JobParams,
  model: ModelParams,
  ctx: LoadContext,
): Promise<ForcingDescriptor> {
  const { config } = ctx;
  const policy = ctx.policy ?? forcingPolicyFor(config);
  const fctx: FetchContext = {
    policy,
    s3: ctx.s3,
    cacheDir: config.FORCING_CACHE_DIR,
    cacheMaxMb: config.FORCING_CACHE_MAX_MB,
    logger: ctx.logger,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  const window = missionWindow(model);
  const specs = { wind: vectorSpecFor('wind', params, config), current: vectorSpecFor('current', params, config) };
  const jobLand = params.forcing?.land;
  const landSpec = jobLand ?? (config.FORCING_LAND_URI ? { uri: config.FORCING_LAND_URI } : undefined);
  const landNamed = landSpec && 'uri' in landSpec ? (jobLand ? namedUris(landSpec.uri, 'params.forcing.land.uri') : { uris: [landSpec.uri].flat(), fields: ['FORCING_LAND_URI'] }) : null;
  const stokesSpec = params.forcing?.stokes as VectorSpec | undefined;
  const stokesNamed = stokesSpec && 'uri' in stokesSpec ? namedUris(stokesSpec.uri, 'params.forcing.stokes.uri') : null;
  precheck([specs.wind?.named, specs.current?.named, landNamed, stokesNamed].filter((n): n is NamedUris => n !== null && n !== undefined), policy);

  const out: Partial<Record<VectorKind, { desc: VectorFieldDescriptor; source: ForcingSource }>> = {};
  for (const kind of ['wind', 'current'] as const) {
    const spec = specs[kind];
    if (spec) {
      out[kind] = await loadVector(kind, spec.spec, spec.named, model, window, fctx);
      continue;
    }
    if (config.FORCING_FALLBACK === 'fail') {
      throw new DriftlineError('E_FORCING_MISSING', `params.forcing.${kind}: the mission names no ${kind} forcing, FORCING_${kind.toUpperCase()}_URI is unset and FORCING_FALLBACK=fail`, {
        field: `params.forcing.${kind}`,
      });
    }
    const [u, v] = kind === 'wind' ? config.FORCING_FALLBACK_WIND : config.FORCING_FALLBACK_CURRENT;
    out[kind] = {
      desc: { kind: 'constant', uMps: u, vMps: v },
      source: { kind: 'fallback', description: `fallback constant [${u}, ${v}] m/s (FORCING_FALLBACK_${kind.toUpperCase()})`, fallback: true },
    };
  }

  // drift:stokes_drift needs wave forcing from the job: no environment default, and a missing one is an
  // error rather than OpenDrift's silent fallback of 0 (a job that asks for Stokes drift means it).
  let stokes: { desc: VectorFieldDescriptor; source: ForcingSource } | undefined;
  if (model.stokesDrift) {
    const spec = stokesSpec;
    if (!spec) {
      throw new DriftlineError('E_JOB_INVALID', 'params.forcing.stokes: params.stokes_drift is true but the mission gives no Stokes drift forcing (constant or a file with sea_surface_wave_stokes_drift_x/y_velocity)', {
        field: 'params.forcing.stokes',
      });
    }
    stokes = await loadVector('stokes', spec, stokesNamed, model, window, fctx);
  }

  const uriField = (kind: VectorKind) => (params.forcing?.[kind] ? `params.forcing.${kind}.uri` : kind === 'wind' ? 'FORCING_WIND_URI' : kind === 'current' ? 'FORCING_CURRENT_URI' : `params.forcing.${kind}.uri`);
  checkEnsembleMembers([
    [uriField('wind'), out.wind?.source],
    [uriField('current'), out.current?.source],
    [uriField('stokes'), stokes?.source],
  ]);

  let land: LandRaster | null = null;
  let landSource: ForcingSource | undefined;
  if (landSpec && 'constant' in landSpec) {
    land = constantLandRaster(landSpec.constant);
    landSource = { kind: 'constant', description: `constant land_binary_mask ${landSpec.constant}`, fallback: false };
  } else if (landSpec && landNamed) {
    const uris = landNamed.uris;
    // A land mask is one file: the first URI (the others were checked against the policy above).
    const files = await openAll({ uris: [uris[0]!], fields: [landNamed.fields[0]!] }, fctx);
    try {
      land = await readLandMask(files[0]!, window, landSpec.variable);
    } finally {
      await closeAll(files);
    }
    landSource = { kind: 'file', description: redactForcingUri(uris[0]!), fallback: false };
  }

  return {
    wind: out.wind!.desc,
    current: out.current!.desc,
    ...(stokes ? { stokes: stokes.desc } : {}),
    land,
    sources: {
      wind: out.wind!.source,
      current: out.current!.source,
      ...(landSource ? { land: landSource } : {}),
      ...(stokes ? { stokes: stokes.source } : {}),
    },
  };
}
