/**
 * raw/particles.nc: every particle at every output time in OpenDrift's Leeway output layout, so that
 * OpenDrift's own tools open it (`opendrift.open()`, `plot()`, `animation()`, `get_density_array()`,
 * `write_netcdf_density_map()`), and a CF-1.11 discrete sampling geometry (featureType "trajectory",
 * orthogonal time axis, `cf_role = trajectory_id`) with ACDD-1.3 discovery attributes and every mission
 * parameter as a global attribute.
 *
 * What follows OpenDrift 1.14.10's Leeway file (its header: ../shared/reference/opendrift/output_header.txt):
 *  - dimensions (trajectory, time); trajectory ids 0..N-1; rows in OpenDrift's order: a backward run's
 *    row i is the particle seeded last-but-i (OpenDrift flips element IDs, src/model/numbering.ts);
 *  - every element property OpenDrift writes is a (trajectory, time) variable under its name: status,
 *    moving, age_seconds, origin_marker, lon, lat, z, object_type, orientation, jibe_probability,
 *    capsized, the six leeway coefficients, current_drift_factor; OpenDrift's import takes each
 *    property's value at the particle's last record along `time`, so per-particle variables under these
 *    names break it;
 *  - status flag meanings as OpenDrift names them (missing_data for a particle that left the forcing);
 *  - masking: records before release and after the record in which a particle was deactivated
 *    (stranded, outside the forcing) are fill, as OpenDrift removes deactivated elements; floats are
 *    filled with NaN, integers with all bits set (OpenDrift's unsigned maxima 255 / 65535);
 *  - no `coordinates` attribute: xarray would turn lon/lat into coordinates, and OpenDrift reads data
 *    variables only;
 *  - `opendrift_module`/`opendrift_class`, `time_step_*` and `config_*` global attributes (opendrift-attrs.ts).
 *
 * NetCDF-3 (CDF-2) has no unsigned types: ubyte/ushort become byte/short with the same bits as fill.
 * Cost: 55 bytes per particle per record (71 with the environment) against 26 before this layout (12
 * floats, 5 bytes, 1 short); the per-particle constants repeated along time compress to almost nothing,
 * which the NetCDF-4 writer (netcdf/write4.ts, deflate) exploits: 19 bytes per record with the
 * environment, chosen for large missions (NETCDF4_MIN_RECORDS) or by `products.netcdf_format`. Both
 * encodings hold the same types, attributes and values (ubyte/ushort stay byte/short in NetCDF-4 too).
 */
import { DriftlineError } from '../errors.js';
import { ENV_COMPONENTS, type EnvComponent } from '../model/env-records.js';
import { isBackward, particleOfRow } from '../model/numbering.js';
import { STATUS, type TrajectoryResult } from '../model/types.js';
import { acddAttributes, lonLatExtent, missionAttributes, TIME_UNITS, type LonLatExtent } from './acdd.js';
import { writeNetcdf, type NcChunkArray, type NcDataset, type NcSourceArray, type NcVariable, type WriteNetcdfOptions, type WriteNetcdfResult } from '../netcdf/index.js';
import { writeNetcdf4 } from '../netcdf/write4.js';
import { envFileRows } from './env-file.js';
import { opendriftAttributes } from './opendrift-attrs.js';
import { scenarioOfParticle } from '../search/scenarios.js';
import type { ProductContext } from './types.js';

/** Fill of the integer variables: all bits set, i.e. OpenDrift's ubyte 255 / ushort 65535 read as signed. */
const FILL_INT = -1;

/** Status codes and names in OpenDrift's order for Leeway (its `status_categories`: index = code). */
export const STATUS_FLAG_MEANINGS = 'active stranded missing_data';

/**
 * Particle p's value of a per-particle array, for the fillers (p < n, the arrays' checked length). NaN
 * only satisfies the type; it is also what a missing value would have written (a byte variable stores 0).
 */
const ofParticle =
  (values: ArrayLike<number>) =>
  (p: number): number =>
    values[p] ?? NaN;

function checkLength(name: string, arr: { length: number }, expected: number): void {
  if (arr.length !== expected) {
    throw new DriftlineError('E_INTERNAL', `trajectory product: result.${name} has ${arr.length} values, expected ${expected}`);
  }
}

/**
 * Where each file row's data comes from and which of its records are written. Per particle: the record
 * it is released in and the last record written (the first one with a deactivated status, else the last).
 */
export interface RecordLayout {
  n: number;
  nT: number;
  backward: boolean;
  firstRecord: Int32Array;
  lastRecord: Int32Array;
}

export function recordLayout(result: TrajectoryResult, backward: boolean): RecordLayout {
  const { nParticles: n, nTimes: nT, status } = result;
  const firstRecord = new Int32Array(n);
  const lastRecord = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    let first = nT;
    let last = -1;
    for (let t = 0; t < nT; t++) {
      const s = status[p * nT + t] ?? STATUS.NOT_RELEASED; // in bounds: p < n, t < nT
      if (s === STATUS.NOT_RELEASED) continue;
      if (first === nT) first = t;
      last = t;
      if (s !== STATUS.ACTIVE) break; // deactivated: this record is the particle's last
    }
    firstRecord[p] = first;
    lastRecord[p] = last;
  }
  return { n, nT, backward, firstRecord, lastRecord };
}

/**
 * What a (trajectory, time) variable holds for particle p at record t: a per-record array (index
 * p * nT + t, copied a row segment at a time), a per-particle value constant along time, or any (p, t).
 */
export type RecordSource =
  | { records: NcSourceArray }
  /** Per-record values of particles [p0, p1), index (p - p0) * nT + t, fetched once per chunk (a file's records). */
  | { particleRuns: (p0: number, p1: number) => NcSourceArray }
  | { perParticle: (p: number) => number }
  | { perRecord: (p: number, t: number) => number };

/**
 * A chunk filler for a (trajectory, time) variable: file element j is row floor(j / nT), record j % nT.
 * Works a row segment at a time (typed-array copies and fills), `fill` outside the written records.
 * Measured (noisy, shared 2-core machine): ~4× faster than a per-element callback on 200 000 × 25.
 */
function recordFiller(l: RecordLayout, fill: number, src: RecordSource): NcVariable['values'] {
  const nT = l.nT;
  if ('records' in src && !l.backward) return (start: number, count: number, out: NcChunkArray) => copyForwardRecords(l, fill, src.records, start, count, out);
  return (start: number, count: number, out: NcChunkArray) => {
    const end = start + count;
    // Per-record values of this chunk's particles, from particle p0 on: the whole array, or for a file's
    // records the chunk's rows, which are one run of particles (ascending or, backward, descending).
    let run: { values: NcSourceArray; p0: number } | null = 'records' in src ? { values: src.records, p0: 0 } : null;
    if ('particleRuns' in src && count > 0) {
      const a = particleOfRow(Math.floor(start / nT), l.n, l.backward);
      const b = particleOfRow(Math.floor((end - 1) / nT), l.n, l.backward);
      const p0 = Math.min(a, b);
      run = { values: src.particleRuns(p0, Math.max(a, b) + 1), p0 };
    }
    for (let j = start; j < end; ) {
      const row = Math.floor(j / nT);
      const t0 = j - row * nT;
      const t1 = Math.min(nT, t0 + (end - j)); // exclusive
      const p = particleOfRow(row, l.n, l.backward);
      // p < n: in bounds; the defaults are recordLayout's "never released" (first = nT, last = -1).
      const lo = Math.max(t0, l.firstRecord[p] ?? nT);
      const hi = Math.min(t1, (l.lastRecord[p] ?? -1) + 1);
      const o = j - start - t0; // out index of record 0 of this row
      if (hi <= lo) {
        out.fill(fill, o + t0, o + t1);
      } else {
        if (lo > t0) out.fill(fill, o + t0, o + lo);
        if (run !== null) {
          const q = (p - run.p0) * nT;
          out.set(run.values.subarray(q + lo, q + hi), o + lo);
        } else if ('perParticle' in src) {
          out.fill(src.perParticle(p), o + lo, o + hi);
        } else if ('perRecord' in src) {
          for (let t = lo; t < hi; t++) out[o + t] = src.perRecord(p, t);
        }
        if (hi < t1) out.fill(fill, o + hi, o + t1);
      }
      j += t1 - t0;
    }
  };
}

/**
 * recordFiller of a per-record array in a forward run, where file row p is particle p and file element j
 * is source element j: the chunk is one copy, then `fill` over each row's records before its first and
 * after its last (the same values as the row-segment filler). A run whose particles are all released at
 * once and never deactivated (the 20 000 × 48 h case of bench/opendrift-side-by-side.mjs) has nothing to
 * fill. The row-segment filler took 120-200 ms of particles.nc's time there, first call in a thread.
 */
function copyForwardRecords(l: RecordLayout, fill: number, values: NcSourceArray, start: number, count: number, out: NcChunkArray): void {
  const nT = l.nT;
  const end = start + count;
  out.set(values.subarray(start, end));
  // out[j - start] for file elements j in [a, b), clipped to the chunk.
  const fillRange = (a: number, b: number) => {
    const from = Math.max(a, start);
    const to = Math.min(b, end);
    if (to > from) out.fill(fill, from - start, to - start);
  };
  for (let row = Math.floor(start / nT); row * nT < end; row++) {
    // row < n: in bounds; the defaults are recordLayout's "never released" (first = nT, last = -1).
    const first = l.firstRecord[row] ?? nT;
    const last = l.lastRecord[row] ?? -1;
    if (first === 0 && last === nT - 1) continue;
    const r0 = row * nT;
    if (last < first) {
      fillRange(r0, r0 + nT);
    } else {
      fillRange(r0, r0 + first);
      fillRange(r0 + last + 1, r0 + nT);
    }
  }
}

/**
 * Where the recorded environment's four variables read from: the result's arrays, or a large mission's
 * record file a chunk of particles at a time (products/env-file.ts); null when it was not recorded.
 */
function environmentSources(result: TrajectoryResult): Record<EnvComponent, RecordSource> | null {
  const records = result.nParticles * result.nTimes;
  const e = result.env;
  if (e) {
    for (const name of ENV_COMPONENTS) checkLength(`env.${name}`, e[name], records);
    return { windUMps: { records: e.windUMps }, windVMps: { records: e.windVMps }, currentUMps: { records: e.currentUMps }, currentVMps: { records: e.currentVMps } };
  }
  if (result.envFile === undefined) return null;
  const rows = envFileRows(result.envFile, result.nParticles, result.nTimes);
  return {
    windUMps: { particleRuns: rows('windUMps') },
    windVMps: { particleRuns: rows('windVMps') },
    currentUMps: { particleRuns: rows('currentUMps') },
    currentVMps: { particleRuns: rows('currentVMps') },
  };
}

/** A (trajectory) variable in file row order. */
function rowFiller(l: RecordLayout, value: (p: number) => number): NcVariable['values'] {
  return (start: number, count: number, out: NcChunkArray) => {
    for (let i = 0; i < count; i++) out[i] = value(particleOfRow(start + i, l.n, l.backward));
  };
}

/** The dataset for a result; exported so tests can inspect it without a file. */
export function trajectoryDataset(
  result: TrajectoryResult,
  ctx: ProductContext,
  extent: LonLatExtent | null = lonLatExtent(result.lonDeg, result.latDeg),
  weights?: Float64Array,
): NcDataset {
  const { nParticles: n, nTimes: nT } = result;
  const records = n * nT;
  checkLength('timesSec', result.timesSec, nT);
  checkLength('lonDeg', result.lonDeg, records);
  checkLength('latDeg', result.latDeg, records);
  checkLength('status', result.status, records);
  checkLength('orientation', result.orientation, records);
  checkLength('capsized', result.capsized, records);
  const co = result.coefficients;
  for (const [name, arr] of Object.entries(co)) checkLength(`coefficients.${name}`, arr as { length: number }, n);

  const m = ctx.model;
  const backward = isBackward(m.timeStepSec);
  const l = recordLayout(result, backward);
  // Weighted scenarios (issue 8): each particle's scenario, its object type, and OpenDrift's
  // origin_marker (its per-seeding number) set to the scenario index.
  const scenarios = m.scenarios ?? [];
  const scenarioOf = scenarioOfParticle(scenarios, n);
  const scenarioNames = scenarios.map((_, k) => (ctx.scenarioNames?.[k] ?? `scenario_${k}`).replace(/[^A-Za-z0-9_.-]+/g, '_'));
  const objectTypeOf = (p: number) => scenarios[scenarioOf[p] ?? 0]?.category.id ?? ctx.category.id;
  const dims2 = ['trajectory', 'time'] as const;
  const floatVar = (name: string, attrs: NcVariable['attrs'], src: RecordSource): NcVariable => ({
    name,
    type: 'float',
    dims: dims2,
    attrs: { _FillValue: NaN, ...attrs },
    values: recordFiller(l, NaN, src),
  });
  const intVar = (name: string, type: 'byte' | 'short', attrs: NcVariable['attrs'], src: RecordSource): NcVariable => ({
    name,
    type,
    dims: dims2,
    attrs: { _FillValue: FILL_INT, ...attrs },
    values: recordFiller(l, FILL_INT, src),
  });
  // OpenDrift's age: 0 in the step a particle is released, then += dt (signed) each calculation step.
  const absDtSec = Math.abs(m.timeStepSec);
  const stepsPerOutput = m.outputStepSec / absDtSec;
  const releaseStep = Int32Array.from({ length: n }, (_, p) => {
    const offsetUs = Math.round(Math.abs(ofParticle(co.releaseTimeSec)(p) - m.startTimeSec) * 1e6);
    return Math.floor(offsetUs / Math.round(absDtSec * 1e6));
  });
  const releaseStepOf = ofParticle(releaseStep);
  const crosswindSlopeOf = ofParticle(co.cwSlopePct);
  const orientationAttrs = {
    long_name: 'Leeway orientation label',
    units: '1',
    flag_values: [0, 1],
    flag_meanings: 'right left',
    comment:
      "OpenDrift's labels: 0 = RIGHT (uses the CWR* crosswind coefficients), 1 = LEFT (CWL*). A positive crosswind leeway moves the object to the left of downwind. Flips at each jibe.",
  };
  const vars: NcVariable[] = [
    {
      name: 'trajectory',
      type: 'int',
      dims: ['trajectory'],
      attrs: { cf_role: 'trajectory_id', long_name: 'trajectory number (OpenDrift element ID - 1)' },
      values: (start, count, out) => {
        for (let i = 0; i < count; i++) out[i] = start + i;
      },
    },
    {
      name: 'time',
      type: 'double',
      dims: ['time'],
      attrs: { standard_name: 'time', long_name: 'time', units: TIME_UNITS, calendar: 'standard', axis: 'T' },
      values: result.timesSec,
    },
    intVar(
      'status',
      'byte',
      {
        long_name: 'particle status',
        flag_values: [STATUS.ACTIVE, STATUS.STRANDED, STATUS.OUTSIDE],
        flag_meanings: STATUS_FLAG_MEANINGS,
        comment:
          'active: drifting; stranded: reached the coast; missing_data: left the forcing area. A deactivated particle has one record with its status, then fill (as OpenDrift). Fill before release.',
      },
      { records: result.status },
    ),
    intVar('moving', 'byte', { long_name: '1 while the particle moves with the forcing' }, { perParticle: () => 1 }),
    // `+ 0` turns the -0 of a backward run's first record into 0.
    floatVar('age_seconds', { units: 's', long_name: 'time since release (negative in a backward run, as OpenDrift)' }, {
      perRecord: (p, t) => (t * stepsPerOutput - releaseStepOf(p)) * m.timeStepSec + 0,
    }),
    intVar(
      'origin_marker',
      'byte',
      {
        long_name: 'seeding number',
        ...(scenarios.length > 0
          ? {
              description: 'An integer kept constant during the simulation, to separate seedings during analysis. One seeding per weighted scenario (params.scenarios index).',
              flag_values: scenarios.map((_, k) => k),
              flag_meanings: scenarioNames.join(' '),
            }
          : {
              description: 'An integer kept constant during the simulation, to separate seedings during analysis. One seeding per mission.',
              flag_values: [0],
              flag_meanings: 'Seed_0',
            }),
      },
      { perParticle: (p) => scenarioOf[p] ?? 0 },
    ),
    floatVar('lon', { units: 'degrees_east', standard_name: 'longitude', long_name: 'longitude', axis: 'X' }, { records: result.lonDeg }),
    floatVar('lat', { units: 'degrees_north', standard_name: 'latitude', long_name: 'latitude', axis: 'Y' }, { records: result.latDeg }),
    floatVar('z', { units: 'm', long_name: 'vertical position', positive: 'up', axis: 'Z' }, { perParticle: () => 0 }),
    intVar('object_type', 'short', { units: '1', long_name: 'Leeway object category (OBJECTPROP.DAT number)' }, { perParticle: objectTypeOf }),
    intVar('orientation', 'byte', orientationAttrs, { records: result.orientation }),
    floatVar('jibe_probability', { units: '1/h', description: 'Probability per hour that an object may change orientation (jibing)' }, {
      perParticle: () => Math.fround(m.jibeProbabilityPerHour),
    }),
    intVar(
      'capsized',
      'byte',
      { units: '1', long_name: 'capsized flag', flag_values: [0, 1], flag_meanings: 'upright capsized', comment: 'leeway reduced by capsizing:leeway_fraction while 1' },
      { records: result.capsized },
    ),
    floatVar('downwind_slope', { units: '%', long_name: 'downwind leeway slope, percent of the 10 m wind speed' }, { perParticle: ofParticle(co.dwSlopePct) }),
    floatVar('crosswind_slope', { units: '1', long_name: 'crosswind leeway slope, percent of the 10 m wind speed; its sign flips at every jibe' }, {
      perRecord: (p, t) => (result.orientation[p * nT + t] === co.orientation[p] ? crosswindSlopeOf(p) : -crosswindSlopeOf(p)),
    }),
    floatVar('downwind_offset', { units: 'cm/s', long_name: 'downwind leeway offset' }, { perParticle: ofParticle(co.dwOffsetCmps) }),
    floatVar('crosswind_offset', { units: 'cm/s', long_name: 'crosswind leeway offset' }, { perParticle: ofParticle(co.cwOffsetCmps) }),
    floatVar('downwind_eps', { units: 'cm/s', long_name: 'downwind leeway perturbation (drawn once per particle)' }, { perParticle: ofParticle(co.dwEpsCmps) }),
    floatVar('crosswind_eps', { units: 'cm/s', long_name: 'crosswind leeway perturbation (drawn once per particle)' }, { perParticle: ofParticle(co.cwEpsCmps) }),
    floatVar('current_drift_factor', { units: '1', description: 'Not used by Leeway: the current moves the object with factor 1 (as OpenDrift Leeway)' }, { perParticle: () => 1 }),
  ];
  const env = environmentSources(result);
  if (env !== null) {
    // OpenDrift's variable names; our vectors are true east/north components, hence the eastward_* standard names.
    vars.push(
      floatVar('x_wind', { standard_name: 'eastward_wind', long_name: 'eastward wind at 10 m seen by the particle', units: 'm s-1' }, env.windUMps),
      floatVar('y_wind', { standard_name: 'northward_wind', long_name: 'northward wind at 10 m seen by the particle', units: 'm s-1' }, env.windVMps),
      floatVar(
        'x_sea_water_velocity',
        { standard_name: 'eastward_sea_water_velocity', long_name: 'eastward surface current seen by the particle', units: 'm s-1' },
        env.currentUMps,
      ),
      floatVar(
        'y_sea_water_velocity',
        { standard_name: 'northward_sea_water_velocity', long_name: 'northward surface current seen by the particle', units: 'm s-1' },
        env.currentVMps,
      ),
    );
  }
  // driftline's per-particle extras (names OpenDrift does not use, so its import ignores them).
  const perRow = (name: string, type: NcVariable['type'], attrs: NcVariable['attrs'], value: (p: number) => number): NcVariable => ({
    name,
    type,
    dims: ['trajectory'],
    attrs,
    values: rowFiller(l, value),
  });
  vars.push(
    perRow('orientation_at_seeding', 'byte', { ...orientationAttrs, long_name: 'Leeway orientation label at seeding' }, ofParticle(co.orientation)),
    perRow('release_time', 'double', { long_name: 'release (seeding) time', units: TIME_UNITS, calendar: 'standard' }, ofParticle(co.releaseTimeSec)),
    perRow('seed_lon', 'double', { long_name: 'seeding longitude', units: 'degrees_east' }, ofParticle(co.seedLonDeg)),
    perRow('seed_lat', 'double', { long_name: 'seeding latitude', units: 'degrees_north' }, ofParticle(co.seedLatDeg)),
    perRow('particle_index', 'int', { long_name: 'seeding order of the particle (0 = seeded first)' }, (p) => p),
    // Issue 8: the final posterior probability of each particle (Σ = 1), equal weights 1/n unless
    // completed searches (params.search.completed) moved them.
    perRow(
      'weight',
      'double',
      {
        units: '1',
        long_name: 'probability weight of the particle (final posterior)',
        comment: 'Sums to 1 over the trajectories: 1/n each (with params.scenarios: the scenario weight ÷ its particle count), multiplied by (1 - POD x f) for each completed search that found nothing and renormalised (src/search/bayes.ts)',
      },
      weights !== undefined ? ofParticle(weights) : () => 1 / n,
    ),
  );
  if (scenarios.length > 0) {
    // Issue 8: which weighted scenario (params.scenarios index) seeded the particle, so readers can split
    // any product by hypothesis; its prior weight is params.scenarios[k].weight (normalised) ÷ its count.
    vars.push(
      perRow(
        'scenario',
        'short',
        {
          units: '1',
          long_name: 'weighted scenario index (params.scenarios)',
          flag_values: scenarios.map((_, k) => k),
          flag_meanings: scenarioNames.join(' '),
          comment: `prior weights: ${scenarios.map((sc, k) => `${scenarioNames[k]} ${sc.weight} over ${sc.count} particles (${sc.category.key})`).join('; ')}`,
        },
        (p) => scenarioOf[p] ?? 0,
      ),
    );
  }

  const c = ctx.category;
  const hours = m.durationSec / 3600;
  const title = `Leeway drift trajectories: ${c.key} (category ${c.id}), mission ${ctx.missionId}`;
  const summary =
    `Trajectories of ${n} particles of Leeway object category ${c.id} ${c.key} ("${c.description.replace(/^>+/, '')}"), ` +
    `seeded at latitude ${m.seeding.latDeg.toFixed(5)}, longitude ${m.seeding.lonDeg.toFixed(5)} and run ${hours} h ${backward ? 'backward' : 'forward'} in time ` +
    `with a ${absDtSec} s step, output every ${m.outputStepSec} s, by driftline's Leeway model.`;
  return {
    dims: [
      { name: 'trajectory', size: n },
      { name: 'time', size: nT },
    ],
    attrs: {
      ...acddAttributes(ctx, {
        title,
        summary,
        cdmDataType: 'Trajectory',
        processingLevel: 'Model output: Lagrangian particle trajectories (ensemble)',
        extent,
        timesSec: result.timesSec,
        outputStepSec: m.outputStepSec,
      }),
      featureType: 'trajectory',
      ...opendriftAttributes(m),
      ...missionAttributes(ctx),
      ...(extent === null ? { comment_positions: 'no particle was released during the run' } : {}),
      particle_steps: result.particleSteps,
      ...ensembleAttributes(ctx),
    },
    vars,
  };
}

/**
 * Ensemble forcing (issue 10 item 5): how many members and how the particles were split over them,
 * with the fields that were ensembles. Absent when no field was.
 */
function ensembleAttributes(ctx: ProductContext): Record<string, string | number> {
  const fields = Object.entries(ctx.forcing).filter(([, s]) => s?.members !== undefined && s.members > 1);
  const members = fields[0]?.[1]?.members;
  if (members === undefined) return {};
  return {
    ensemble_members: members,
    ensemble_fields: fields.map(([k]) => k).join(' '),
    ensemble_split:
      ctx.model.rng === 'opendrift'
        ? `member = position among the active particles (seeding order) at each step mod ${members}, as OpenDrift's structured readers`
        : `member = particle_index mod ${members}`,
  };
}

/**
 * From how many particle records (particles × outputs) `products.netcdf_format: "auto"` writes NetCDF-4.
 * Measured (bench/netcdf4.bench.mjs, 100 000 × 49 with the environment, shared 2-core machine at load
 * 5-7): NetCDF-3 72 B per record, 352 MB in 0.55-1.3 s; NetCDF-4 with deflate 19 B per record, 95 MB in
 * 8-12 s (h5wasm's single-threaded zlib). NetCDF-4 would break the products' 2 s budget at 100 000 × 49
 * (4.9 M records), so small and ordinary missions stay NetCDF-3; from 7 M records a NetCDF-3 file passes
 * 7e6 × 72 B ≈ 504 MB and would soon pass the map's 512 MiB read limit (src/api/particles.ts), while
 * NetCDF-4 stays under it to ~28 M records. At 1 000 000 × 49 (load 7-9): NetCDF-3 3.5 GB in 19 s,
 * NetCDF-4 0.95 GB in 52 s.
 */
export const NETCDF4_MIN_RECORDS = 7_000_000;

export type TrajectoryNcFormat = 'netcdf3' | 'netcdf4';

/** The encoding of raw/particles.nc for a job's `products.netcdf_format` and the result's size. */
export function trajectoryNcFormat(requested: 'auto' | TrajectoryNcFormat | undefined, nParticles: number, nTimes: number): TrajectoryNcFormat {
  if (requested === 'netcdf3' || requested === 'netcdf4') return requested;
  return nParticles * nTimes >= NETCDF4_MIN_RECORDS ? 'netcdf4' : 'netcdf3';
}

/**
 * Write raw/particles.nc for a result, as NetCDF-3 (CDF-2) or NetCDF-4 with deflate (trajectoryNcFormat;
 * `format` overrides the job's choice). Streams: memory beyond `result` is a few 1 MiB chunks and 12 bytes per particle
 * (a result whose environment is in a file, `envFile`, adds two buffers of one chunk's records to read it).
 */
export async function writeTrajectoryNc(
  result: TrajectoryResult,
  ctx: ProductContext,
  filePath: string,
  opts: WriteNetcdfOptions & { format?: TrajectoryNcFormat } = {},
  weights?: Float64Array,
): Promise<WriteNetcdfResult & { format: TrajectoryNcFormat }> {
  const format = opts.format ?? trajectoryNcFormat(ctx.options.netcdfFormat, result.nParticles, result.nTimes);
  const ds = trajectoryDataset(result, ctx, undefined, weights);
  if (format === 'netcdf4') {
    const onChunk = opts.onChunk;
    const r = await writeNetcdf4(filePath, ds, {
      ...(opts.chunkBytes !== undefined ? { chunkBytes: opts.chunkBytes } : {}),
      // HDF5 places the compressed chunks itself: no file position to report.
      ...(onChunk ? { onChunk: (c: { variable: string; bytes: number }) => onChunk({ variable: c.variable, position: -1, bytes: c.bytes }) } : {}),
    });
    return { ...r, format };
  }
  return { ...(await writeNetcdf(filePath, ds, opts)), format };
}
