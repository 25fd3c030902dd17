/**
 * raw/particles.nc: every particle at every output time, in OpenDrift's layout (dimensions trajectory ×
 * time, float32 lon/lat, the Leeway element properties under OpenDrift's names) and as a CF-1.11 discrete
 * sampling geometry (featureType "trajectory", orthogonal time axis shared by all trajectories), with
 * ACDD-1.3 discovery attributes and every mission parameter as a global attribute.
 *
 * Records before a particle's release hold _FillValue (lon/lat/environment) and status 255 (= -1 as a
 * signed netCDF byte, its _FillValue), so CF readers mask them.
 */
import { DriftlineError } from '../errors.js';
import { STATUS, STATUS_MEANINGS, type TrajectoryResult } from '../model/types.js';
import { acddAttributes, lonLatExtent, missionAttributes, TIME_UNITS, type LonLatExtent } from './netcdf/acdd.js';
import { NC_DEFAULT_FILL, writeNetcdf, type NcDataset, type NcVariable, type WriteNetcdfOptions, type WriteNetcdfResult } from './netcdf/index.js';
import type { ProductContext } from './types.js';

/** netCDF's default float fill (9.96921e36), the value readers already treat as missing. */
const FILL_FLOAT = NC_DEFAULT_FILL.float;

function checkLength(name: string, arr: { length: number }, expected: number): void {
  if (arr.length !== expected) {
    throw new DriftlineError('E_INTERNAL', `trajectory product: result.${name} has ${arr.length} values, expected ${expected}`);
  }
}

/** Particle ids 1..N (OpenDrift numbers elements from 1), computed chunk by chunk. */
const trajectoryIds: NcVariable['values'] = (start, count, out) => {
  for (let i = 0; i < count; i++) out[i] = start + i + 1;
};

function recordVar(name: string, values: Float32Array, attrs: NcVariable['attrs']): NcVariable {
  return { name, type: 'float', dims: ['trajectory', 'time'], attrs: { ...attrs, _FillValue: FILL_FLOAT, coordinates: 'time lat lon' }, values };
}

function particleVar(name: string, type: NcVariable['type'], values: NcVariable['values'], attrs: NcVariable['attrs']): NcVariable {
  return { name, type, dims: ['trajectory'], attrs, values };
}

/** The dataset for a result; exported so tests can inspect it without a file. */
export function trajectoryDataset(result: TrajectoryResult, ctx: ProductContext, extent: LonLatExtent | null = lonLatExtent(result.lonDeg, result.latDeg)): NcDataset {
  const { nParticles: n, nTimes: nT } = result;
  const records = n * nT;
  checkLength('timesSec', result.timesSec, nT);
  checkLength('lonDeg', result.lonDeg, records);
  checkLength('latDeg', result.latDeg, records);
  checkLength('status', result.status, records);
  const co = result.coefficients;
  for (const [name, arr] of Object.entries(co)) checkLength(`coefficients.${name}`, arr as { length: number }, n);

  const m = ctx.model;
  const forward = m.timeStepSec > 0;
  const vars: NcVariable[] = [
    particleVar('trajectory', 'int', trajectoryIds, { cf_role: 'trajectory_id', long_name: 'particle number (1-based, as OpenDrift element ID)' }),
    {
      name: 'time',
      type: 'double',
      dims: ['time'],
      attrs: { standard_name: 'time', long_name: 'time', units: TIME_UNITS, calendar: 'standard', axis: 'T' },
      values: result.timesSec,
    },
    {
      name: 'lon',
      type: 'float',
      dims: ['trajectory', 'time'],
      attrs: { standard_name: 'longitude', long_name: 'longitude', units: 'degrees_east', _FillValue: FILL_FLOAT },
      values: result.lonDeg,
    },
    {
      name: 'lat',
      type: 'float',
      dims: ['trajectory', 'time'],
      attrs: { standard_name: 'latitude', long_name: 'latitude', units: 'degrees_north', _FillValue: FILL_FLOAT },
      values: result.latDeg,
    },
    {
      name: 'status',
      type: 'byte',
      dims: ['trajectory', 'time'],
      attrs: {
        long_name: 'particle status',
        flag_values: [STATUS.ACTIVE, STATUS.STRANDED, STATUS.OUTSIDE],
        flag_meanings: STATUS_MEANINGS,
        // 255 (not yet released) is -1 as a signed byte: the fill value, masked by CF readers.
        _FillValue: -1,
        comment: 'active: drifting; stranded: reached the coast and stays put; outside_forcing: left the forcing area (OpenDrift missing_data). Fill: not yet released.',
        coordinates: 'time lat lon',
      },
      values: result.status,
    },
  ];
  const orientationAttrs = {
    long_name: 'Leeway orientation label',
    flag_values: [0, 1],
    flag_meanings: 'right left',
    comment:
      "OpenDrift's labels: 0 = RIGHT (uses the CWR* crosswind coefficients), 1 = LEFT (CWL*). A positive crosswind leeway moves the object to the left of downwind. Flips at each jibe.",
  };
  if (result.orientation.length === records) {
    vars.push({ name: 'orientation', type: 'byte', dims: ['trajectory', 'time'], attrs: { ...orientationAttrs, coordinates: 'time lat lon' }, values: result.orientation });
  } else {
    checkLength('orientation', result.orientation, n);
    vars.push(particleVar('orientation', 'byte', result.orientation, orientationAttrs));
  }
  checkLength('capsized', result.capsized, records);
  vars.push({
    name: 'capsized',
    type: 'byte',
    dims: ['trajectory', 'time'],
    attrs: { long_name: 'capsized flag at each output time', flag_values: [0, 1], flag_meanings: 'upright capsized', coordinates: 'time lat lon' },
    values: result.capsized,
  });
  vars.push(
    particleVar('orientation_at_seeding', 'byte', co.orientation, { ...orientationAttrs, long_name: 'Leeway orientation label at seeding' }),
    particleVar('downwind_slope', 'float', co.dwSlopePct, { long_name: 'downwind leeway slope', units: 'percent', comment: 'percent of the 10 m wind speed' }),
    particleVar('downwind_offset', 'float', co.dwOffsetCmps, { long_name: 'downwind leeway offset', units: 'cm s-1' }),
    particleVar('downwind_eps', 'float', co.dwEpsCmps, { long_name: 'downwind leeway perturbation (per particle)', units: 'cm s-1' }),
    particleVar('crosswind_slope', 'float', co.cwSlopePct, {
      long_name: 'crosswind leeway slope at seeding',
      units: 'percent',
      comment: 'percent of the 10 m wind speed; its sign flips at every jibe',
    }),
    particleVar('crosswind_offset', 'float', co.cwOffsetCmps, { long_name: 'crosswind leeway offset', units: 'cm s-1' }),
    particleVar('crosswind_eps', 'float', co.cwEpsCmps, { long_name: 'crosswind leeway perturbation (per particle)', units: 'cm s-1' }),
    particleVar('release_time', 'double', co.releaseTimeSec, { long_name: 'release (seeding) time', units: TIME_UNITS, calendar: 'standard' }),
    particleVar('seed_lon', 'double', co.seedLonDeg, { long_name: 'seeding longitude', units: 'degrees_east' }),
    particleVar('seed_lat', 'double', co.seedLatDeg, { long_name: 'seeding latitude', units: 'degrees_north' }),
  );
  if (result.env) {
    const e = result.env;
    checkLength('env.windUMps', e.windUMps, records);
    checkLength('env.windVMps', e.windVMps, records);
    checkLength('env.currentUMps', e.currentUMps, records);
    checkLength('env.currentVMps', e.currentVMps, records);
    // OpenDrift's variable names; our vectors are true east/north components, hence the eastward_* standard names.
    vars.push(
      recordVar('x_wind', e.windUMps, { standard_name: 'eastward_wind', long_name: 'eastward wind at 10 m seen by the particle', units: 'm s-1' }),
      recordVar('y_wind', e.windVMps, { standard_name: 'northward_wind', long_name: 'northward wind at 10 m seen by the particle', units: 'm s-1' }),
      recordVar('x_sea_water_velocity', e.currentUMps, {
        standard_name: 'eastward_sea_water_velocity',
        long_name: 'eastward surface current seen by the particle',
        units: 'm s-1',
      }),
      recordVar('y_sea_water_velocity', e.currentVMps, {
        standard_name: 'northward_sea_water_velocity',
        long_name: 'northward surface current seen by the particle',
        units: 'm s-1',
      }),
    );
  }

  const c = ctx.category;
  const hours = m.durationSec / 3600;
  const title = `Leeway drift trajectories: ${c.key} (category ${c.id}), mission ${ctx.missionId}`;
  const summary =
    `Trajectories of ${n} particles of Leeway object category ${c.id} ${c.key} ("${c.description.replace(/^>+/, '')}"), ` +
    `seeded at latitude ${m.seeding.latDeg.toFixed(5)}, longitude ${m.seeding.lonDeg.toFixed(5)} and run ${hours} h ${forward ? 'forward' : 'backward'} in time ` +
    `with a ${Math.abs(m.timeStepSec)} s step, output every ${m.outputStepSec} s, by driftline's Leeway model.`;
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
      ...missionAttributes(ctx),
      ...(extent === null ? { comment_positions: 'no particle was released during the run' } : {}),
      particle_steps: result.particleSteps,
    },
    vars,
  };
}

/** Write raw/particles.nc for a result. Streams: memory beyond `result` is two 1 MiB chunks. */
export async function writeTrajectoryNc(
  result: TrajectoryResult,
  ctx: ProductContext,
  filePath: string,
  opts: WriteNetcdfOptions = {},
): Promise<WriteNetcdfResult> {
  return writeNetcdf(filePath, trajectoryDataset(result, ctx), opts);
}
