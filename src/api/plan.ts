/**
 * POST /missions/:id/plan (issue 13 item 1): re-plan a search on a completed mission's stored
 * particles, as `driftline plan <mission_id>` does (both call src/planning/replan.ts replanMission).
 * Body: {units: [...], at?, completed?, detection?} (PlanRequest in /openapi.json, the job's own
 * params.search schemas). Answers: 200 with the plan (POC/POD/POS per unit, cumulative POS) and the
 * two plan products with presigned URLs; 404 unknown mission (or one without particles.nc); 409 a
 * mission that is not completed; 400 with every invalid field named (units[0].endurance_h, at, …).
 */
import type { FastifyInstance } from 'fastify';
import { z } from '../vendor/zod.js';
import { PlanRequestError, replanMission } from '../planning/replan.js';
import { ApiError } from './errors.js';
import { idParamSchema, productSchema } from './schemas.js';
import type { ApiDeps } from './deps.js';
import { productViews } from './view.js';

const centreSchema = z.object({ lon: z.number(), lat: z.number(), ddm: z.string().describe('degrees and decimal minutes') });

export const planUnitSchema = z.object({
  unit: z.string(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
  planned_at: z.string().describe('output time the rectangle was planned at (nearest the middle of the window)'),
  poc: z.number().min(0).max(1).describe('probability of containment: share of the probability inside the rectangle'),
  pod: z.number().min(0).max(1).describe('probability of detection from the coverage and the detection law'),
  pos: z.number().min(0).max(1).describe('probability of success = POC × POD'),
  cumulative_pos: z.number().min(0).max(1).describe('POS of this unit and the ones before it'),
  coverage: z.number(),
  track_spacing_nm: z.number(),
  sweep_width_nm: z.number(),
  area_nm2: z.number(),
  length_nm: z.number(),
  width_nm: z.number(),
  track_bearing_deg: z.number(),
  creep_bearing_deg: z.number(),
  centre: centreSchema,
});

export const planResponseSchema = z
  .object({
    mission_id: z.string(),
    detection: z.enum(['exponential', 'inverse_cube']),
    weights: z.string().describe('"equal", or the posterior after the completed searches'),
    completed: z
      .array(z.object({ name: z.string(), start_time: z.string().optional(), end_time: z.string().optional(), coverage: z.number(), pod: z.number(), probability_removed: z.number(), records_used: z.number().int() }))
      .optional(),
    completed_cumulative_pos: z.number().optional(),
    plan: z.object({ start_time: z.string().nullable(), cumulative_pos: z.number().min(0).max(1), skipped_units: z.array(z.string()), units: z.array(planUnitSchema) }),
    products: z.array(productSchema).describe('search_plan_geojson and search_plan_kml, as recorded in the mission'),
  })
  .describe('a re-planned search');

const dotted = (p: (string | number)[]): string => p.reduce<string>((acc, x) => (typeof x === 'number' ? `${acc}[${x}]` : acc === '' ? x : `${acc}.${x}`), '') || '(body)';

export function registerPlanRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/missions/:id/plan', async (req) => {
    const params = idParamSchema.safeParse(req.params);
    if (!params.success) throw new ApiError('E_NOT_FOUND', 'no such mission');
    const id = params.data.id;
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('E_JOB_INVALID', 'the body must be a JSON object: {"units": [...], "at"?, "completed"?, "detection"?}', { fields: [{ field: '(body)', message: 'expected an object' }] });
    }
    let r: Awaited<ReturnType<typeof replanMission>>;
    try {
      r = await replanMission({ pool: deps.pool, s3: deps.s3, bucket: deps.config.S3_BUCKET, workDir: deps.config.WORK_DIR }, id, body);
    } catch (e) {
      if (e instanceof PlanRequestError) {
        const fields = e.issues.map((i) => ({ field: dotted(i.path), message: i.message }));
        throw new ApiError('E_JOB_INVALID', `${fields.length} invalid field${fields.length === 1 ? '' : 's'}: ${e.message}`, { fields });
      }
      throw e;
    }
    const now = new Date();
    const rows = r.stored.map((p) => ({ mission_id: id, kind: p.kind, uri: p.uri, bytes: p.bytes, content_type: p.contentType, sha256: p.sha256, created_at: now }));
    return { mission_id: id, ...r.summary, products: await productViews(deps.presign, id, rows) };
  });
}
