/**
 * Plan a search again on a mission's stored particles, without simulating again (issue 8 item 8;
 * `driftline plan`, POST /missions/:id/plan). One request, `{units, at?, completed?, detection?}`,
 * validated with the job's own `params.search` schemas (src/search/params.ts); the prior is the
 * stored `weight` (the mission's posterior), further unsuccessful searches in `completed` are applied
 * first, and the plan is made as the worker makes it (planMission).
 *
 * Two homes for the result:
 *  - planLocalDir: a `driftline run --out DIR` directory; writes DIR/products/search_plan.{geojson,kml}.
 *  - replanMission: a fleet mission. Its particles.nc is read from S3 with ranged GETs (only the five
 *    variables a plan needs), the two plan products are uploaded under a fresh prefix
 *    `{mission_id}/plan-<time>-<nonce>/products/…`, recorded in mission_results (replacing the earlier
 *    plan rows, with size and SHA-256 as the worker records), then copied to their fixed keys
 *    `{mission_id}/products/search_plan.{geojson,kml}`, and the replaced objects are deleted.
 *    This is an operator's write, not fenced: the mission must be `completed` (checked under a row
 *    lock, recordMissionPlan). A re-plan changes only the plan products; summary.json keeps the plan
 *    the run itself made (if any). Two re-plans of one mission at once: the last to record wins in
 *    mission_results (the authority); the fixed-key copies follow the last to copy.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { z } from 'zod';
import { getMissionWithResults, recordMissionPlan } from '../db/queries/index.js';
import { DriftlineError } from '../errors.js';
import { planMission, searchSummary, writeSearchPlanFiles, type MissionPlan, type MissionSearch } from '../products/search-plan.js';
import type { ProductFile } from '../products/types.js';
import { bayesUpdate } from '../search/index.js';
import { resolveSearch, searchIssues, searchParamsSchema, type SearchParams } from '../search/params.js';
import { s3RangeSource } from '../storage/s3-range.js';
import { parseS3Uri } from '../storage/s3-uri.js';
import { publishAliases, uploadProducts, type StoredProduct } from '../storage/upload.js';
import { readLocalParticles, readStoredParticles, type StoredParticles } from './stored-particles.js';

const planShape = searchParamsSchema.shape.plan.unwrap().shape;

/** The body of POST /missions/:id/plan, and what `driftline plan` builds from its flags. */
export const replanRequestSchema = z
  .object({
    units: planShape.units.describe('search units, planned in this order (greedy, non-overlapping rectangles)'),
    at: planShape.start_time.optional().describe("start of every unit's search window (default: the run's first output time)"),
    completed: searchParamsSchema.shape.completed.describe('more searches that found nothing, applied to the stored weights first'),
    detection: searchParamsSchema.shape.detection.describe('detection law: exponential (default) or inverse_cube'),
  })
  .strict();

export type ReplanRequest = z.input<typeof replanRequestSchema>;

export const PLAN_KINDS = ['search_plan_geojson', 'search_plan_kml'] as const;

/** One invalid field of a plan request, by its path in the request (units[0].endurance_h, at, …). */
export interface PlanIssue {
  path: (string | number)[];
  message: string;
}

const fieldOf = (p: (string | number)[], prefix = ''): string =>
  p.reduce<string>((acc, x) => (typeof x === 'number' ? `${acc}[${x}]` : acc === '' ? x : `${acc}.${x}`), prefix);

/** Thrown for a request that fails validation: every invalid field, named. */
export class PlanRequestError extends DriftlineError {
  readonly issues: PlanIssue[];
  constructor(issues: PlanIssue[]) {
    super('E_JOB_INVALID', issues.map((i) => `${fieldOf(i.path) || '(body)'}: ${i.message}`).join('; '), issues[0] ? { field: fieldOf(issues[0].path) } : {});
    this.issues = issues;
  }
  /** The issue's field as in a job's params (`search.plan.units[0].endurance_h`), for the CLI. */
  static searchField(issue: PlanIssue): string {
    const [head, ...rest] = issue.path;
    const p = head === 'at' ? ['plan', 'start_time', ...rest] : head === 'units' ? ['plan', 'units', ...rest] : issue.path;
    return fieldOf(p, 'search');
  }
}

/** A search-params path (['plan', 'start_time'], ['plan', 'units', 0, …]) as a request path. */
function requestPath(p: (string | number)[]): (string | number)[] {
  if (p[0] !== 'plan') return p;
  if (p[1] === 'start_time') return ['at', ...p.slice(2)];
  if (p[1] === 'units') return ['units', ...p.slice(2)];
  return ['units'];
}

export interface ReplanOutcome {
  search: MissionSearch;
  plan: MissionPlan;
  /** As summary.json's `search` (POC/POD/POS per unit, cumulative POS, the completed searches). */
  summary: Record<string, unknown>;
}

/** Validate the request against the stored run and plan on its particles. Pure apart from the clock-free maths. */
export function planOnParticles(stored: StoredParticles, raw: unknown): ReplanOutcome {
  const { tracks, weight } = stored;
  if (tracks.nTimes === 0 || tracks.nParticles === 0) throw new DriftlineError('E_CONFLICT', 'the stored particles.nc has no particles or no output times');
  const first = tracks.timesSec[0]!;
  const last = tracks.timesSec[tracks.nTimes - 1]!;
  const parsed = replanRequestSchema.safeParse(raw);
  if (!parsed.success) throw new PlanRequestError(parsed.error.issues.map((i) => ({ path: i.path.filter((x): x is string | number => typeof x !== 'symbol'), message: i.message })));
  const req = parsed.data;
  const search: SearchParams = {
    plan: { start_time: req.at ?? new Date(Math.min(first, last) * 1000).toISOString(), units: req.units },
    completed: req.completed,
    detection: req.detection,
  };
  const issues = searchIssues(search, { startTimeSec: first, durationSec: Math.abs(last - first), backward: last < first });
  if (issues.length > 0) throw new PlanRequestError(issues.map((i) => ({ path: requestPath(i.path), message: i.message })));
  const resolved = resolveSearch(search);
  const bayes = resolved.completed.length > 0 ? bayesUpdate(tracks, weight, resolved.completed, resolved.law, 'completed') : null;
  const ms: MissionSearch = { resolved, weights: bayes?.weight ?? weight, bayes };
  const mp = planMission(tracks, ms);
  if (mp === null) throw new DriftlineError('E_INTERNAL', 'no plan was made'); // plan is set and nTimes > 0: unreachable
  // The prior is what particles.nc stores (the run's posterior), not necessarily equal weights.
  const summary = { ...searchSummary(ms, mp), weights: bayes === null ? 'stored (particles.nc weight)' : 'stored (particles.nc weight), then the posterior after the completed searches' };
  return { search: ms, plan: mp, summary };
}

/** Re-plan a local run directory; writes DIR/products/search_plan.{geojson,kml}. */
export async function planLocalDir(dir: string, raw: unknown): Promise<ReplanOutcome & { files: ProductFile[] }> {
  const stored = await readLocalParticles(path.join(dir, 'raw/particles.nc'));
  const outcome = planOnParticles(stored, raw);
  const files = await writeSearchPlanFiles(outcome.plan, dir, path.basename(dir));
  return { ...outcome, files };
}

export interface ReplanDeps {
  pool: pg.Pool;
  s3: S3Client;
  bucket: string;
  /** Where the plan files are written before upload (default: the OS temporary directory). */
  workDir?: string;
}

export interface MissionReplan extends ReplanOutcome {
  /** The recorded products (their per-plan URIs). */
  stored: StoredProduct[];
  /** Their fixed keys in the bucket: {mission_id}/products/search_plan.{geojson,kml}. */
  aliasKeys: string[];
}

/**
 * Re-plan a completed fleet mission from its stored particles.nc. E_NOT_FOUND for an unknown mission
 * or one without a trajectory, E_CONFLICT unless it is completed, PlanRequestError for a bad request.
 */
export async function replanMission(deps: ReplanDeps, missionId: string, raw: unknown): Promise<MissionReplan> {
  const found = await getMissionWithResults(deps.pool, missionId);
  if (found === null) throw new DriftlineError('E_NOT_FOUND', `no mission ${missionId}`);
  if (found.mission.status !== 'completed') {
    throw new DriftlineError('E_CONFLICT', `mission ${missionId} is ${found.mission.status}; a search is re-planned on the particles of a completed mission only`);
  }
  const trajectory = found.results.find((r) => r.kind === 'trajectory');
  if (trajectory === undefined) throw new DriftlineError('E_NOT_FOUND', `mission ${missionId} has no stored particles.nc (trajectory product)`);
  const stored = await readStoredParticles(s3RangeSource(deps.s3, trajectory.uri), `mission ${missionId} raw/particles.nc`);
  const outcome = planOnParticles(stored, raw);

  const base = deps.workDir ?? os.tmpdir();
  await mkdir(base, { recursive: true }); // WORK_DIR may not exist yet on an API host that never ran a mission
  const dir = await mkdtemp(path.join(base, 'driftline-plan-'));
  try {
    const files = await writeSearchPlanFiles(outcome.plan, dir, missionId);
    // A fresh prefix per re-plan (like a worker attempt's), so a re-plan never overwrites the objects
    // the recorded rows point at until its own rows replace them.
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const prefix = `${missionId}/plan-${stamp}-${randomBytes(3).toString('hex')}`;
    const uploaded = await uploadProducts(deps.s3, deps.bucket, prefix, files);
    const recorded = await recordMissionPlan(deps.pool, missionId, [...PLAN_KINDS], uploaded).catch(async (err: unknown) => {
      await deleteUris(deps.s3, uploaded.map((u) => u.uri));
      throw err;
    });
    if (recorded === null) {
      await deleteUris(deps.s3, uploaded.map((u) => u.uri));
      throw new DriftlineError('E_CONFLICT', `mission ${missionId} is no longer completed; the plan was not recorded`);
    }
    const aliasKeys = await publishAliases(deps.s3, deps.bucket, missionId, uploaded);
    // The replaced objects (an earlier re-plan's, or the run's own plan under its attempt prefix).
    // Best effort: a failure leaves garbage, never a wrong product (the rows point at the new ones).
    await deleteUris(deps.s3, recorded.replacedUris.filter((u) => !uploaded.some((x) => x.uri === u))).catch(() => undefined);
    return { ...outcome, stored: uploaded, aliasKeys };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function deleteUris(s3: S3Client, uris: string[]): Promise<void> {
  for (const uri of uris) {
    const { bucket, key } = parseS3Uri(uri);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
