/**
 * The global attributes through which OpenDrift's own tools read a trajectory file (OpenDrift 1.14.10,
 * `export/io_netcdf.py import_file`): `opendrift_module`/`opendrift_class` pick the model class that
 * `opendrift.open()` instantiates, `time_step_calculation`/`time_step_output` are parsed as Python
 * `str(timedelta)`, and every `config_<key>` attribute is passed to `set_config(key, value)` ("True",
 * "False" and "None" become Python values). The config keys are OpenDrift's Leeway names, filled from the
 * mission's resolved model parameters.
 */
import type { ModelParams } from '../model/types.js';
import type { NcAttributes } from '../netcdf/index.js';

/** Python's `str(datetime.timedelta(seconds=sec))`: "0:15:00", "1 day, 0:00:00", "-1 day, 23:45:00". */
export function pythonTimedelta(sec: number): string {
  const whole = Math.round(sec);
  const days = Math.floor(whole / 86_400);
  const rest = whole - days * 86_400;
  const h = Math.floor(rest / 3600);
  const m = Math.floor((rest % 3600) / 60);
  const s = rest % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  if (days === 0) return hms;
  return `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${hms}`;
}

const pyBool = (b: boolean): string => (b ? 'True' : 'False');

export function opendriftAttributes(model: ModelParams): NcAttributes {
  const cap = model.capsizing;
  const signedOutputSec = model.timeStepSec < 0 ? -model.outputStepSec : model.outputStepSec;
  const config: Record<string, string | number> = {
    'seed:object_type': model.category.description,
    'seed:jibe_probability': model.jibeProbabilityPerHour,
    'processes:capsizing': pyBool(cap !== null),
    // OpenDrift's defaults when capsizing is off, so a file always states the values a rerun would use.
    'capsizing:leeway_fraction': cap?.leewayFraction ?? 0.4,
    'capsizing:wind_threshold': cap?.windThresholdMps ?? 30,
    'capsizing:wind_threshold_sigma': cap?.windThresholdSigmaMps ?? 5,
    'drift:stokes_drift': pyBool(model.stokesDrift === true),
    'drift:wind_uncertainty': model.windUncertaintyMps ?? 0,
    'drift:current_uncertainty': model.currentUncertaintyMps ?? 0,
    'general:coastline_action': model.coastlineAction,
    'general:coastline_approximation_precision':
      model.coastlineApproximationPrecisionDeg === undefined ? 0.001 : model.coastlineApproximationPrecisionDeg === null ? 'None' : model.coastlineApproximationPrecisionDeg,
    'seed:ocean_only': pyBool(model.oceanOnly !== false),
    'general:time_step_minutes': Math.abs(model.timeStepSec) / 60,
    'general:time_step_output_minutes': model.outputStepSec / 60,
  };
  const out: NcAttributes = {
    opendrift_class: 'Leeway',
    opendrift_module: 'opendrift.models.leeway',
    // OpenDrift writes the signed steps of the run (a backward run's are negative timedeltas).
    time_step_calculation: pythonTimedelta(model.timeStepSec),
    time_step_output: pythonTimedelta(signedOutputSec),
  };
  for (const [key, value] of Object.entries(config)) out[`config_${key}`] = value;
  // Not a config_ attribute: OpenDrift 1.14.10's Leeway has no such setting, and opendrift.open() passes
  // every config_ attribute to set_config().
  const diffusivity = model.horizontalDiffusivityM2ps ?? 0;
  if (diffusivity > 0) out.horizontal_diffusivity_m2ps = diffusivity;
  return out;
}
