/**
 * The mission job's wire format: JSON on the Redis list (or POSTed to the API), as a zod schema.
 *
 * Producers already send `{mission_id, params: {latitude, longitude, start_time, duration_hours,
 * num_particles, object_type}}`; everything else is an optional extension. validate.ts turns raw text
 * into a Job naming every bad field; resolve.ts turns a Job into the MissionSpec everything downstream
 * takes. Nothing outside src/job (and the edges that accept jobs: worker, api, cli) reads this format.
 */
import { z } from '../vendor/zod.js';
import type { JobIssue } from '../job-guard.js';
import { searchIssues, searchParamsSchema } from '../search/params.js';
import { splitScenarioParticles } from '../search/weights.js';

/** Limits that operators configure (env MAX_PARTICLES, MAX_DURATION_HOURS, MAX_MISSION_MB). */
export interface JobLimits {
  maxParticles: number;
  maxDurationHours: number;
  /** Refuse missions whose estimated peak memory (src/mission/estimate.ts) is above this; unset: no memory check. */
  maxMissionMb?: number;
}

export const DEFAULT_LIMITS: JobLimits = { maxParticles: 2_000_000, maxDurationHours: 720 };

/** The limits a configured process applies (worker, `driftline run`). */
export function jobLimits(c: { MAX_PARTICLES: number; MAX_DURATION_HOURS: number; MAX_MISSION_MB: number }): JobLimits {
  return { maxParticles: c.MAX_PARTICLES, maxDurationHours: c.MAX_DURATION_HOURS, maxMissionMb: c.MAX_MISSION_MB };
}

const vector = z.tuple([z.number().finite(), z.number().finite()]);
/**
 * Forcing URIs per job, summed over wind, current and land. Each is a file opened at once; 64 covers a
 * month of daily files per field with room to spare, and 20 000 made a worker hit EMFILE (issue 11).
 */
export const MAX_FORCING_URIS = 64;
/** Longest forcing URI; presigned S3 URLs run to about 1.5 kB. */
const MAX_URI_CHARS = 4096;
const uriString = z.string().min(1).max(MAX_URI_CHARS);
// The count is checked on forcingSchema: a failure inside this union would be reported as the
// union's "Invalid input" on params.forcing.<kind>, not on its uri field.
const uriList = z.union([uriString, z.array(uriString).min(1)]);

const vectorForcing = z.union([
  z.object({ constant: vector }).strict(),
  z
    .object({
      uri: uriList,
      variables: z.object({ u: z.string().min(1), v: z.string().min(1) }).strict().optional(),
    })
    .strict(),
]);

const landForcing = z.union([
  z.object({ constant: z.union([z.literal(0), z.literal(1)]) }).strict(),
  z.object({ uri: uriList, variable: z.string().min(1).optional() }).strict(),
]);

export const forcingSchema = z
  .object({ wind: vectorForcing.optional(), current: vectorForcing.optional(), land: landForcing.optional(), stokes: vectorForcing.optional() })
  .strict()
  .superRefine((f, ctx) => {
    const count = (s: object | undefined) => (s && 'uri' in s ? [s.uri].flat().length : 0);
    for (const kind of ['wind', 'current', 'land', 'stokes'] as const) {
      if (count(f[kind]) > MAX_FORCING_URIS) {
        ctx.addIssue({ code: 'custom', path: [kind, 'uri'], message: `at most ${MAX_FORCING_URIS} forcing URIs per job (got ${count(f[kind])})` });
        return;
      }
    }
    // A land mask is one raster: a list of several would be read as its first file only.
    if (count(f.land) > 1) {
      ctx.addIssue({ code: 'custom', path: ['land', 'uri'], message: `a land mask is one file; got a list of ${count(f.land)} (give one URI)` });
      return;
    }
    const total = count(f.wind) + count(f.current) + count(f.land) + count(f.stokes);
    if (total > MAX_FORCING_URIS) {
      ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_FORCING_URIS} forcing URIs per job over wind, current, land and stokes together (got ${total})` });
    }
  });

const isoTime = z.iso.datetime({ offset: true });

/**
 * OpenDrift Leeway's capsizing defaults (capsize:wind_threshold 30 m/s, wind_threshold_sigma 5 m/s,
 * leeway_fraction 0.4): `capsizing: true` means these, and so does every field an object leaves out.
 */
export const CAPSIZING_DEFAULTS = { wind_threshold_mps: 30, wind_threshold_sigma_mps: 5, leeway_fraction: 0.4 } as const;

const capsizingSchema = z.union([
  z.boolean(),
  z
    .object({
      enabled: z.boolean().default(true),
      wind_threshold_mps: z.number().positive().default(CAPSIZING_DEFAULTS.wind_threshold_mps),
      wind_threshold_sigma_mps: z.number().positive().default(CAPSIZING_DEFAULTS.wind_threshold_sigma_mps),
      leeway_fraction: z.number().min(0).max(1).default(CAPSIZING_DEFAULTS.leeway_fraction),
    })
    .strict(),
]);

const productsSchema = z
  .object({
    animation: z.boolean().default(true),
    /** Density grid cell size in metres (about 1 km by default). */
    density_cell_m: z.number().min(10).max(100_000).default(1000),
    // 20 levels: more than any chart shows (every 5 %), and each costs one contour pass per output time.
    search_area_percents: z.array(z.number().gt(0).lt(100)).min(1).max(20).default([50, 90, 95]),
    /** products/map.png, the final time as a still; drawn without ffmpeg, so also with animation false. */
    map: z.boolean().default(true),
    /**
     * raw/particles.nc's encoding (issue 10): "auto" writes NetCDF-4 with deflate from
     * NETCDF4_MIN_RECORDS particle records up (src/products/trajectory.ts), NetCDF-3 below.
     */
    netcdf_format: z.enum(['auto', 'netcdf3', 'netcdf4']).default('auto'),
    /**
     * Record the wind and current each particle saw, per output time (particles.nc x_wind, y_wind,
     * x_sea_water_velocity, y_sea_water_velocity; the animation's wind arrow). 16 bytes a record: in
     * memory for small missions, in a file in the work directory above 128 MiB of them (1 M particles ×
     * 49 times: 0.78 GB of disk, not memory; src/mission/estimate.ts ENV_FILE_MIN_BYTES, issue 9).
     */
    record_environment: z.boolean().default(true),
  })
  .strict();

/**
 * One weighted scenario (issue 8, `params.scenarios[k]`). `weight` is its probability share before
 * normalisation. Every other field has the meaning of the job's field of the same name; object_type,
 * latitude/longitude (together), radius_m, radius_type and start_time default to the job's, while
 * end_latitude/end_longitude (cone or voyage track), end_radius_m and end_time (release window end)
 * are only the scenario's own.
 */
const scenarioSchema = z
  .object({
    name: z.string().min(1).max(100).optional(),
    weight: z.number().finite().positive(),
    object_type: z.union([z.number().int(), z.string().min(1)]).optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(360).optional(),
    radius_m: z.number().min(0).max(1_000_000).optional(),
    radius_type: z.enum(['gaussian', 'uniform']).optional(),
    start_time: isoTime.optional(),
    end_time: isoTime.optional(),
    end_latitude: z.number().min(-90).max(90).optional(),
    end_longitude: z.number().min(-180).max(360).optional(),
    end_radius_m: z.number().min(0).max(1_000_000).optional(),
  })
  .strict();

/** 32 scenarios: more than any coordinator weighs (SAROPS cases carry a handful); each is one seeding. */
export const MAX_SCENARIOS = 32;

function paramsSchema(limits: JobLimits) {
  return z
    .object({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(360),
      start_time: isoTime,
      duration_hours: z.number().positive().max(limits.maxDurationHours).default(24),
      num_particles: z.number().int().min(1).max(limits.maxParticles).default(1000),
      object_type: z.union([z.number().int(), z.string().min(1)]).default(1),
      seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
      rng: z.enum(['fast', 'opendrift']).default('fast'),
      time_step_seconds: z
        .number()
        .int()
        .refine((v) => v !== 0 && Math.abs(v) <= 86_400, 'must be a non-zero whole number of seconds, |dt| <= 86400')
        .default(600),
      output_step_seconds: z.number().int().positive().max(86_400 * 7).default(3600),
      radius_m: z.number().min(0).max(1_000_000).default(0),
      radius_type: z.enum(['gaussian', 'uniform']).default('gaussian'),
      end_latitude: z.number().min(-90).max(90).optional(),
      end_longitude: z.number().min(-180).max(360).optional(),
      end_time: isoTime.optional(),
      end_radius_m: z.number().min(0).max(1_000_000).optional(),
      jibe_probability_per_hour: z.number().min(0).max(1).default(0.04),
      capsizing: capsizingSchema.default(false),
      coastline_action: z.enum(['stranding', 'previous', 'none']).default('stranding'),
      forcing: forcingSchema.optional(),
      products: productsSchema.default(productsSchema.parse({})),
      // opendrift-interop: OpenDrift's drift:wind_uncertainty / drift:current_uncertainty (m/s, per step).
      wind_uncertainty_mps: z.number().min(0).max(50).default(0),
      current_uncertainty_mps: z.number().min(0).max(5).default(0),
      // drift:stokes_drift: needs forcing.stokes (constant or sea_surface_wave_stokes_drift_x/y_velocity file).
      stokes_drift: z.boolean().default(false),
      // OpenDrift's basemodel random walk, D in m²/s (drift:horizontal_diffusivity; since OpenDrift 1.14.9
      // environment:constant:horizontal_diffusivity). Not in OpenDrift's Leeway: an extension.
      horizontal_diffusivity_m2ps: z.number().min(0).max(10_000).default(0),
      // seed:ocean_only: false keeps particles seeded on land where they are (they strand at once).
      ocean_only: z.boolean().default(true),
      // general:coastline_approximation_precision, degrees; OpenDrift's range 0.0001-0.005, null = None.
      coastline_approximation_precision_deg: z.number().min(0.0001).max(0.005).nullable().default(0.001),
      // search-wiring (issue 8): plan and completed searches, src/search/params.ts.
      search: searchParamsSchema.optional(),
      // scenarios (issue 8): weighted hypotheses, each with its own object type and seeding.
      scenarios: z.array(scenarioSchema).min(1).max(MAX_SCENARIOS).optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
      if (Math.round((p.duration_hours * 3600) % Math.abs(p.time_step_seconds)) !== 0) {
        // OpenDrift rounds the duration up to whole output steps; we ask for whole calculation steps.
        ctx.addIssue({ code: 'custom', path: ['duration_hours'], message: 'must be a whole number of time steps' });
      }
      if (p.output_step_seconds % Math.abs(p.time_step_seconds) !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['output_step_seconds'],
          message: `must be a multiple of |time_step_seconds| (${Math.abs(p.time_step_seconds)})`,
        });
      }
      if ((p.end_latitude === undefined) !== (p.end_longitude === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [p.end_latitude === undefined ? 'end_latitude' : 'end_longitude'],
          message: 'end_latitude and end_longitude go together (cone seeding)',
        });
      }
      if (p.end_latitude !== undefined && p.num_particles < 2) {
        ctx.addIssue({ code: 'custom', path: ['num_particles'], message: 'cone seeding needs at least 2 particles' });
      }
      if (p.end_time !== undefined) {
        const dt = Date.parse(p.end_time) - Date.parse(p.start_time);
        const forward = p.time_step_seconds > 0;
        if (forward ? dt < 0 : dt > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['end_time'],
            message: forward ? 'must not be before start_time' : 'must not be after start_time (backward run)',
          });
        }
        if (Math.abs(dt) > p.duration_hours * 3_600_000) {
          ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'release window must end within the run' });
        }
      }
      if (p.search !== undefined) {
        const run = { startTimeSec: Date.parse(p.start_time) / 1000, durationSec: p.duration_hours * 3600, backward: p.time_step_seconds < 0 };
        for (const issue of searchIssues(p.search, run)) ctx.addIssue({ code: 'custom', path: ['search', ...issue.path], message: issue.message });
      }
      if (p.scenarios !== undefined) {
        for (const issue of scenarioIssues(p)) ctx.addIssue({ code: 'custom', path: ['scenarios', ...issue.path], message: issue.message });
      }
    });
}

type ParsedParams = z.infer<ReturnType<typeof paramsSchema>>;

/** Problems of params.scenarios that need the rest of the job; paths relative to `params.scenarios`. */
function scenarioIssues(p: ParsedParams): JobIssue[] {
  const scenarios = p.scenarios ?? [];
  const out: JobIssue[] = [];
  if (scenarios.length > p.num_particles) {
    out.push({ path: [], message: `${scenarios.length} scenarios need at least ${scenarios.length} particles (one each), num_particles is ${p.num_particles}` });
    return out;
  }
  const sum = scenarios.reduce((a, sc) => a + sc.weight, 0);
  if (!(sum > 0) || !Number.isFinite(sum)) out.push({ path: [], message: `the weights must sum to a positive finite number, got ${sum}` });
  const runStartMs = Date.parse(p.start_time);
  const forward = p.time_step_seconds > 0;
  const runEndMs = runStartMs + (forward ? 1 : -1) * p.duration_hours * 3_600_000;
  const lo = Math.min(runStartMs, runEndMs);
  const hi = Math.max(runStartMs, runEndMs);
  const runText = `the run [${new Date(lo).toISOString()}, ${new Date(hi).toISOString()}]`;
  const counts = out.length === 0 ? splitScenarioParticles(scenarios.map((sc) => sc.weight), p.num_particles).counts : [];
  scenarios.forEach((sc, k) => {
    if ((sc.latitude === undefined) !== (sc.longitude === undefined)) {
      out.push({ path: [k, sc.latitude === undefined ? 'latitude' : 'longitude'], message: 'latitude and longitude go together (else both are the job\'s)' });
    }
    if ((sc.end_latitude === undefined) !== (sc.end_longitude === undefined)) {
      out.push({ path: [k, sc.end_latitude === undefined ? 'end_latitude' : 'end_longitude'], message: 'end_latitude and end_longitude go together (cone or voyage track)' });
    }
    if (sc.end_latitude !== undefined && (counts[k] ?? 2) < 2) {
      out.push({ path: [k, 'end_latitude'], message: `cone seeding needs at least 2 particles; this scenario gets ${counts[k]} of num_particles ${p.num_particles}` });
    }
    const startMs = sc.start_time !== undefined ? Date.parse(sc.start_time) : runStartMs;
    if (startMs < lo || startMs > hi) out.push({ path: [k, 'start_time'], message: `release starts at ${new Date(startMs).toISOString()}, outside ${runText}` });
    if (sc.end_time !== undefined) {
      const endMs = Date.parse(sc.end_time);
      if (forward ? endMs < startMs : endMs > startMs) {
        out.push({ path: [k, 'end_time'], message: forward ? 'must not be before the scenario\'s start_time' : 'must not be after the scenario\'s start_time (backward run)' });
      } else if (endMs < lo || endMs > hi) {
        out.push({ path: [k, 'end_time'], message: `release window must end within ${runText}, got ${new Date(endMs).toISOString()}` });
      }
    }
  });
  return out;
}

export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'use letters, digits and . _ : - (it becomes an S3 key prefix)');

export function jobSchema(limits: JobLimits = DEFAULT_LIMITS) {
  return z.object({ mission_id: idSchema, params: paramsSchema(limits) }).passthrough();
}

export type Job = z.infer<ReturnType<typeof jobSchema>>;
export type JobParams = Job['params'];

