/**
 * Raw job text or value -> a validated Job with defaults filled in. The guard's bounds (src/job-guard.ts:
 * sizes, depth, NULs, prototype keys) come first, then the schema (schema.ts). Every error names the
 * field (`params.latitude: …`) and is permanent (E_JOB_INVALID / E_OBJECT_TYPE / E_JOB_JSON).
 */
import { DriftlineError } from '../errors.js';
import { checkJobText, checkJobValue, formatPath, type JobIssue } from '../job-guard.js';
import { checkMissionSize } from '../mission/estimate.js';
import { findCategory, suggestCategories, type LeewayCategory } from '../model/objects.js';
import { DEFAULT_LIMITS, idSchema, jobSchema, type Job, type JobLimits } from './schema.js';

/**
 * Raw text from the queue -> a parsed (not yet validated) value. Size and nesting depth are checked
 * before JSON.parse (src/job-guard.ts). Throws E_JOB_INVALID naming the field, or E_JOB_JSON.
 */
export function parseJobValue(text: string): unknown {
  const issue = checkJobText(text);
  if (issue !== null) throw jobInvalid([issue]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DriftlineError('E_JOB_JSON', `(job): not valid JSON: ${(err as Error).message.slice(0, 200)}`, { cause: err, field: '(job)' });
  }
}

/** Parse raw text from the queue. Throws E_JOB_JSON or E_JOB_INVALID naming every bad field. */
export function parseJobText(text: string, limits: JobLimits = DEFAULT_LIMITS): Job {
  return validateJob(parseJobValue(text), limits);
}

/** At most this many problems are spelled out in one error (a hostile job can have thousands). */
const MAX_ISSUES_SHOWN = 10;
/** One problem's message is cut here (a union's message can be long). */
const MAX_ISSUE_CHARS = 160;

/**
 * `params.latitude: Too big: expected number to be <=90; params.num_particles: … (and 3 more)`, in
 * the order found (zod follows the schema; the guard, the job). `field` is the first problem's path.
 */
export function jobInvalid(issues: ReadonlyArray<JobIssue>): DriftlineError {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => {
    const msg = i.message.length > MAX_ISSUE_CHARS ? `${i.message.slice(0, MAX_ISSUE_CHARS)}…` : i.message;
    return `${formatPath(i.path)}: ${msg}`;
  });
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
  const field = formatPath(issues[0]?.path ?? []);
  return new DriftlineError('E_JOB_INVALID', `${shown.join('; ')}${more}`, { field });
}

/** The mission id of a raw job if it has a usable one (so a failure can be recorded against it). */
export function missionIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { mission_id?: unknown }).mission_id;
  return idSchema.safeParse(id).success ? (id as string) : undefined;
}

/** Why a parsed job has no usable mission_id, naming the field (E_JOB_INVALID). */
export function missionIdProblem(raw: unknown): DriftlineError {
  const root = checkJobValue(raw).find((i) => i.path.length === 0);
  if (root !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) return jobInvalid([root]);
  const id = (raw as { mission_id?: unknown }).mission_id;
  if (id === undefined) return jobInvalid([{ path: ['mission_id'], message: 'missing (every job names its mission)' }]);
  const r = idSchema.safeParse(id);
  const message = r.success ? 'not usable' : (r.error.issues[0]?.message ?? 'invalid');
  return jobInvalid([{ path: ['mission_id'], message: `${message}; an id is 1-128 letters, digits and . _ : -` }]);
}

/** Whether `id` is a usable mission id. */
export function isMissionId(id: string): boolean {
  return idSchema.safeParse(id).success;
}

/**
 * A parsed job -> a validated one with defaults filled in. The guard's bounds (sizes, depth, NULs,
 * prototype keys) come first, then the schema; every problem is named (E_JOB_INVALID). With
 * `limits.maxMissionMb`, a mission too large to run fails with E_MISSION_TOO_LARGE.
 */
export function validateJob(raw: unknown, limits: JobLimits = DEFAULT_LIMITS): Job {
  const bounds = checkJobValue(raw);
  if (bounds.length > 0) throw jobInvalid(bounds);
  const result = jobSchema(limits).safeParse(raw);
  if (!result.success) throw jobInvalid(result.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })));
  resolveCategory(result.data.params.object_type);
  result.data.params.scenarios?.forEach((sc, k) => resolveCategory(sc.object_type ?? result.data.params.object_type, `params.scenarios[${k}].object_type`));
  checkMissionSize(result.data.params, limits.maxMissionMb);
  return result.data;
}

export function resolveCategory(objectType: number | string, field = 'params.object_type'): LeewayCategory {
  const category = findCategory(objectType);
  if (category === undefined) {
    const hints = typeof objectType === 'string' ? suggestCategories(objectType) : [];
    const hint = hints.length > 0 ? `; did you mean ${hints.join(', ')}?` : '; use 1-85 or a key such as "PIW-1"';
    throw new DriftlineError('E_OBJECT_TYPE', `${field}: unknown Leeway category ${JSON.stringify(objectType)}${hint}`, {
      field,
    });
  }
  return category;
}

