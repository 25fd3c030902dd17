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
import { getMissionWithResults, recordMissionPlan } from '../db/queries/index.js';
import { DriftlineError } from '../errors.js';
import { s3RangeSource } from '../storage/s3-range.js';
import { parseS3Uri } from '../storage/s3-uri.js';
import { publishAliases, uploadProducts, type StoredProduct } from '../storage/upload.js';

import { PLAN_KINDS, planOnParticles, type ReplanOutcome } from './plan.js';
import { writeSearchPlanFiles } from '../products/search-plan.js';
import { readStoredParticles } from './stored-particles.js';

export { PLAN_KINDS, PlanRequestError, planLocalDir, planOnParticles, replanRequestSchema, type PlanIssue, type ReplanOutcome, type ReplanRequest } from './plan.js';

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
