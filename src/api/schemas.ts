/**
 * zod schemas of what the API takes and returns. Requests are validated with them (the job with
 * src/job.ts's own jobSchema); responses are described by them in the OpenAPI document (src/api/openapi.ts)
 * and checked against them in the tests.
 */
import { z } from '../vendor/zod.js';
import { MISSION_STATUSES } from '../db/queries/index.js';

export const statusSchema = z.enum(MISSION_STATUSES as unknown as ['queued', 'processing', 'completed', 'failed', 'cancelled']);

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable code from src/errors.ts, e.g. E_JOB_INVALID, E_AUTH, E_NOT_FOUND'),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('every invalid field of a job'),
    }),
  })
  .meta({ id: 'Error' });

export const productSchema = z
  .object({
    kind: z.string().describe('trajectory, density, search_areas_geojson, search_areas_kml, search_areas_kmz, search_plan_geojson, search_plan_kml, stranding_geojson, leeway_ascii, animation, map, summary'),
    bytes: z.number().int(),
    content_type: z.string(),
    sha256: z.string(),
    url: z.string().describe('presigned S3 GET URL'),
    expires_at: z.string(),
    href: z.string().describe('the same file through this API (Bearer auth)'),
  })
  .meta({ id: 'Product' });

export const missionSchema = z
  .object({
    id: z.string(),
    status: statusSchema,
    progress: z.number().min(0).max(1),
    attempts: z.number().int(),
    params: z.unknown().describe('the validated params with defaults (URL passwords masked)'),
    warnings: z.array(z.string()),
    error: z.object({ code: z.string().nullable(), message: z.string() }).nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    updated_at: z.string(),
    cancel_requested_at: z.string().nullable(),
    links: z.object({ self: z.string(), events: z.string(), cancel: z.string() }),
    products: z.array(productSchema).optional(),
  })
  .meta({ id: 'Mission' });

export const missionListSchema = z
  .object({
    missions: z.array(missionSchema),
    next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  })
  .meta({ id: 'MissionList' });

/** Page size: 50 by default, at most 200 (one page is one indexed query, about 1 ms for 200 rows). */
export const listQuerySchema = z
  .object({
    status: statusSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const idParamSchema = z.object({ id: z.string().min(1).max(128) });

/** GET /missions/:id/density.json: the output time step (0-based); the last step when absent. */
export const densityQuerySchema = z.object({ t: z.coerce.number().int().min(0).max(1_000_000).optional() }).strict();
