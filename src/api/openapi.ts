/** The OpenAPI 3.1 document served at /openapi.json, built from the zod schemas (z.toJSONSchema). */
import { z } from '../vendor/zod.js';
import { jobSchema, type JobLimits } from '../job/schema.js';
import { VERSION } from '../version.js';
import { replanRequestSchema } from '../planning/replan.js';
import { planResponseSchema } from './plan.js';
import { errorSchema, listQuerySchema, missionListSchema, missionSchema, statusSchema } from './schemas.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 is OpenAPI 3.1's schema dialect; $schema is dropped inside the document. */
function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const errorResponse = (description: string) => ({ description, content: json('Error') });

export function openApiDocument(limits: JobLimits, authOn: boolean): JsonSchema {
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const common4xx = { '401': errorResponse('missing, unknown or revoked API key (E_AUTH)'), '429': errorResponse('rate limited (E_RATE_LIMITED)') };
  const query = schemaOf(listQuerySchema, 'input') as { properties: Record<string, JsonSchema> };
  return {
    openapi: '3.1.0',
    info: {
      title: 'driftline API',
      version: VERSION,
      description: 'Leeway search-and-rescue drift missions: submit, follow, cancel, download products. Every error is {"error": {"code", "message"}}.',
    },
    ...(authOn ? { security: [{ bearer: [] }] } : {}),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a key from `driftline apikey create`' } },
      schemas: {
        Job: { ...schemaOf(jobSchema(limits), 'input'), description: 'the job as on the Redis queue; mission_id is optional here (a UUID is chosen)' },
        Mission: schemaOf(missionSchema),
        MissionList: schemaOf(missionListSchema),
        Error: schemaOf(errorSchema),
        Status: schemaOf(statusSchema),
        PlanRequest: schemaOf(replanRequestSchema, 'input'),
        Plan: schemaOf(planResponseSchema),
      },
    },
    paths: {
      '/missions': {
        post: {
          summary: 'submit a mission',
          requestBody: { required: true, content: json('Job') },
          responses: {
            '202': { description: 'queued; Location names the mission', headers: { Location: { schema: { type: 'string' } } }, content: json('Mission') },
            '400': errorResponse('invalid JSON or job; error.fields names every invalid field'),
            '409': errorResponse('a mission with this id exists and has not failed'),
            '413': errorResponse('body over the size limit'),
            ...common4xx,
          },
        },
        get: {
          summary: 'list missions, newest first',
          parameters: Object.entries(query.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
          responses: { '200': { description: 'one page', content: json('MissionList') }, '400': errorResponse('bad query'), ...common4xx },
        },
      },
      '/missions/{id}': {
        get: {
          summary: 'one mission, with presigned product URLs once it has products',
          parameters: [idParam],
          responses: { '200': { description: 'the mission', content: json('Mission') }, '404': errorResponse('no such mission'), ...common4xx },
        },
      },
      '/missions/{id}/events': {
        get: {
          summary: 'server-sent events: stage, progress, then completed|failed|cancelled',
          parameters: [idParam],
          responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': errorResponse('no such mission'), ...common4xx },
        },
      },
      '/missions/{id}/cancel': {
        post: {
          summary: 'cancel a queued mission (200, cancelled at once) or ask a running one to stop (202)',
          parameters: [idParam],
          responses: {
            '200': { description: 'cancelled', content: json('Mission') },
            '202': { description: 'cancel requested; the worker stops within about a second', content: json('Mission') },
            '404': errorResponse('no such mission'),
            '409': errorResponse('the mission already completed, failed or was cancelled'),
            ...common4xx,
          },
        },
      },
      '/missions/{id}/plan': {
        post: {
          summary: "re-plan a search on a completed mission's stored particles (as `driftline plan <mission_id>`); records search_plan.geojson and .kml in the mission, replacing an earlier plan",
          parameters: [idParam],
          requestBody: { required: true, content: json('PlanRequest') },
          responses: {
            '200': { description: 'the plan: POC, POD, POS per unit, cumulative POS, and the plan products', content: json('Plan') },
            '400': errorResponse('invalid body; error.fields names every invalid field (units[0].endurance_h, at, completed[0].polygon, …)'),
            '404': errorResponse('no such mission, or it has no stored particles'),
            '409': errorResponse('the mission is not completed'),
            ...common4xx,
          },
        },
      },
      '/missions/{id}/products/{kind}': {
        get: {
          summary: 'one product file, streamed from S3',
          parameters: [idParam, { name: 'kind', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the file' }, '404': errorResponse('no such mission or product'), ...common4xx },
        },
      },
      '/missions/{id}/density.json': {
        get: {
          summary: 'one time step of the density product (products/density.nc) as its non-zero cells, for the map page',
          parameters: [idParam, { name: 't', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'output time step, 0-based; the last when absent' }],
          responses: { '200': { description: '{times, t, time, grid, released, max, cells, p}: probability p of cell index cells (y·nx + x)' }, '400': errorResponse('t out of range'), '404': errorResponse('no such mission or no density product'), ...common4xx },
        },
      },
      '/healthz': { get: { summary: 'Redis and PostgreSQL reachable', security: [], responses: { '200': { description: 'ok' }, '503': { description: 'a dependency is down' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', security: [], responses: { '200': { description: 'text format' } } } },
      '/openapi.json': { get: { summary: 'this document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  };
}
